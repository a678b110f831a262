"""Runs jobs on workers forked from this process, as the command does
(``python -m tests.recheck.forked_run``, from ``tests.recheck.test_workers``): a pickle
of ``(source, jobs, workers, forks, fail)`` on standard input (``forks`` workers forked,
a pool of ``workers`` taking what it needs; ``fail``: the pool cannot set up a worker's
channel, as when Ctrl-C lands then); a pickle of ``(result, asked, left, leaked)`` on
standard output: what the pool gave or the exception it raised, the URLs the source was
asked, the forked processes still there (not even a zombie) once the pool has ended and
the forked workers it did not take are closed, and the file descriptors open then that
were not before the fork."""

from __future__ import annotations

import asyncio
import os
import pickle
import sys

from verifier.run.pool import Forked

from .test_workers import TEST_WORKER, pool_run


def main() -> None:
    source, jobs, workers, forks, fail = pickle.load(sys.stdin.buffer)
    before = set(os.listdir("/proc/self/fd"))
    result: object
    with Forked(TEST_WORKER, forks) as ready:
        if fail:  # here only: the workers forked have the real one
            asyncio.BaseEventLoop.connect_write_pipe = _refused  # type: ignore[method-assign]
        if len(ready) != forks:
            raise SystemExit(f"{forks} worker(s) to fork, {len(ready)} forked")
        pids = ready.pids
        try:
            result = pool_run(source, jobs, workers, ready) if workers else ([], 0)
        except Exception as exc:
            result = exc
        if len(ready) != max(forks - workers, 0):
            raise SystemExit(f"a pool of {workers} left {len(ready)} of {forks} forked")
    left = [p for p in pids if _there(p)]
    leaked = sorted(set(os.listdir("/proc/self/fd")) - before)
    sys.stdout.buffer.write(pickle.dumps((result, source.asked, left, leaked)))


async def _refused(*_args: object, **_kwargs: object) -> None:
    raise OSError("the channel cannot be set up (the test says so)")


def _there(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # a zombie (ended, not waited for) is still there
    except ProcessLookupError:
        return False
    return True


if __name__ == "__main__":
    main()
