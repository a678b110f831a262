"""Worker processes for a batch of runs: each page fetched once, by the parent; the
pages read and the runs judged in the workers, on every core.

A renewal re-check of hundreds of partners is bound by CPU, not by latency, in one
Python process: reading pages, the checks and writing the bundles hold the interpreter
about 0.2 s a partner. A :class:`WorkerPool` spreads whole jobs (one partner each) over
worker processes, while the parent keeps what must be one for the whole batch: its one
:class:`~verifier.fetch.FetchCache` over the web, hence one request per URL, per-host
concurrency and delay, robots.txt and the baseline's validators holding across every
worker. A worker asks the parent for a page (:class:`RemoteSource`), and reads what it is
handed exactly as the live source reads a page it fetched
(:func:`~verifier.fetch.client.read_fetched`, within the same parse time-out and tag
cap), so a page reaches the checks of a worker as it reaches them in one process.

The channel is the worker's standard input (parent to worker) and output (worker to
parent): frames of a 4-byte big-endian length and a pickle, exchanged only between these
two processes of one run. A worker moves its file descriptor 1 to standard error before
anything else runs, so that a plugin printing cannot break the channel, and ignores
Ctrl-C: the parent stops it, by closing its input. A worker whose input closes (the run
ends, is interrupted, or its parent was killed) cancels its jobs, which remove what they
had half written, and exits.

Messages, parent to worker: ``("init", payload)`` first, then ``("job", n, job, gated)``,
``("go", n)``, ``("page", n, page, side)``, ``("fault", n, fault, side)`` and
``("bug", n, text)``; worker to parent: ``("ready", n, urls)`` (job ``n`` waits at its
gate: a re-check's partner has read its submission, or wants its place back, and waits
for it among those checked at once; a job not ``gated`` passes every gate without
asking), ``("get", n, url)``, ``("milestone", n)`` (job ``n`` has reached a point its
caller waits for: a re-check's partner gives its place up, its checks only waiting for
shared pages, or ended), ``("done", n, result, hits)`` and
``("bug", n, text)``. ``side`` carries the pages the
parent's source fetched for itself (robots.txt) that the worker has not been given yet:
each worker's bundles record those its runs relied on, as in one process.
A page is sent as its class and its fields, so that a page answered 304 (a
:class:`~verifier.fetch.conditional.RevalidatedPage`) is one in the worker too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import importlib
import itertools
import os
import pickle
import signal
import struct
import sys
import threading
import time
import traceback
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from verifier import errors
from verifier.errors import FetchError
from verifier.fetch import FetchCache, FetchSettings
from verifier.fetch.client import read_fetched
from verifier.fetch.page import Page

_HEADER = struct.Struct(">I")
STOP_SECONDS = 10.0
"""How long a worker is given to stop (cancel its jobs, remove their partial output)
once its input is closed, before it is killed."""


class WorkerFailed(RuntimeError):
    """A worker process ended without finishing its jobs, or a job raised in it (a bug:
    the run stops, exit 4)."""


# ---------------------------------------------------------------- frames
def _frame(message: tuple[Any, ...]) -> bytes:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(data)) + data


async def _receive(reader: asyncio.StreamReader) -> tuple[Any, ...] | None:
    """The next message, or ``None`` when the other end has closed the channel."""
    try:
        head = await reader.readexactly(_HEADER.size)
        data = await reader.readexactly(_HEADER.unpack(head)[0])
    except asyncio.IncompleteReadError:
        return None
    message: tuple[Any, ...] = pickle.loads(data)
    return message


def page_wire(page: Page) -> dict[str, Any]:
    """What is sent of a page: its fields as fetched, nothing read from them."""
    return {f.name: getattr(page, f.name) for f in dataclasses.fields(page)}


def _page_sent(page: Page) -> tuple[type[Page], dict[str, Any]]:
    # Its class too: a page answered 304 is a RevalidatedPage, whose own field and
    # evidence ("unchanged since ... (HTTP 304)") a plain Page has not.
    return type(page), page_wire(page)


def _page_received(sent: Sequence[Any]) -> Page:
    """The page :func:`_page_sent` sent."""
    kind, fields = sent
    if not (isinstance(kind, type) and issubclass(kind, Page)):
        raise WorkerFailed(f"the parent process sent no page but {kind!r}")
    page: Page = kind(**fields)
    return page


@functools.cache
def _fault_types() -> dict[str, type[FetchError]]:
    found: dict[str, type[FetchError]] = {}
    todo: list[type[FetchError]] = [FetchError]
    while todo:
        kind = todo.pop()
        if kind.__module__ == errors.__name__:
            found[kind.__name__] = kind
        todo.extend(kind.__subclasses__())
    return found


def fault_wire(exc: FetchError) -> tuple[str, str, str, int, list[Any], list[Any]]:
    """What is sent of a fetch error: its kind and every field its evidence records."""
    kind = type(exc).__name__ if type(exc).__module__ == errors.__name__ else "FetchError"
    return kind, exc.url, exc.reason, exc.attempts, exc.history, exc.hops


def fault_from_wire(wire: Sequence[Any]) -> FetchError:
    """The fetch error :func:`fault_wire` sent."""
    kind, url, reason, attempts, history, hops = wire
    return _fault_types().get(kind, FetchError)(
        url, reason, attempts=attempts, history=history, hops=hops
    )


# ---------------------------------------------------------------- the parent
@dataclass
class _Worker:
    process: asyncio.subprocess.Process | _ForkedProcess
    jobs: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    milestones: dict[int, Callable[[], None]] = field(default_factory=dict)
    gates: dict[int, asyncio.Future[list[str]]] = field(default_factory=dict)
    side_sent: int = 0
    listening: asyncio.Task[None] | None = None


class WorkerPool:
    """``count`` worker processes running ``python -m module``, each set up with
    ``payload``, served pages from ``cache``; :meth:`run` hands one job to the least busy.
    ``module`` defines ``setup`` (a :data:`Setup`) and, run as ``__main__``, calls
    :func:`worker_main` with it. The workers ``forked`` holds (:class:`Forked`, made
    before the event loop ran) are taken first: they run ``module`` without starting an
    interpreter and importing it again.

    Use as an async context manager: on leaving it, every worker's input is closed and
    the worker awaited (killed after :data:`STOP_SECONDS`), whatever happened.
    """

    def __init__(
        self,
        cache: FetchCache,
        module: str,
        payload: object,
        count: int,
        forked: Forked | None = None,
    ) -> None:
        self.cache = cache
        self.module = module
        self.payload = payload
        self.count = count
        self._forked = forked
        self.hits = 0
        """Asks the workers' own caches answered (summed from their reports)."""
        self._workers: list[_Worker] = []
        self._serving: set[asyncio.Task[None]] = set()
        self._numbers = itertools.count(1)

    async def __aenter__(self) -> WorkerPool:
        try:
            for _ in range(self.count):
                await self._start()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _start(self) -> None:
        ready = None if self._forked is None else self._forked.take(self.module)
        process: asyncio.subprocess.Process | _ForkedProcess
        if ready is not None:
            process = await _ForkedProcess.adopt(ready)
        else:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-P",  # not the working folder first on the path: a stray verifier/ or yaml.py
                "-m",
                self.module,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                env=_child_env(),
            )
        worker = _Worker(process)
        self._workers.append(worker)
        self._send(worker, ("init", self.payload))
        worker.listening = asyncio.create_task(self._listen(worker))

    def _send(self, worker: _Worker, message: tuple[Any, ...]) -> None:
        stdin = worker.process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.write(_frame(message))

    async def run(
        self,
        job: object,
        milestone: Callable[[], None] | None = None,
        gate: Callable[[Sequence[str]], Awaitable[None]] | None = None,
    ) -> Any:
        """Run ``job`` in the least busy worker; its result, or :class:`WorkerFailed`.
        ``milestone`` is called each time the job says it has reached its milestone (the
        worker's job calls the ``milestone`` it is given; see :data:`Job`). With a
        ``gate``, each time the job's ``begin(urls)`` asks (the first time after what it
        does first, such as reading its inputs; again after a milestone), it waits in the
        worker until ``gate(urls)`` has returned here (a job that ends meanwhile gives the
        gate up). Without a gate, ``begin`` returns at once."""
        worker = min(self._workers, key=lambda w: len(w.jobs))
        if worker.listening is None or worker.listening.done():
            raise WorkerFailed(f"worker process {worker.process.pid} has ended")
        number = next(self._numbers)
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Any] = loop.create_future()
        worker.jobs[number] = done
        if milestone is not None:
            worker.milestones[number] = milestone
        self._send(worker, ("job", number, job, gate is not None))
        try:
            while gate is not None:
                ready = worker.gates[number] = loop.create_future()
                # In this task, so that cancelling the run cancels a wait for the gate too.
                await asyncio.wait((done, ready), return_when=asyncio.FIRST_COMPLETED)
                if done.done() or not ready.done():
                    break
                # A job that ends meanwhile (its wait cancelled in the worker) no longer
                # wants the place: the gate is given up, not passed for nobody.
                passing = asyncio.ensure_future(gate(ready.result()))
                try:
                    await asyncio.wait((done, passing), return_when=asyncio.FIRST_COMPLETED)
                finally:
                    if not passing.done():
                        passing.cancel()
                    await asyncio.gather(passing, return_exceptions=True)
                if passing.cancelled():
                    break
                passing.result()  # a fault of the gate is the run's
                self._send(worker, ("go", number))
            return await done
        finally:
            worker.jobs.pop(number, None)
            worker.milestones.pop(number, None)
            worker.gates.pop(number, None)

    async def _listen(self, worker: _Worker) -> None:
        stdout = worker.process.stdout
        assert stdout is not None  # started with a pipe
        while (message := await _receive(stdout)) is not None:
            kind, number = message[0], message[1]
            if kind == "get":
                task = asyncio.create_task(self._serve(worker, number, message[2]))
                self._serving.add(task)
                task.add_done_callback(self._serving.discard)
                continue
            if kind == "milestone":
                reached = worker.milestones.get(number)
                if reached is not None:
                    reached()
                continue
            if kind == "ready":
                waiting = worker.gates.pop(number, None)
                if waiting is not None and not waiting.done():
                    waiting.set_result(message[2])
                continue
            done = worker.jobs.get(number)
            if done is None or done.done():
                continue
            if kind == "done":
                self.hits += message[3]
                done.set_result(message[2])
            else:
                failed = f"internal error in a worker process:\n{message[2]}"
                done.set_exception(WorkerFailed(failed))
        code = await worker.process.wait()
        for done in worker.jobs.values():
            if not done.done():
                done.set_exception(
                    WorkerFailed(f"worker process {worker.process.pid} ended (exit code {code})")
                )

    async def _serve(self, worker: _Worker, number: int, url: str) -> None:
        reply: tuple[Any, ...]
        try:
            # The worker asks for all its jobs (its own cache asks each URL once): a host
            # both workers asked is one their partners share.
            page = await self.cache.get(url, asker=worker.process.pid)
        except FetchError as exc:
            # With when it failed: each bundle records the one real time of the fault.
            reply = ("fault", number, (fault_wire(exc), self.cache.failed_at(url)))
        except Exception:  # a bug of the fetch layer: the check that asked reports it
            reply = ("bug", number, traceback.format_exc())
        else:
            reply = ("page", number, _page_sent(page))
        side = self.cache.side_pages[worker.side_sent :]
        worker.side_sent += len(side)
        self._send(worker, (*reply, [(purpose, _page_sent(p)) for purpose, p in side]))
        stdin = worker.process.stdin
        if stdin is not None and not stdin.is_closing():
            with contextlib.suppress(ConnectionError):  # gone: its listener reports it
                await stdin.drain()

    async def aclose(self) -> None:
        """Close every worker's input and wait for it to stop (kill it after
        :data:`STOP_SECONDS`)."""
        for worker in self._workers:
            stdin = worker.process.stdin
            if stdin is not None and not stdin.is_closing():
                stdin.close()
        for worker in self._workers:
            try:
                await asyncio.wait_for(asyncio.shield(worker.process.wait()), STOP_SECONDS)
            except TimeoutError:
                worker.process.kill()
                await worker.process.wait()
            if worker.listening is not None:
                await asyncio.gather(worker.listening, return_exceptions=True)
        for task in list(self._serving):
            task.cancel()
        await asyncio.gather(*self._serving, return_exceptions=True)


