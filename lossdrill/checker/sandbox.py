"""Run a learner's function in a separate worker process, with limits.

User code never runs in the CLI's own process. :class:`Sandbox` starts
``lossdrill/checker/worker.py`` as ``python -I -B worker.py`` in a temporary directory, in a
new session (so the worker and anything it starts can be killed as one process group), with
a sanitised environment and these limits:

- address space (``RLIMIT_AS``, ``memory_mb``): a huge allocation raises ``MemoryError`` in
  the worker, reported as status ``memory``;
- CPU time (``RLIMIT_CPU``): ``cpu_seconds`` per request (load or batch of calls), a
  backstop for when this process cannot enforce its deadlines;
- a wall-clock deadline per call, enforced here: on expiry the process group is killed;
- files the worker writes are capped at 64 MB (``RLIMIT_FSIZE``); no core files.

Whenever a worker is lost (timeout, crash, ``os._exit``, memory), a new one is started and
every loaded slot is loaded again, so the next call works. Return values cross back as safe
values only (numbers, numeric arrays, lists of numbers), read with a restricted unpickler:
no user-defined class is ever imported here. Not thread-safe: one sandbox per thread.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lossdrill.checker import reaper
from lossdrill.checker import worker as _worker_module
from lossdrill.checker.worker import (
    CALL_STATUSES,
    FRAME_HEADER,
    LOAD_STATUSES,
    MAX_FRAME_BYTES,
    MAX_INT_BITS,
    MAX_LIST_ITEMS,
    MAX_VALUE_BYTES,
    encode_frame,
    format_output,
)
from lossdrill.inert import inert

if TYPE_CHECKING:  # NumPy is imported lazily: the worker starts before it loads here
    import numpy as np

# One BLAS thread in this process too: a signal the worker sends can only be held back
# (see reaper.signals_blocked) when no thread of ours leaves it unblocked, and OpenBLAS
# starts its threads with the mask of the moment NumPy is imported.
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

WORKER_SCRIPT = os.path.abspath(_worker_module.__file__)
FILE_LIMIT_MB = 64
"""Cap on any file the worker writes (its captured fd 1/2 output included)."""
MAX_REQUEST_BYTES = 64 * 1024 * 1024
"""A batch of calls whose inputs pickle to more than this is sent in several requests."""
MAX_ANSWER_BYTES = 4 * MAX_VALUE_BYTES + (1 << 20)
"""An answer frame longer than this is forged (the worker never sends one): the call's verdict
is then a crash, and the parent never buffers more than this per answer."""
MAX_VALUE_NODES = 4 * MAX_LIST_ITEMS
"""Most list entries the parent walks in one answer (a forged DAG of shared lists stops here)."""
_DEADLINE_SLACK = 0.1
"""Seconds added to each call's deadline for the round trip and the copies of the inputs."""


class SandboxError(RuntimeError):
    """The worker could not be started or spoke nonsense: a fault of the machine, not the learner."""


@dataclass(frozen=True)
class LoadOutcome:
    """What loading a learner's module did."""

    status: str
    """``ok``, ``syntax-error``, ``missing-function``, ``exception``, ``timeout``, ``memory``
    or ``crash``."""
    message: str = ""
    """Plain words: ``line 3: invalid syntax``, ``no function named focal_loss``,
    ``NameError: name 'np' is not defined (line 5)``."""
    line: int | None = None
    """The line of the user's file the problem is on, when known."""
    output: str = ""
    """What the module printed while loading, truncated."""


@dataclass(frozen=True)
class CallOutcome:
    """What one call of the learner's function did."""

    status: str
    """``ok``, ``exception``, ``timeout``, ``memory``, ``crash`` or ``exit``."""
    value: object = None
    """Only when ok: a Python number, a NumPy numeric scalar or array, or a list of numbers
    (for a list or tuple return); None for any other return value."""
    value_type: str = ""
    """Type name of what the function returned: ``float``, ``float64``, ``ndarray``, ``list``,
    ``tuple``, ``NoneType``, ``str``, ``MyClass``..."""
    message: str = ""
    """Plain words: ``ZeroDivisionError: division by zero (line 4)``, ``called sys.exit(3)``,
    ``used more than 1024 MB``, ``did not return within 2.0 s``; for an ok call returning an
    unsupported type, a short repr of the value."""
    output: str = ""
    """Captured stdout and stderr of the call, truncated with a ``[... N more characters]`` note."""
    mutated: tuple[str, ...] = ()
    """Inputs the call modified in place: ``arg0``, ``arg1``... or the keyword name."""
    line: int | None = None
    """The line of the user's file where an exception, exit or memory error happened."""
    traceback: str = ""
    """For an exception: the traceback restricted to frames of the user's file."""
    seconds: float = 0.0
    """Wall-clock time of the call inside the worker (0 when the worker was lost)."""
    track: dict | None = None
    """Framework tracks only: what the call returned as a tensor (kind, dtype, device, shape)
    and the autodiff gradients (:mod:`lossdrill.checker.frameworks.runner`)."""


