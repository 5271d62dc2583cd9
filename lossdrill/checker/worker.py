"""The worker process that runs a learner's code on behalf of :mod:`lossdrill.checker.sandbox`.

The sandbox starts this file as a script (``python -I -B worker.py ...``) in a temporary
directory, in its own session, and talks to it through length-prefixed pickle frames:

- parent -> worker on the worker's stdin: ``("load", slot, source, function, filename)``,
  ``("calls", slot, [(args, kwargs), ...])`` and ``("exit",)``;
- worker -> parent on the worker's stdout: one dict per answer, ``kind`` = ``"ready"``,
  ``"load"``, ``"call"`` (one per call of a batch, streamed as each call ends) or ``"error"``.

Before running anything the worker moves the channel to duplicated descriptors and points
fd 0 at ``/dev/null`` and fds 1 and 2 at a capture file, so neither ``print`` nor
``os.write(1, ...)`` in user code can corrupt the channel. Python-level output is kept in a
bounded buffer per call. Return values are reduced to *safe* values (numbers, numeric
arrays, lists of numbers) so that the parent never has to unpickle a user-defined class.

Only the standard library and NumPy are imported here: this module is also imported by
the parent for the framing helpers, and the worker must start fast.
"""

from __future__ import annotations

import os
import struct
from typing import Any

FRAME_HEADER = struct.Struct("!Q")
"""Every frame is an 8-byte big-endian length followed by that many bytes of pickle."""
MAX_FRAME_BYTES = 256 * 1024 * 1024
"""Frames longer than this are a protocol error."""
MAX_VALUE_BYTES = 1024 * 1024
"""A returned array larger than this is reported by type and shape only (every expected
value is a few kilobytes at most; the parent keeps every case's value)."""
MAX_LIST_ITEMS = 50_000
"""A returned list with more numbers than this is reported by type only."""
MAX_INT_BITS = 1024
"""A returned Python int beyond float range is reported by type only."""
CALL_STATUSES = ("ok", "exception", "timeout", "memory", "crash", "exit")
LOAD_STATUSES = (
    "ok",
    "syntax-error",
    "missing-function",
    "exception",
    "timeout",
    "memory",
    "crash",
)


def encode_frame(payload: bytes) -> bytes:
    """Prefix ``payload`` with its length."""
    return FRAME_HEADER.pack(len(payload)) + payload


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, size: int) -> bytes | None:
    """``size`` bytes from ``fd``, or None at end of file."""
    chunks = []
    remaining = size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_frame(fd: int) -> bytes | None:
    header = _read_exact(fd, FRAME_HEADER.size)
    if header is None:
        return None
    (size,) = FRAME_HEADER.unpack(header)
    if size > MAX_FRAME_BYTES:
        raise ValueError(f"frame of {size} bytes is too large")
    return _read_exact(fd, size)