def _child_env() -> dict[str, str]:
    """The environment of a worker: this one, with this process's module path as its
    ``PYTHONPATH``, in the same order, so that the worker imports the very modules the
    command did (a checkout run from its folder, a development copy on ``PYTHONPATH``
    before an installed one, plugins loaded from the path) and nothing else first: the
    worker runs with ``-P``, so its working folder is not put before them."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return env


# ---------------------------------------------------------------- forked workers
@dataclass(frozen=True)
class _Ready:
    """A worker forked by :class:`Forked`, not yet taken by a pool."""

    module: str
    pid: int
    pidfd: int
    """Waits for the process and signals it: never another one that got its id since."""
    to_worker: int
    """The write end of the worker's input."""
    from_worker: int
    """The read end of its output."""


class Forked:
    """``count`` worker processes of ``module`` forked from this one before its event loop
    runs, for a :class:`WorkerPool` to take (:meth:`take`) instead of starting a new
    interpreter for each.

    A forked worker starts with every module this process has imported (the command, its
    plugins): about 0.6-0.9 s sooner than an interpreter importing them again, measured
    with ``python -m bench recheck``. Workers are forked only where that is safe: on
    Linux (a pidfd waits for the process, and signals it, without racing the reuse of its
    id), in the main thread of a process with no other thread and no event loop running
    (a lock another thread held at the fork would stay held in the worker), and where
    SIGCHLD is not ignored (the system would then take the workers' exit codes before
    this process could wait for them); elsewhere none are, and the pool starts
    interpreters as ever.

    Use as a context manager: on leaving it, the workers no pool took are stopped (their
    input closed, killed after :data:`STOP_SECONDS`) and waited for; :meth:`close` does
    it sooner.
    """

    def __init__(self, module: str, count: int) -> None:
        self._ready: list[_Ready] = []
        if count < 1 or not _may_fork():
            return
        setup: Setup = importlib.import_module(module).setup  # imported once, here
        if not _may_fork():  # the import started a thread
            return
        sys.stdout.flush()  # or each worker would write what is buffered again
        sys.stderr.flush()
        # Ctrl-C is held back until every worker forked is recorded here (and ignored in
        # the workers: the parent stops them), so that none is left that nobody waits for.
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(count):
                self._ready.append(_fork(module, setup, self._ready, mask))
        except BaseException:
            self.close()
            raise
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._ready)

    @property
    def pids(self) -> tuple[int, ...]:
        """The process ids of the workers not taken yet."""
        return tuple(ready.pid for ready in self._ready)

    def take(self, module: str) -> _Ready | None:
        """A worker of ``module`` not taken yet, or ``None``. The taker owns it: its
        pipes, its pidfd, and waiting for it (:meth:`_ForkedProcess.adopt` does)."""
        for n, ready in enumerate(self._ready):
            if ready.module == module:
                return self._ready.pop(n)
        return None

    def close(self) -> None:
        """Stop the workers not taken and wait for them."""
        left, self._ready = self._ready, []
        for ready in left:
            os.close(ready.to_worker)  # the worker sees its input end, and exits
            os.close(ready.from_worker)
        _reap(left)