# -- the restricted unpickler ---------------------------------------------------------------


def _checked_dtype(dtype: object) -> np.dtype:
    import numpy as np

    if not isinstance(dtype, np.dtype) or dtype.kind not in "biufc" or dtype.hasobject:
        raise pickle.UnpicklingError(f"refused dtype {dtype!r}")
    return dtype


def _frombuffer(buffer, dtype, shape, order):
    from numpy._core.numeric import (  # type: ignore[attr-defined]  # private, not in the stubs
        _frombuffer as numpy_frombuffer,  # numpy >= 2
    )

    return numpy_frombuffer(buffer, _checked_dtype(dtype), shape, order)


def _frombuffer_v1(buffer, dtype, shape, order):
    from numpy.core.numeric import _frombuffer as numpy_frombuffer  # numpy 1.x

    return numpy_frombuffer(buffer, _checked_dtype(dtype), shape, order)


def _scalar(dtype, data=None):
    import numpy as np

    if not isinstance(data, bytes):
        raise pickle.UnpicklingError("refused scalar without raw data")
    return np.frombuffer(data, dtype=_checked_dtype(dtype), count=1)[0]


def _dtype(*args):
    import numpy as np

    return np.dtype(*args)


_ALLOWED_GLOBALS = {
    ("numpy", "dtype"): _dtype,
    ("numpy._core.numeric", "_frombuffer"): _frombuffer,
    ("numpy.core.numeric", "_frombuffer"): _frombuffer_v1,
    ("numpy._core.multiarray", "scalar"): _scalar,
    ("numpy.core.multiarray", "scalar"): _scalar,
    ("builtins", "complex"): complex,
}