def format_output(text: str, dropped: int, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with a note of how many characters were left out."""
    if len(text) > limit:
        dropped += len(text) - limit
        text = text[:limit]
    if dropped:
        return f"{text}\n[... {dropped} more characters]"
    return text


def main(argv: list[str] | None = None) -> int:
    """Run the worker loop until the parent says ``exit`` or closes the channel."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="lossdrill-worker")
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=int, required=True)
    parser.add_argument("--file-mb", type=int, required=True)
    parser.add_argument("--output-limit", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--forbid", action="append", default=[])
    parser.add_argument("--no-landlock", action="store_true")
    parser.add_argument("--framework", default="numpy")
    parser.add_argument("--cache-dir", default="")
    options = parser.parse_args(sys.argv[1:] if argv is None else argv)
    worker = _Worker(options)
    return worker.run()


class _Worker:
    """The worker's state: the channel, the capture file and the loaded functions."""

    def __init__(self, options) -> None:
        import sys

        self.options = options
        self.pid = os.getpid()
        self.home = os.getcwd()
        # The channel moves to fresh descriptors (not inherited by user subprocesses); fds
        # 0/1/2 become /dev/null and the capture file the parent opened as our stderr.
        self.requests = os.dup(0)
        self.answers = os.dup(1)
        self.capture_fd = os.dup(2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.close(null)
        os.dup2(2, 1)
        sys.stdin = open(os.devnull)  # noqa: SIM115 - lives as long as the process
        self.slots: dict[str, tuple[object, str]] = {}
        self.module_count = 0
        self.track: Any = None  # the framework runner module, for a framework track
        """The framework track's runner (lossdrill/checker/frameworks/runner.py), if any."""
        self.track_modules: list[str] = []
        """The modules the framework's import loaded (their folders stay readable)."""

    # -- set-up -------------------------------------------------------------------------

    def _limit_resources(self) -> None:
        import resource
        import signal

        memory = self.options.memory_mb * 1024 * 1024
        # PyTorch and XLA reserve far more address space than they use (thread stacks,
        # allocator arenas): a framework worker caps its data segment instead.
        limit = resource.RLIMIT_AS if self.track is None else resource.RLIMIT_DATA
        resource.setrlimit(limit, (memory, memory))
        self._renew_cpu_budget()
        size = self.options.file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        # Writing past the file-size cap fails with an error instead of killing us.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def _renew_cpu_budget(self) -> None:
        """Allow ``cpu_seconds`` of CPU time from now on: a budget per request, not per life.

        Past it the kernel sends SIGXCPU, which ends the worker. The parent's wall-clock
        deadline normally acts first; this is the backstop when the parent cannot.
        """
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        soft = int(usage.ru_utime + usage.ru_stime) + 1 + self.options.cpu_seconds
        hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))

    def _confine(self) -> dict:
        """Landlock and the refusal of ``lossdrill`` imports; what is in force, for the parent.

        ``confine.py`` is loaded by path under another name, so no ``lossdrill`` module is
        left in ``sys.modules`` for the learner's code to reach.
        """
        import importlib.util

        state: dict = {
            "abi": 0,
            "filesystem": False,
            "signals": False,
            "network": False,
            "imports": False,
            "reason": "",
        }
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "confine.py")
        try:
            spec = importlib.util.spec_from_file_location("_lossdrill_confine", path)
            if spec is None or spec.loader is None:
                raise ImportError("no loader for this path")
            confine = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(confine)
        except (OSError, ImportError) as error:
            state["reason"] = f"cannot load {path}: {error}"
            return state
        if self.options.no_landlock:
            os.environ[confine.NO_LANDLOCK_ENV] = "1"
        read: list[str] = []
        write: list[str] = []
        if self.track is not None:
            # after the framework's import: its packages (and their dependencies' folders)
            # read-only, JAX's compilation cache folder read-write, nothing else of the home
            read = confine.package_folders(self.track_modules)
            write = [self.options.cache_dir] if self.options.cache_dir else []
        try:
            state.update(confine.landlock(self.home, self.options.forbid, read=read, write=write))
        except OSError as error:
            state["reason"] = f"Landlock failed: {error}"
        confine.refuse_lossdrill_imports()
        state["imports"] = True
        return state

    def _remove_home(self) -> None:
        """Remove the worker's temporary directory when the parent cannot any more."""
        import shutil

        if os.path.basename(self.home).startswith("lossdrill-sandbox-"):
            shutil.rmtree(self.home, ignore_errors=True)  # its contents at least, if confined

    def _watch_parent(self) -> None:
        """End the worker (and anything it started) when the parent process goes away.

        The main thread notices a closed channel only between requests; this thread also
        covers a parent killed while user code loops or sleeps.
        """
        import signal
        import threading
        import time

        parent = self.options.parent_pid

        def watch() -> None:
            while True:
                if os.getppid() != parent:
                    try:
                        self._remove_home()
                        os.killpg(os.getpgrp(), signal.SIGKILL)
                    finally:
                        os._exit(70)
                time.sleep(0.5)

        threading.stack_size(256 * 1024)
        threading.Thread(target=watch, name="lossdrill-parent-watch", daemon=True).start()

    def run(self) -> int:
        import faulthandler
        import pickle

        framework = ""
        if self.options.framework != "numpy":
            # The framework is imported here, BEFORE any limit or confinement applies:
            # its import maps large libraries and starts thread pools.
            framework = self._load_track(self.options.framework)
        self._limit_resources()
        faulthandler.enable(file=self.capture_fd, all_threads=False)
        # Imported once, before the first request, so calls don't pay for it.
        import numpy

        numpy.ones(2).sum()
        confinement = self._confine()
        self._watch_parent()  # started after the confinement, so it is confined too
        self.send(
            {
                "kind": "ready",
                "pid": self.pid,
                "numpy": numpy.__version__,
                "framework": framework,
                "confinement": confinement,
            }
        )
        while True:
            frame = _read_frame(self.requests)
            if frame is None:  # the parent is gone (or closed the channel without a word)
                self._remove_home()
                return 0
            try:
                request = pickle.loads(frame)
            except Exception as error:  # noqa: BLE001 - reported to the parent
                self.send({"kind": "error", "message": f"bad request: {error!r}"})
                continue
            if request[0] == "exit":
                return 0
            self._renew_cpu_budget()
            if request[0] == "load":
                _, slot, source, function, filename = request
                self.send(self.load(slot, source, function, filename))
            elif request[0] == "calls":
                _, slot, calls = request
                self.calls(slot, calls)
            else:
                self.send({"kind": "error", "message": f"unknown request {request[0]!r}"})

    def _load_track(self, framework: str) -> str:
        """Load the framework runner by path and import ``framework``; its version."""
        import importlib.util
        import sys

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "frameworks", "runner.py")
        spec = importlib.util.spec_from_file_location("lossdrill_track_runner", path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load the framework runner from {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        self.track = module
        before = set(sys.modules)
        version = module.prepare(framework, cache_dir=self.options.cache_dir)
        self.track_modules = sorted(set(sys.modules) - before)
        return version

    def send(self, message: dict) -> None:
        import pickle

        if os.getpid() != self.pid:
            # User code forked and the child returned into this loop: it must not talk.
            os._exit(0)
        try:
            _write_all(self.answers, encode_frame(pickle.dumps(message, protocol=5)))
        except OSError:  # the parent is gone: clean up before leaving
            self._remove_home()
            os._exit(0)

    # -- capture --------------------------------------------------------------------------

    def _begin_capture(self) -> _Capture:
        import sys

        os.ftruncate(self.capture_fd, 0)
        capture = _Capture(self.options.output_limit, self.capture_fd)
        sys.stdout = capture
        sys.stderr = capture
        return capture

    def _end_capture(self, capture: _Capture) -> str:
        import sys

        sink = _Capture(0)
        sys.stdout = sink
        sys.stderr = sink
        limit = self.options.output_limit
        try:
            size = os.fstat(self.capture_fd).st_size
            raw = os.pread(self.capture_fd, min(size, 4 * limit), 0) if size else b""
        except OSError:
            size, raw = 0, b""
        text = raw.decode("utf-8", errors="replace")
        return format_output(text, capture.dropped + max(0, size - len(raw)), limit)

    # -- load -----------------------------------------------------------------------------

    def load(self, slot: str, source: str, function: str, filename: str) -> dict:
        import linecache
        import sys
        import types

        self.slots.pop(slot, None)
        answer: dict = {"kind": "load", "status": "ok", "message": "", "line": None}
        capture = self._begin_capture()
        try:
            try:
                code = compile(source, filename, "exec", dont_inherit=True)
            except SyntaxError as error:
                answer.update(
                    status="syntax-error",
                    message=f"line {error.lineno}: {error.msg}" if error.lineno else error.msg,
                    line=error.lineno,
                )
                return answer
            except (ValueError, TypeError) as error:
                answer.update(status="syntax-error", message=f"cannot read the file: {error}")
                return answer
            self.module_count += 1
            # one name per slot, the same on every load: JAX's persistent compilation cache
            # keys on the lowered module, which names the function's module, so a re-check
            # of unchanged code in the same worker reuses the compiled executables
            name = "lossdrill_user_" + "".join(ch if ch.isalnum() else "_" for ch in slot)
            module = types.ModuleType(name)
            module.__file__ = filename
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            sys.modules[name] = module  # dataclasses and pickling look modules up here
            exec(code, module.__dict__)
            target = module.__dict__.get(function)
            if target is None:
                answer.update(status="missing-function", message=f"no function named {function}")
            elif not callable(target):
                answer.update(
                    status="missing-function",
                    message=f"{function} is a {type(target).__name__}, not a function",
                )
            else:
                self.slots[slot] = (target, filename)
        except SystemExit as error:
            answer.update(
                status="exception",
                message=f"called {_describe_exit(error)} while loading",
                line=_user_line(error, filename),
            )
        except MemoryError as error:
            answer.update(status="memory", **self._memory_message(error, filename))
        except BaseException as error:  # noqa: BLE001 - KeyboardInterrupt too: user code raised it
            answer.update(
                status="exception",
                message=_describe_exception(error, filename),
                line=_user_line(error, filename),
            )
        finally:
            answer["output"] = self._end_capture(capture)
        return answer

    def _memory_message(self, error: BaseException, filename: str) -> dict:
        line = _user_line(error, filename)
        message = f"used more than {self.options.memory_mb} MB"
        if line is not None:
            message += f" (line {line})"
        return {"message": message, "line": line}

    # -- calls ----------------------------------------------------------------------------

    def calls(self, slot: str, calls: list) -> None:
        loaded = self.slots.get(slot)
        for args, kwargs in calls:
            if loaded is None:
                self.send(
                    {"kind": "call", "status": "crash", "message": f"nothing loaded as {slot}"}
                )
                continue
            self.send(self.call(loaded[0], loaded[1], tuple(args), dict(kwargs)))

    def call(self, function, filename: str, args: tuple, kwargs: dict) -> dict:
        import time

        answer: dict = {"kind": "call", "status": "ok", "value": None, "value_type": ""}
        answer.update(message="", line=None, traceback="", mutated=[], seconds=0.0)
        track = None
        if self.track is not None:
            kwargs = dict(kwargs)
            track = kwargs.pop(self.track.TRACK_KEY, None)
        capture = self._begin_capture()
        started = time.perf_counter()
        # The function gets copies, so the pristine inputs remain to compare with, and a
        # mutation cannot leak into a later case that shares the same array.
        call_args: tuple = ()
        call_kwargs: dict = {}
        try:
            call_args = _copy_inputs(args)
            call_kwargs = _copy_inputs(kwargs)
            if track is not None:
                result, report = self.track.call(function, call_args, call_kwargs, track)
                answer["track"] = _contiguous(report)
            else:
                result = function(*call_args, **call_kwargs)
            answer["seconds"] = time.perf_counter() - started
            value, value_type, note = _safe_value(result)
            del result
            answer.update(value=value, value_type=value_type, message=note)
        except SystemExit as error:
            answer.update(
                status="exit",
                message=f"called {_describe_exit(error)}",
                line=_user_line(error, filename),
            )
        except MemoryError as error:
            answer.update(status="memory", **self._memory_message(error, filename))
        except BaseException as error:  # noqa: BLE001 - KeyboardInterrupt too: user code raised it
            answer.update(
                status="exception",
                message=_describe_exception(error, filename),
                line=_user_line(error, filename),
                traceback=_user_traceback(error, filename),
            )
        if not answer["seconds"]:
            answer["seconds"] = time.perf_counter() - started
        try:
            answer["mutated"] = _mutated(args, kwargs, call_args, call_kwargs)
        except BaseException:  # noqa: BLE001 - a comparison of user-modified inputs failed
            answer["mutated"] = []
        answer["output"] = self._end_capture(capture)
        return answer


class _Capture:
    """A text stream that writes its first ``limit`` characters to ``fd`` and counts the rest.

    Python-level output goes to the same capture file as writes to fds 1 and 2, so the two
    keep their order, and what was printed before a hang or crash can still be read there.
    """

    encoding = "utf-8"
    errors = "replace"

    def __init__(self, limit: int, fd: int | None = None) -> None:
        self.limit = limit
        self.fd = fd
        self.kept = 0
        self.dropped = 0

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        room = self.limit - self.kept
        if room > 0 and self.fd is not None:
            piece = text[:room]
            try:
                _write_all(self.fd, piece.encode("utf-8", errors="replace"))
            except OSError:
                pass  # the capture file is at its size cap: the text is dropped
            self.kept += len(piece)
            self.dropped += len(text) - len(piece)
        else:
            self.dropped += len(text)
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def fileno(self) -> int:
        return 1


# -- describing what user code did ----------------------------------------------------------


def _short_repr(value: object, limit: int = 200) -> str:
    if (
        type(value) in (list, tuple, dict, set)
        and isinstance(value, (list, tuple, dict, set))
        and len(value) > 1000
    ):
        return f"<{type(value).__name__} of {len(value)} entries>"
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001 - a user __repr__ may raise anything
        text = f"<{type(value).__name__} object>"
    if not isinstance(text, str):
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe_exit(error: SystemExit) -> str:
    if error.code is None:
        return "sys.exit()"
    return f"sys.exit({_short_repr(error.code, 60)})"


def _user_frames(error: BaseException, filename: str) -> list:
    import traceback

    try:
        return [
            frame
            for frame in traceback.extract_tb(error.__traceback__)
            if frame.filename == filename
        ]
    except BaseException:  # noqa: BLE001
        return []


def _user_line(error: BaseException, filename: str) -> int | None:
    frames = _user_frames(error, filename)
    return frames[-1].lineno if frames else None


def _describe_exception(error: BaseException, filename: str) -> str:
    """``ZeroDivisionError: division by zero (line 4)``."""
    try:
        detail = str(error)
    except BaseException:  # noqa: BLE001
        detail = ""
    if not isinstance(detail, str):
        detail = ""
    if len(detail) > 500:
        detail = detail[:497] + "..."
    message = type(error).__name__ + (f": {detail}" if detail else "")
    line = _user_line(error, filename)
    if line is not None:
        message += f" (line {line})"
    return message


def _user_traceback(error: BaseException, filename: str, limit: int = 4000) -> str:
    """The traceback restricted to frames of the user's file."""
    import traceback

    try:
        lines = ["Traceback (most recent call last):\n"]
        lines += traceback.format_list(_user_frames(error, filename))
        lines += traceback.format_exception_only(type(error), error)
        text = "".join(lines)
    except BaseException:  # noqa: BLE001
        return ""
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- safe values ----------------------------------------------------------------------------

_NUMERIC_KINDS = "biufc"


def _numeric_dtype(dtype) -> bool:
    return dtype.kind in _NUMERIC_KINDS and not dtype.hasobject and dtype.fields is None


def _safe_value(value: object) -> tuple[object, str, str]:
    """``(safe value, type name, note)`` for what the function returned.

    The safe value is a Python number, a NumPy numeric scalar, a NumPy numeric array, a
    (nested) list of Python numbers, or None with a short repr as the note. Types are read
    with ``type()`` (a user class can fake ``__class__`` for ``isinstance``) and every value
    is rebuilt by NumPy or the interpreter, never passed through as the user made it.
    """
    import numpy as np

    kind = type(value)
    name = kind.__name__
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        return None, name, f"an integer of {value.bit_length()} bits, beyond the range of a float"
    if kind in (bool, int, float, complex):
        return value, name, ""
    if issubclass(kind, (np.generic, np.ndarray)):
        array = np.asarray(value)  # a base ndarray, whatever subclass came in
        if type(array) is np.ndarray and _numeric_dtype(array.dtype):
            if array.nbytes > MAX_VALUE_BYTES:
                return None, name, f"an array of shape {array.shape}, too large to check"
            array = np.array(array, order="C", copy=True)
            return (array[()] if issubclass(kind, np.generic) else array), name, ""
    if kind in (list, tuple) and isinstance(value, (list, tuple)):
        if len(value) > MAX_LIST_ITEMS:
            return None, name, f"a {name} of {len(value)} entries, too long to check"
        plain = _plain_numbers(value, [0])
        if plain is not None:
            return plain, name, ""
    return None, name, _short_repr(value)


def _plain_numbers(value: object, count: list[int], depth: int = 0):
    """``value`` as nested lists of Python numbers, or None if it holds anything else."""
    import numpy as np

    kind = type(value)
    if type(value) is int and value.bit_length() > MAX_INT_BITS:
        return None
    if kind in (bool, int, float, complex):
        count[0] += 1
        return value if count[0] <= MAX_LIST_ITEMS else None
    if issubclass(kind, (np.generic, np.ndarray)):
        array = np.asarray(value)
        if type(array) is not np.ndarray or not _numeric_dtype(array.dtype):
            return None
        count[0] += array.size
        return array.tolist() if count[0] <= MAX_LIST_ITEMS else None
    if kind in (list, tuple) and isinstance(value, (list, tuple)) and depth < 32:
        if count[0] + len(value) > MAX_LIST_ITEMS:
            return None
        items = []
        for item in value:
            plain = _plain_numbers(item, count, depth + 1)
            if plain is None:
                return None
            items.append(plain)
        return items
    return None


def _contiguous(report: dict) -> dict:
    """A framework report with its arrays as C-ordered copies: the parent's unpickler takes
    arrays in the contiguous layout only (a strided gradient, such as an empty one of shape
    (n, 0), would otherwise be refused as a forged frame)."""
    import numpy as np

    def plain(value):
        if isinstance(value, np.ndarray):
            return np.array(value, order="C", copy=True)
        if type(value) in (list, tuple):
            return [plain(v) for v in value]
        return value

    return {key: plain(value) for key, value in report.items()}


# -- input mutation -------------------------------------------------------------------------


def _copy_inputs(value):
    """A deep copy of the inputs; arrays, lists and numbers are copied without ``copy``."""
    import copy

    import numpy as np

    kind = type(value)
    if kind is np.ndarray:
        return value.copy(order="K")
    if kind in (bool, int, float, complex, str, type(None)) or isinstance(value, np.generic):
        return value
    if kind is tuple:
        return tuple(_copy_inputs(item) for item in value)
    if kind is list:
        return [_copy_inputs(item) for item in value]
    if kind is dict:
        return {key: _copy_inputs(item) for key, item in value.items()}
    return copy.deepcopy(value)


def _same(before: object, after: object) -> bool:
    import math

    import numpy as np

    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray):
            return False
        if before.shape != after.shape or before.dtype != after.dtype:
            return False
        if before.dtype.hasobject is False and before.tobytes() == after.tobytes():
            return True  # the common case, and much faster than array_equal on small arrays
        try:
            return bool(np.array_equal(before, after, equal_nan=before.dtype.kind in "fc"))
        except (TypeError, ValueError):
            return bool(np.array_equal(before, after))
    if isinstance(before, (list, tuple)):
        if type(before) is not type(after) or len(before) != len(after):
            return False
        return all(_same(b, a) for b, a in zip(before, after, strict=True))
    if isinstance(before, dict):
        if not isinstance(after, dict) or before.keys() != after.keys():
            return False
        return all(_same(before[key], after[key]) for key in before)
    if isinstance(before, float) and isinstance(after, float):
        if math.isnan(before) and math.isnan(after):
            return True
    return bool(before == after)


def _mutated(args: tuple, kwargs: dict, call_args: tuple, call_kwargs: dict) -> list[str]:
    """Names of the inputs the call changed: ``arg0``, ``arg1``... or the keyword name."""
    if not call_args and not call_kwargs:
        return []  # the copies were never made
    names = [
        f"arg{index}"
        for index, (before, after) in enumerate(zip(args, call_args, strict=True))
        if not _same(before, after)
    ]
    names += [key for key in kwargs if not _same(kwargs[key], call_kwargs.get(key))]
    return names


if __name__ == "__main__":
    raise SystemExit(main())