def _reap(ended: Sequence[_Ready]) -> None:
    """Wait for workers whose input is closed (they exit), killing any still there after
    :data:`STOP_SECONDS`; close their pidfds."""
    deadline = time.monotonic() + STOP_SECONDS
    for ready in ended:
        try:
            while os.waitpid(ready.pid, os.WNOHANG) == (0, 0):
                if time.monotonic() > deadline:
                    _kill(ready.pidfd)
                    os.waitpid(ready.pid, 0)
                    break
                time.sleep(0.01)
        except ChildProcessError:
            pass  # waited for already (SIGCHLD ignored since the fork)
        finally:
            os.close(ready.pidfd)


def _kill(pidfd: int) -> None:
    """SIGKILL the process of ``pidfd``, unless it has ended."""
    with contextlib.suppress(ProcessLookupError):
        signal.pidfd_send_signal(pidfd, signal.SIGKILL)


def _may_fork() -> bool:
    """Whether :class:`Forked` may fork here (see its docstring)."""
    if threading.active_count() != 1 or threading.current_thread() is not threading.main_thread():
        return False
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        return False
    if signal.getsignal(signal.SIGCHLD) == signal.SIG_IGN:
        return False
    try:
        os.close(os.pidfd_open(os.getpid()))
    except (AttributeError, OSError):  # not Linux, or a kernel before 5.3
        return False
    return hasattr(signal, "pidfd_send_signal")