class _SafeUnpickler(pickle.Unpickler):
    """Builds only plain containers, numbers, strings and numeric NumPy values.

    Anything else in a frame (a user-defined class, a function, an object array) is refused,
    so nothing the worker sends, however it was tampered with, can run code here.
    """

    def find_class(self, module: str, name: str):
        try:
            return _ALLOWED_GLOBALS[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refused global {module}.{name}") from None


def _loads(payload: bytes) -> object:
    import io

    return _SafeUnpickler(io.BytesIO(payload)).load()


def _is_safe_value(value: object) -> bool:
    """A number, a numeric NumPy value of bounded size, or nested lists of them.

    Walked without recursion and with a budget of :data:`MAX_VALUE_NODES` entries, so a
    forged frame of shared lists (2^39 leaves in a few hundred bytes) is refused at once.
    """
    import numpy as np

    budget = MAX_VALUE_NODES
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if item is None or kind in (bool, float, complex):
            continue
        if type(item) is int:
            if item.bit_length() > MAX_INT_BITS:
                return False
            continue
        if type(item) is np.ndarray or isinstance(item, np.generic):
            if (
                item.dtype.kind not in "biufc"
                or item.dtype.hasobject
                or item.nbytes > MAX_VALUE_BYTES
            ):
                return False
            continue
        if type(item) is list and depth < 40:
            budget -= len(item)
            if budget < 0:
                return False
            stack.extend((child, depth + 1) for child in item)
            continue
        return False
    return True


def _text(message: dict, key: str) -> str:
    value = message.get(key, "")
    return inert(value) if isinstance(value, str) else ""


def _line(message: dict) -> int | None:
    value = message.get("line")
    return value if type(value) is int else None


def _safe_track(track: object) -> dict | None:
    """A framework call's report: str keys; strings, numbers, numeric arrays or lists."""
    if track is None:
        return None
    if type(track) is not dict or not all(
        type(k) is str and (type(v) is str or _is_safe_value(v)) for k, v in track.items()
    ):
        raise _Corrupt()
    return track


def _call_outcome(message: dict) -> CallOutcome:
    status = message.get("status")
    value = message.get("value")
    mutated = message.get("mutated", [])
    seconds = message.get("seconds", 0.0)
    if (
        message.get("kind") != "call"
        or status not in CALL_STATUSES
        or not _is_safe_value(value)
        or not isinstance(mutated, list)
        or not all(isinstance(name, str) for name in mutated)
    ):
        raise _Corrupt()
    return CallOutcome(
        status=status,
        value=value if status == "ok" else None,
        value_type=_text(message, "value_type"),
        message=_text(message, "message"),
        output=_text(message, "output"),
        mutated=tuple(mutated),
        line=_line(message),
        traceback=_text(message, "traceback"),
        seconds=float(seconds) if type(seconds) is float else 0.0,
        track=_safe_track(message.get("track")),
    )


def _load_outcome(message: dict) -> LoadOutcome:
    status = message.get("status")
    if message.get("kind") != "load" or status not in LOAD_STATUSES:
        raise _Corrupt()
    return LoadOutcome(
        status=status,
        message=_text(message, "message"),
        line=_line(message),
        output=_text(message, "output"),
    )


# -- one worker process -----------------------------------------------------------------------


class _Deadline(Exception):
    """The worker did not answer in time."""


class _Lost(Exception):
    """The worker process ended (or its channel broke)."""


class _Corrupt(_Lost):
    """The worker sent something that is not a well-formed answer.

    Only user code can cause this (by writing to the channel's descriptor), so it is the
    call's verdict, not an error of the sandbox.
    """

    verdict = ("crash", "wrote into the checker's private channel")


def _worker_environment(workdir: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", os.defpath),
        "HOME": workdir,
        "TMPDIR": workdir,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "NUMEXPR_NUM_THREADS": "1",
        "VECLIB_MAXIMUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONIOENCODING": "utf-8",
        "PYTHONNOUSERSITE": "1",
    }


def _destroy(process: subprocess.Popen, workdir: str) -> None:
    """Kill the worker's process group, reap it, close its pipes and remove its directory.

    Then every process the learner's code started that outlived the worker (in a new
    session, after a double fork) is killed too: this process is a child subreaper, so
    such orphans become its children (see :func:`reaper.kill_orphans`).
    """
    if process.returncode is None:  # once reaped, the process group id may be reused
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(Exception):
        process.wait(timeout=5)
    reaper.worker_ended(process.pid)
    for stream in filter(None, (process.stdin, process.stdout)):
        with contextlib.suppress(Exception):
            stream.close()
    with contextlib.suppress(Exception):
        reaper.kill_orphans()
    shutil.rmtree(workdir, ignore_errors=True)


class _WorkerProcess:
    """One running worker and its channel."""

    def __init__(
        self,
        *,
        memory_mb: int,
        cpu_seconds: int,
        output_limit: int,
        framework: str = "numpy",
        cache_dir: str = "",
    ) -> None:
        reaper.become_subreaper()
        base = reaper.sandbox_base()
        reaper.remove_stale_folders(base)
        self.workdir = tempfile.mkdtemp(prefix=f"lossdrill-sandbox-{os.getpid()}-", dir=base)
        self.capture_path = os.path.join(self.workdir, ".output")
        self.confinement: dict = {}
        command = [
            sys.executable,
            "-I",
            "-B",
            WORKER_SCRIPT,
            f"--memory-mb={memory_mb}",
            f"--cpu-seconds={cpu_seconds}",
            f"--file-mb={FILE_LIMIT_MB}",
            f"--output-limit={output_limit}",
            f"--parent-pid={os.getpid()}",
            *[f"--forbid={path}" for path in reaper.forbidden_paths()],
            f"--framework={framework}",
            f"--cache-dir={cache_dir}",
        ]
        if os.environ.get(reaper.NO_LANDLOCK_ENV):
            command.append("--no-landlock")
        with open(self.capture_path, "a+b") as capture:  # the worker reads it back
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=capture,
                cwd=self.workdir,
                env=_worker_environment(self.workdir),
                start_new_session=True,
                close_fds=True,
                bufsize=0,
            )
        reaper.worker_started(self.process.pid)
        self._finalizer = weakref.finalize(self, _destroy, self.process, self.workdir)
        assert self.process.stdin is not None and self.process.stdout is not None  # both PIPE
        self._in = self.process.stdin.fileno()
        self._out = self.process.stdout.fileno()
        os.set_blocking(self._in, False)
        os.set_blocking(self._out, False)
        self._buffer = bytearray()
        self._readable = select.poll()
        self._readable.register(self._out, select.POLLIN)
        self._writable = select.poll()
        self._writable.register(self._in, select.POLLOUT)
        self.ready = False

    @property
    def alive(self) -> bool:
        return self._finalizer.alive and self.process.poll() is None

    def destroy(self) -> None:
        self._finalizer()

    def send(self, request: tuple, deadline: float) -> None:
        self.send_payload(pickle.dumps(request, protocol=5), deadline)

    def send_payload(self, payload: bytes, deadline: float) -> None:
        data = memoryview(encode_frame(payload))
        while data:
            try:
                written = os.write(self._in, data)
            except BlockingIOError:
                written = 0
            except (BrokenPipeError, OSError) as error:
                raise _Lost() from error
            data = data[written:]
            if data:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _Deadline()
                self._writable.poll(max(1, int(remaining * 1000) + 1))

    def receive(self, deadline: float) -> dict:
        """The next message, waiting at most until ``deadline`` (``time.monotonic``)."""
        while True:
            message = self._take_frame()
            if message is not None:
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Deadline()
            if not self._readable.poll(max(1, int(remaining * 1000) + 1)):
                continue
            try:
                chunk = os.read(self._out, 1 << 20)
            except BlockingIOError:
                continue
            except OSError as error:
                raise _Lost() from error
            if not chunk:
                raise _Lost()
            self._buffer += chunk

    def _take_frame(self) -> dict | None:
        if len(self._buffer) < FRAME_HEADER.size:
            return None
        (size,) = FRAME_HEADER.unpack_from(self._buffer)
        if size > MAX_ANSWER_BYTES:
            raise _Corrupt()
        end = FRAME_HEADER.size + size
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[FRAME_HEADER.size : end])
        del self._buffer[:end]
        try:
            message = _loads(payload)
        except Exception as error:
            raise _Corrupt() from error
        if not isinstance(message, dict):
            raise _Corrupt()
        if message.get("kind") == "error":
            raise SandboxError(f"the worker refused a request: {_text(message, 'message')}")
        return message

    def captured_output(self, limit: int) -> str:
        """What the (dead) worker wrote to fds 1 and 2 for the last request, truncated."""
        try:
            with open(self.capture_path, "rb") as capture:
                raw = capture.read(4 * limit)
                size = os.fstat(capture.fileno()).st_size
        except OSError:
            return ""
        return format_output(raw.decode("utf-8", errors="replace"), max(0, size - len(raw)), limit)

    def end_reason(self, cpu_seconds: int) -> tuple[str, str]:
        """``(status, message)`` for a worker that ended while running user code."""
        # The leader has exited (or closed the channel) but is not reaped yet, so the group
        # id is still ours: end anything the user code started, then collect the status.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "crash", "the process stopped answering"
        if code >= 0:
            return "exit", f"ended the process with exit code {code} (os._exit)"
        number = -code
        if number == signal.SIGXCPU:
            return "timeout", f"used more than {cpu_seconds} s of CPU time"
        try:
            name = signal.Signals(number).name
            description = signal.strsignal(number) or name
        except ValueError:
            name = description = f"signal {number}"
        return "crash", f"crashed the process ({description.lower()}, {name})"


