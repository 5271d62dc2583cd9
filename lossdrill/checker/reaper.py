"""The trainer's side of the worker's confinement: orphans, stale folders, blocked signals.

- :func:`become_subreaper` makes this process a child subreaper (``PR_SET_CHILD_SUBREAPER``):
  a process the learner's code starts in a new session or after a double fork becomes a
  child of this process when its parent ends, instead of escaping to ``init``;
  :func:`kill_orphans` kills such processes when a worker is destroyed.
- :func:`remove_stale_folders` removes the temporary folders of workers whose trainer was
  killed (the confined worker cannot remove its own folder from the shared temp directory).
- :func:`signals_blocked` blocks the signals that can be blocked while a worker runs, where
  Landlock cannot scope the worker's signals (kernels before 6.12).
- :func:`forbidden_paths` lists the folders the worker must never reach.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Iterator

NO_LANDLOCK_ENV = "LOSSDRILL_NO_LANDLOCK"
_PR_SET_CHILD_SUBREAPER = 36
_MARKER = b"lossdrill-sandbox-"
_BLOCKABLE = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

_worker_sessions: set[int] = set()
"""Session ids of the workers this process started (a worker is its session's leader)."""
_live_workers: set[int] = set()
_subreaper: bool | None = None


def become_subreaper() -> bool:
    """Make this process a child subreaper (Linux); True when it is one."""
    global _subreaper
    if _subreaper is None:
        _subreaper = False
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                libc = ctypes.CDLL(None, use_errno=True)
                _subreaper = libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
            except (OSError, AttributeError):
                _subreaper = False
    return _subreaper


def is_subreaper() -> bool:
    return bool(_subreaper)


def worker_started(pid: int) -> None:
    _worker_sessions.add(pid)
    _live_workers.add(pid)


def worker_ended(pid: int) -> None:
    _live_workers.discard(pid)


def _children() -> list[int]:
    """This process's children: from ``/proc/self/task/*/children``, else a scan of ``/proc``."""
    pids: list[int] = []
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return pids
    readable = False
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/children") as fh:
                pids += [int(p) for p in fh.read().split()]
            readable = True
        except (OSError, ValueError):
            continue
    if readable:
        return pids
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    if int(fh.read().rsplit(b")", 1)[1].split()[1]) == me:
                        pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return pids


def _session(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return int(fields[3])  # state ppid pgrp session
    except (OSError, IndexError, ValueError):
        return None


def _from_a_worker(pid: int) -> bool:
    """Started by a worker: in a worker's session, or with a worker's folder in its environment."""
    if _session(pid) in _worker_sessions:
        return True
    try:
        with open(f"/proc/{pid}/environ", "rb") as fh:
            return _MARKER in fh.read(1 << 16)
    except OSError:
        return False


def kill_orphans(rounds: int = 50) -> int:
    """Kill (and reap) every child of this process that a worker's user code started.

    Killing one may hand its own children to this process, so this repeats until none is
    left. Returns how many were killed.
    """
    if not _subreaper:
        return 0
    killed = 0
    for _ in range(rounds):
        found = [pid for pid in _children() if pid not in _live_workers and _from_a_worker(pid)]
        if not found:
            break
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in found:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, 0)
            killed += 1
    return killed


def sandbox_base() -> str:
    """The folder that holds the workers' folders: ``$TMPDIR/lossdrill-sandboxes-<uid>``.

    Private to this user (mode 700, checked to be ours and not a link); the confined worker
    may remove only empty folders here, so it can remove its own folder when its trainer
    is killed. Falls back to the temporary directory itself.
    """
    import stat
    import tempfile

    tmp = tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else 0
    base = os.path.join(tmp, f"lossdrill-sandboxes-{uid}")
    try:
        os.mkdir(base, 0o700)
    except FileExistsError:
        pass
    except OSError:
        return tmp
    try:
        info = os.lstat(base)
    except OSError:
        return tmp
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid or info.st_mode & 0o077:
        return tmp
    return base


def remove_stale_folders(tmpdir: str) -> None:
    """Remove ``lossdrill-sandbox-<pid>-*`` folders whose trainer process is gone."""
    import shutil

    try:
        entries = [e for e in os.listdir(tmpdir) if e.startswith("lossdrill-sandbox-")]
    except OSError:
        return
    for entry in entries:
        parts = entry.split("-")
        if len(parts) < 4 or not parts[2].isdigit():
            continue
        pid = int(parts[2])
        try:
            os.kill(pid, 0)
            continue  # its trainer still runs
        except ProcessLookupError:
            pass
        except PermissionError:
            continue  # someone else's
        shutil.rmtree(os.path.join(tmpdir, entry), ignore_errors=True)


@contextlib.contextmanager
def signals_blocked(block: bool) -> Iterator[None]:
    """Block SIGINT, SIGTERM, SIGHUP and SIGQUIT while the body runs (when ``block``).

    The fallback where the kernel cannot stop the worker from signalling this process:
    such a signal is then delivered only after the worker's answer. SIGKILL and SIGSTOP
    cannot be blocked; ``lossdrill doctor`` says so.
    """
    if not block or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _BLOCKABLE)
    keep: list[int] = []
    try:
        yield
    finally:
        try:
            keep = _drain_signals_from_workers()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)
            for number in keep:
                signal.raise_signal(number)


def _drain_signals_from_workers() -> list[int]:
    """Take the pending blocked signals; those a worker (or its processes) sent are dropped.

    A signal from anyone else (Ctrl-C from the terminal, ``kill`` from a shell, ``timeout``)
    is returned, to be delivered once the signals are unblocked.
    """
    keep: list[int] = []
    wanted = set(_BLOCKABLE)
    for _ in range(64):
        pending = signal.sigpending() & wanted
        if not pending:
            break
        info = signal.sigtimedwait(pending, 0)
        if info is None:
            break
        sender = info.si_pid
        from_worker = sender in _worker_sessions or (
            sender > 0 and (_from_a_worker(sender) or not os.path.exists(f"/proc/{sender}"))
        )
        if not from_worker and info.si_signo not in keep:
            keep.append(info.si_signo)
    return keep


def forbidden_paths() -> list[str]:
    """Folders the worker must not reach even inside a path it may read."""
    from lossdrill.paths import cache_home, data_home

    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = [package]
    for folder in (data_home, cache_home):
        with contextlib.suppress(Exception):
            out.append(str(folder().resolve()))
    return out