def _fork(module: str, setup: Setup, earlier: Sequence[_Ready], mask: Iterable[int]) -> _Ready:
    """Fork one worker running ``setup``; the ends of the pipes of the ``earlier`` ones
    are closed in it, so that each worker's input ends when this process closes it. The
    worker ignores Ctrl-C, then takes the signal ``mask`` this process had."""
    to_read, to_write = os.pipe()
    from_read, from_write = os.pipe()
    try:
        pid = os.fork()
    except BaseException:
        for fd in (to_read, to_write, from_read, from_write):
            os.close(fd)
        raise
    if pid == 0:  # the worker: its channel on fds 0 and 1, as a started one has it
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.dup2(to_read, 0)
            os.dup2(from_write, 1)
            for fd in (to_read, to_write, from_read, from_write):
                os.close(fd)
            for other in earlier:
                for fd in (other.pidfd, other.to_worker, other.from_worker):
                    os.close(fd)
            worker_main(setup)  # ends the process
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(1)
    os.close(to_read)
    os.close(from_write)
    try:
        pidfd = os.pidfd_open(pid)
    except BaseException:
        os.close(to_write)  # the worker sees its input end, and exits
        os.close(from_read)
        os.waitpid(pid, 0)
        raise
    return _Ready(module, pid, pidfd, to_write, from_read)