# -- the sandbox --------------------------------------------------------------------------------


def _seconds(timeout: float) -> str:
    return repr(float(timeout))


class Sandbox:
    """Loads learners' (and mutants') functions into a worker process and calls them.

    ``with Sandbox() as sandbox: sandbox.load("submission", source, "focal_loss")`` then
    ``sandbox.call_many("submission", [(args, kwargs), ...])``.
    """

    def __init__(
        self,
        *,
        call_timeout: float = 2.0,
        memory_mb: int = 1024,
        cpu_seconds: int = 60,
        load_timeout: float = 5.0,
        startup_timeout: float = 30.0,
        output_limit: int = 2000,
        framework: str = "numpy",
        cache_dir: str = "",
    ) -> None:
        self.framework = framework
        """``numpy``, or ``torch``/``jax``: the worker imports it before its limits apply."""
        self.cache_dir = cache_dir
        """Where a framework may keep compiled code between checks (JAX's XLA cache)."""
        self.call_timeout = call_timeout
        self.memory_mb = memory_mb
        self.cpu_seconds = cpu_seconds
        self.load_timeout = load_timeout
        self.startup_timeout = startup_timeout
        self.output_limit = output_limit
        self._worker: _WorkerProcess | None = None
        self._slots: dict[str, tuple[str, str, str]] = {}
        self._lost_slots: dict[str, str] = {}
        self.restarts = 0
        """How many times a lost worker was replaced (for tests and benchmarks)."""

    # -- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - may run during interpreter shutdown
            pass

    @property
    def workdir(self) -> str | None:
        """The current worker's working directory (None before :meth:`start`)."""
        return self._worker.workdir if self._worker is not None else None

    @property
    def confinement(self) -> dict:
        """What the current worker reported in force: Landlock ABI, filesystem, signals..."""
        return dict(self._worker.confinement) if self._worker is not None else {}

    @property
    def worker_pid(self) -> int | None:
        return self._worker.process.pid if self._worker is not None else None

    def start(self) -> None:
        """Spawn the worker now, without waiting for it; it imports NumPy meanwhile."""
        if self._worker is None or not self._worker.alive:
            if self._worker is not None:
                self._worker.destroy()
            self._worker = _WorkerProcess(
                memory_mb=self.memory_mb,
                cpu_seconds=self.cpu_seconds,
                output_limit=self.output_limit,
                framework=self.framework,
                cache_dir=self.cache_dir,
            )

    def close(self) -> None:
        """Kill the worker and forget the loaded slots."""
        if self._worker is not None:
            self._worker.destroy()
            self._worker = None
        self._slots.clear()
        self._lost_slots.clear()

    def _verdict(self, worker: _WorkerProcess, lost: _Lost) -> tuple[str, str]:
        if isinstance(lost, _Corrupt):
            return lost.verdict
        return worker.end_reason(self.cpu_seconds)

    def _discard_worker(self) -> None:
        if self._worker is not None:
            self._worker.destroy()
            self._worker = None
            self.restarts += 1

    def _ready_worker(self) -> _WorkerProcess:
        """A worker that has finished starting, with every slot loaded."""
        while True:
            worker = self._worker
            if worker is not None and worker.ready and worker.alive:
                return worker
            self._start_and_wait()
            for slot, (source, function, filename) in list(self._slots.items()):
                outcome = self._load_into(slot, source, function, filename)
                if outcome.status != "ok":
                    # Loaded fine before, not now (the module is not deterministic).
                    del self._slots[slot]
                    self._lost_slots[slot] = outcome.message or outcome.status
                if self._worker is None:
                    break  # that reload lost the worker: start again with the others

    def _start_and_wait(self) -> None:
        """Start a worker if needed and wait until it has imported NumPy."""
        self.start()
        worker = self._worker
        assert worker is not None
        try:
            message = worker.receive(time.monotonic() + self.startup_timeout)
        except (_Deadline, _Lost) as error:
            output = worker.captured_output(4000)
            self._discard_worker()
            raise SandboxError(f"the checker's worker process did not start. {output}") from error
        except BaseException:
            self._discard_worker()
            raise
        if message.get("kind") != "ready":
            self._discard_worker()
            raise SandboxError("the worker did not announce itself")
        confinement = message.get("confinement")
        worker.confinement = confinement if isinstance(confinement, dict) else {}
        worker.ready = True

    # -- load -------------------------------------------------------------------------------

    def load(
        self, slot: str, source: str, function: str, filename: str = "solution.py"
    ) -> LoadOutcome:
        """Run ``source`` as a module in the worker and keep ``function`` as ``slot``."""
        self._ready_worker()
        self._slots.pop(slot, None)
        self._lost_slots.pop(slot, None)
        outcome = self._load_into(slot, source, function, filename)
        if outcome.status == "ok":
            self._slots[slot] = (source, function, filename)
        return outcome

    def _load_into(self, slot: str, source: str, function: str, filename: str) -> LoadOutcome:
        worker = self._worker
        assert worker is not None and worker.ready
        deadline = time.monotonic() + self.load_timeout
        try:
            with reaper.signals_blocked(not worker.confinement.get("signals")):
                worker.send(("load", slot, source, function, filename), deadline)
                outcome = _load_outcome(worker.receive(deadline))
            if outcome.status == "memory":
                self._discard_worker()  # don't keep a worker that ran out of memory
            return outcome
        except _Deadline:
            output = worker.captured_output(self.output_limit)
            self._discard_worker()
            return LoadOutcome(
                "timeout",
                f"the module did not finish loading within {_seconds(self.load_timeout)} s",
                output=output,
            )
        except _Lost as lost:
            status, message = self._verdict(worker, lost)
            output = worker.captured_output(self.output_limit)
            self._discard_worker()
            if status == "exit":
                status = "crash"
            return LoadOutcome(status, f"while loading: {message}", output=output)
        except BaseException:
            self._discard_worker()
            raise

    # -- calls ------------------------------------------------------------------------------

    def call(
        self, slot: str, args: tuple, kwargs: dict, timeout: float | None = None
    ) -> CallOutcome:
        """Call the function loaded as ``slot`` once."""
        return self.call_many(slot, [(args, kwargs)], timeout)[0]

    def call_many(
        self, slot: str, calls: list[tuple[tuple, dict]], timeout: float | None = None
    ) -> list[CallOutcome]:
        """Call the function loaded as ``slot`` on every ``(args, kwargs)``, in one round trip.

        Each call has its own deadline (``timeout``, default ``call_timeout``). A call that
        times out, crashes, exits the process or runs out of memory is marked so; the worker
        is replaced, slots are loaded again, and the remaining calls go on.
        """
        if slot not in self._slots and slot not in self._lost_slots:
            raise KeyError(f"nothing is loaded as {slot!r}")
        limit = self.call_timeout if timeout is None else timeout
        results: list[CallOutcome] = []
        calls = [(tuple(args), dict(kwargs)) for args, kwargs in calls]
        while len(results) < len(calls):
            self._ready_worker()
            if slot in self._lost_slots:
                message = f"could not be loaded again after a restart: {self._lost_slots[slot]}"
                results += [CallOutcome("crash", message=message)] * (len(calls) - len(results))
                break
            results += self._run_batch(slot, calls[len(results) :], limit)
        return results

    def _run_batch(self, slot: str, calls: list, limit: float) -> list[CallOutcome]:
        """Outcomes of ``calls`` up to and including the first one that loses the worker."""
        worker = self._worker
        assert worker is not None
        payload = pickle.dumps(("calls", slot, calls), protocol=5)
        while len(payload) > MAX_REQUEST_BYTES and len(calls) > 1:
            calls = calls[: len(calls) // 2]  # the caller's loop sends the rest next
            payload = pickle.dumps(("calls", slot, calls), protocol=5)
        if len(payload) > MAX_FRAME_BYTES:
            raise SandboxError(f"the inputs of one call take {len(payload) >> 20} MB: too large")
        outcomes: list[CallOutcome] = []
        try:
            with reaper.signals_blocked(not worker.confinement.get("signals")):
                worker.send_payload(payload, time.monotonic() + self.startup_timeout)
                while len(outcomes) < len(calls):
                    deadline = time.monotonic() + limit + _DEADLINE_SLACK
                    outcome = _call_outcome(worker.receive(deadline))
                    outcomes.append(outcome)
                    if outcome.status == "memory":
                        # The worker survived the MemoryError, but what the function left
                        # behind could starve the next calls (and the mutants sharing it).
                        self._discard_worker()
                        break
        except _Deadline:
            outcomes.append(
                CallOutcome(
                    "timeout",
                    message=f"did not return within {_seconds(limit)} s",
                    output=worker.captured_output(self.output_limit),
                )
            )
            self._discard_worker()
        except _Lost as lost:
            status, message = self._verdict(worker, lost)
            output = worker.captured_output(self.output_limit)
            outcomes.append(CallOutcome(status, message=message, output=output))
            self._discard_worker()
        except BaseException:
            self._discard_worker()
            raise
        return outcomes


_early: Sandbox | None = None


def start_early(**options: object) -> None:
    """Spawn a worker at once, before the CLI has even parsed its options.

    The worker's NumPy import is the slowest part of a check; started here, it overlaps
    with Typer, option parsing and the checker's own imports. :func:`take` hands it out.
    ``options`` are :class:`Sandbox` keywords (a framework track's worker).
    """
    global _early
    if _early is None:
        _early = Sandbox(**options)  # type: ignore[arg-type]
        _early.start()


def take(**options: object) -> Sandbox:
    """The early worker if it was made with ``options`` (else a freshly started one)."""
    global _early
    box, _early = _early, None
    if box is not None and box.framework != options.get("framework", "numpy"):
        box.close()
        box = None
    if box is None:
        box = Sandbox(**options)  # type: ignore[arg-type]
    box.start()
    return box
