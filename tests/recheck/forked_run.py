"""Runs jobs on workers forked from this process, as the command does
(``python -m tests.recheck.forked_run``, from ``tests.recheck.test_workers``): a pickle
of ``(source, jobs, workers, forks)`` on standard input (``forks`` workers forked, a pool
of ``workers`` taking what it needs); a pickle of ``(result, asked, left)`` on standard
output: what the pool gave or the exception it raised, the URLs the source was asked,
and the forked processes still there (not even a zombie) once the pool has ended and
the forked workers it did not take are closed."""

from __future__ import annotations

import os
import pickle
import sys

from verifier.run.pool import Forked

from .test_workers import TEST_WORKER, pool_run


def main() -> None:
    source, jobs, workers, forks = pickle.load(sys.stdin.buffer)
    result: object
    with Forked(TEST_WORKER, forks) as ready:
        if len(ready) != forks:
            raise SystemExit(f"{forks} worker(s) to fork, {len(ready)} forked")
        pids = ready.pids
        try:
            result = pool_run(source, jobs, workers, ready) if workers else ([], 0)
        except Exception as exc:
            result = exc
        if len(ready) != max(forks - workers, 0):
            raise SystemExit(f"a pool of {workers} left {len(ready)} of {forks} forked")
    sys.stdout.buffer.write(pickle.dumps((result, source.asked, [p for p in pids if _there(p)])))


def _there(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # a zombie (ended, not waited for) is still there
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    main()