class _ForkedProcess:
    """A forked worker taken by a pool, as the pool uses a started process: its input
    (``stdin``) and output (``stdout``) streams, :meth:`wait` and :meth:`kill`."""

    def __init__(
        self,
        ready: _Ready,
        stdin: asyncio.StreamWriter,
        stdout: asyncio.StreamReader,
        exited: asyncio.Future[int],
    ) -> None:
        self.pid = ready.pid
        self.stdin = stdin
        self.stdout = stdout
        self._pidfd = ready.pidfd
        self._exited = exited

    @classmethod
    async def adopt(cls, ready: _Ready) -> _ForkedProcess:
        """The running loop's streams and wait for ``ready``; a worker that cannot be
        adopted (cancelled meanwhile: Ctrl-C) is stopped and waited for."""
        try:
            stdout, stdin = await _pipe_streams(ready.from_worker, ready.to_worker)
        except BaseException:
            _reap([ready])  # its pipes are closed: it exits
            raise
        loop = asyncio.get_running_loop()
        exited: asyncio.Future[int] = loop.create_future()

        def reap() -> None:  # the pidfd is readable: the process has ended
            loop.remove_reader(ready.pidfd)
            try:
                _, status = os.waitpid(ready.pid, 0)
                code = os.waitstatus_to_exitcode(status)
            except ChildProcessError:  # waited for already (SIGCHLD ignored since the fork)
                code = 255
            os.close(ready.pidfd)
            if not exited.done():
                exited.set_result(code)

        loop.add_reader(ready.pidfd, reap)
        return cls(ready, stdin, stdout, exited)

    async def wait(self) -> int:
        """The exit code, once the process has ended (a signal's: its negative)."""
        return await asyncio.shield(self._exited)

    def kill(self) -> None:
        """SIGKILL, unless the process has ended and been waited for."""
        if not self._exited.done():
            _kill(self._pidfd)


async def _pipe_streams(
    fd_in: int, fd_out: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Streams reading the pipe end ``fd_in`` and writing ``fd_out``, both then theirs
    (both closed if this fails, or is cancelled)."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**16)
    read_end = os.fdopen(fd_in, "rb", buffering=0)
    write_end = os.fdopen(fd_out, "wb", buffering=0)
    reading: asyncio.BaseTransport | None = None
    try:
        reading, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), read_end
        )
        transport, protocol = await loop.connect_write_pipe(
            lambda: asyncio.streams.FlowControlMixin(loop), write_end
        )
    except BaseException:
        if reading is not None:
            reading.close()
        read_end.close()  # (a file closed twice is closed once)
        write_end.close()
        raise
    return reader, asyncio.StreamWriter(transport, protocol, reader, loop)


# ---------------------------------------------------------------- the worker
class Channel:
    """The worker's end of the channel: asks for pages, matches the answers."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.pending: dict[int, asyncio.Future[tuple[Any, ...]]] = {}
        self._numbers = itertools.count(1)

    async def send(self, message: tuple[Any, ...]) -> None:
        self.writer.write(_frame(message))
        await self.writer.drain()

    async def ask(self, url: str) -> tuple[Any, ...]:
        number = next(self._numbers)
        answer: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()
        self.pending[number] = answer
        try:
            await self.send(("get", number, url))
            return await answer
        finally:
            self.pending.pop(number, None)

    def answered(self, message: tuple[Any, ...]) -> None:
        answer = self.pending.get(message[1])
        if answer is not None and not answer.done():
            answer.set_result(message)


class RemoteSource:
    """A worker's :class:`~verifier.fetch.fetcher.PageSource`: pages fetched by the
    parent, read here as the live source reads them (``settings``' parse time-out and
    tag cap). Its :attr:`side_pages` are the parent's, as they arrive."""

    def __init__(self, link: Channel, settings: FetchSettings) -> None:
        self._link = link
        self.settings = settings
        self.side_pages: list[tuple[str, Page]] = []
        """(purpose, page) the parent's source fetched for itself (robots.txt)."""
        self._fault_times: dict[str, str] = {}

    async def get(self, url: str) -> Page:
        """The page at ``url``, from the parent; raises its fetch error."""
        kind, _number, wire, side = await self._link.ask(url)
        self.side_pages.extend((purpose, _page_received(page)) for purpose, page in side)
        if kind == "fault":
            fault, self._fault_times[url] = wire
            raise fault_from_wire(fault)
        if kind == "bug":
            raise WorkerFailed(f"internal error fetching {url} in the parent process:\n{wire}")
        return await read_fetched(_page_received(wire), self.settings)

    def fault_time(self, url: str) -> str | None:
        """When the parent's fetch of ``url`` failed (as evidence times are written), for
        :class:`~verifier.fetch.FetchCache` to record instead of the time it heard."""
        return self._fault_times.get(url)

    async def aclose(self) -> None:
        """Nothing to release: the parent owns the connections."""


Job = Callable[
    [Any, Callable[[], None], Callable[[Sequence[str]], Awaitable[None]]],
    Awaitable[tuple[Any, int]],
]
"""What a worker runs for each job, given the job, a callable to call when the job
reaches its milestone (the parent then calls the ``milestone`` given to
:meth:`WorkerPool.run`) and ``begin``, to await before the part of the job the parent
gates (it returns once the ``gate`` given to :meth:`WorkerPool.run` has): its result, and
how many asks its cache answered since the last job reported (for the run's progress)."""
Setup = Callable[[Any, Channel], Awaitable[Job]]
"""Makes a worker's :data:`Job` from the pool's payload and the worker's channel (which
a :class:`RemoteSource` is made on)."""


def worker_main(setup: Setup) -> None:
    """The body of a worker process (``python -m module``, the module calling this):
    serve jobs until the parent closes the channel, then exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its workers
    # The channel is fds 0 and 1 as the parent made them; anything printed goes to stderr.
    channel_in, channel_out = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    code = 0
    try:
        asyncio.run(_serve(setup, channel_in, channel_out))
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stderr.flush()
    # Not sys.exit: a page reader thread still reading must not hold the process.
    os._exit(code)


async def _serve(setup: Setup, fd_in: int, fd_out: int) -> None:
    loop = asyncio.get_running_loop()
    reader, writer = await _pipe_streams(fd_in, fd_out)
    link = Channel(writer)
    first = await _receive(reader)
    if first is None or first[0] != "init":
        return
    job = await setup(first[1], link)
    running: set[asyncio.Task[None]] = set()
    gates: dict[int, asyncio.Future[None]] = {}

    async def one(number: int, work: object, gated: bool) -> None:
        holds = not gated  # the job's place, as the parent's gate gave it

        def milestone() -> None:
            nonlocal holds
            holds = not gated  # a gated job gives its place up: it asks again at begin
            link.writer.write(_frame(("milestone", number)))

        async def begin(urls: Sequence[str]) -> None:
            nonlocal holds
            if holds:
                return
            waiting = gates[number] = loop.create_future()
            await link.send(("ready", number, list(urls)))
            await waiting
            holds = True

        try:
            result, hits = await job(work, milestone, begin)
        except Exception:
            answer: tuple[Any, ...] = ("bug", number, traceback.format_exc())
        else:
            answer = ("done", number, result, hits)
        finally:
            gates.pop(number, None)
        with contextlib.suppress(ConnectionError):  # the parent has gone: nobody to tell
            await link.send(answer)

    try:
        while (message := await _receive(reader)) is not None:
            if message[0] == "job":
                task = asyncio.create_task(one(*message[1:4]))
                running.add(task)
                task.add_done_callback(running.discard)
            elif message[0] == "go":
                if (waiting := gates.get(message[1])) is not None and not waiting.done():
                    waiting.set_result(None)
                else:  # nobody waits for it any more (the wait was cancelled): given back
                    link.writer.write(_frame(("milestone", message[1])))
            else:
                link.answered(message)
    finally:
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
