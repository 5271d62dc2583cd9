"""Kernel confinement of the checker's worker: Landlock, and the refusal of ``lossdrill`` imports.

The worker loads this file by path (not as part of the ``lossdrill`` package, which the
learner's code must not reach) after its own imports and before any learner code runs:

- :func:`landlock` confines the worker with Landlock (Linux 5.13+, unprivileged): read-only
  access to the Python installation and the array libraries, read-write access to its own
  temporary folder, nothing else; so no access to ``LOSSDRILL_HOME``, the caches, the
  user's home or the ``lossdrill`` package. With ABI 4+ it also refuses TCP, and with
  ABI 6+ it scopes signals and abstract UNIX sockets: the learner's code cannot kill,
  stop or interrupt the trainer (or anything outside the worker's own processes).
- :func:`refuse_lossdrill_imports` installs a ``sys.meta_path`` finder that refuses every
  ``lossdrill`` module with :class:`ForbiddenImport`.

Only the standard library is used (``ctypes`` for the three Landlock system calls), so the
parent imports this module cheaply too, for ``lossdrill doctor`` (:func:`abi_version`).
Set ``LOSSDRILL_NO_LANDLOCK=1`` to run without Landlock (the fallback path).
"""

from __future__ import annotations

import os
import sys

NO_LANDLOCK_ENV = "LOSSDRILL_NO_LANDLOCK"

# System call numbers: the same on x86-64 and on the generic table (arm64, riscv64).
_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

_EXECUTE, _WRITE_FILE, _READ_FILE, _READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_REMOVE_DIR, _REMOVE_FILE, _MAKE_CHAR, _MAKE_DIR = 1 << 4, 1 << 5, 1 << 6, 1 << 7
_MAKE_REG, _MAKE_SOCK, _MAKE_FIFO, _MAKE_BLOCK, _MAKE_SYM = (
    1 << 8,
    1 << 9,
    1 << 10,
    1 << 11,
    1 << 12,
)
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1

_READ = _EXECUTE | _READ_FILE | _READ_DIR
_WRITE = (
    _WRITE_FILE
    | _REMOVE_DIR
    | _REMOVE_FILE
    | _MAKE_DIR
    | _MAKE_REG
    | _MAKE_SYM
    | _MAKE_FIFO
    | _MAKE_SOCK
    | _REFER
    | _TRUNCATE
)


class ForbiddenImport(ImportError):
    """A submission tried to import part of lossdrill (the references, the checker...)."""


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 when Landlock is missing or disabled."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        version = libc.syscall(
            _SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_CREATE_RULESET_VERSION)
        )
    except (OSError, AttributeError):
        return 0
    return max(0, int(version))


def _fs_rights(abi: int) -> int:
    rights = _READ | _WRITE | _MAKE_CHAR | _MAKE_BLOCK
    if abi < 2:
        rights &= ~_REFER
    if abi < 3:
        rights &= ~_TRUNCATE
    if abi >= 5:
        rights |= _IOCTL_DEV
    return rights


def read_only_paths() -> list[str]:
    """What the worker may read: the standard library and NumPy (with its bundled libraries).

    Not the whole ``site-packages``: an installed lossdrill lives there.
    """
    import sysconfig

    paths = {sysconfig.get_paths().get(key, "") for key in ("stdlib", "platstdlib")}
    paths.add(os.path.join(sys.base_prefix, "lib"))  # libpython, lib-dynload
    for name in ("numpy",):
        module = sys.modules.get(name)
        file = getattr(module, "__file__", None)
        if module is not None and file:
            package = os.path.dirname(os.path.abspath(file))
            paths.add(package)
            paths.add(package + ".libs")  # the wheel's bundled OpenBLAS
            parent = os.path.dirname(package)
            paths.update(
                os.path.join(parent, entry)
                for entry in _listdir(parent)
                if entry.startswith("numpy") and entry.endswith(".libs")
            )
    paths.update(
        (
            "/usr/lib",
            "/usr/lib64",
            "/lib",
            "/lib64",
            "/usr/local/lib",
            "/etc/ld.so.cache",
            "/dev/urandom",
            "/dev/random",
            "/dev/zero",
        )
    )
    return sorted(p for p in paths if p and os.path.exists(p))


def package_folders(modules: list[str]) -> list[str]:
    """The ``sys.path`` folders (``site-packages``) that hold ``modules``: what a framework
    worker may read after importing PyTorch or JAX, whose lazy imports and data files lie
    anywhere in the framework's package and its dependencies' packages. A ``lossdrill``
    folder inside one stays out of reach (the worker's forbidden paths)."""
    entries = sorted(
        {os.path.realpath(p) for p in sys.path if p and os.path.isdir(p)}, key=len, reverse=True
    )
    folders: set[str] = set()
    for name in modules:
        file = getattr(sys.modules.get(name), "__file__", None)
        if not isinstance(file, str):
            continue
        real = os.path.realpath(file)
        entry = next((e for e in entries if _beneath(real, e)), None)
        if entry is not None:
            folders.add(entry)
    return sorted(folders)


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _beneath(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def landlock(
    workdir: str,
    forbidden: list[str],
    read: list[str] | None = None,
    write: list[str] | None = None,
) -> dict:
    """Confine this thread (and every thread and process it starts afterwards).

    ``forbidden``: folders that must stay out of reach even when they lie inside a
    read-only path (an installed ``lossdrill`` inside ``site-packages``, the data folder):
    such a path is granted entry by entry, leaving the forbidden one out, and its listing
    (names, not contents: Python's import system lists a ``sys.path`` folder).
    ``read``: more read-only folders (a framework's ``site-packages``), with the same
    carve-outs. ``write``: folders granted read-write by name, even inside a forbidden one
    (JAX's compilation cache in the cache folder); one that holds a forbidden folder (the
    whole data or cache folder) is refused.
    Returns what is in force: ``{"abi": n, "filesystem": bool, "signals": bool,
    "network": bool, "reason": str}``.
    """
    state = {"abi": 0, "filesystem": False, "signals": False, "network": False, "reason": ""}
    if os.environ.get(NO_LANDLOCK_ENV):
        state["reason"] = f"disabled by {NO_LANDLOCK_ENV}"
        return state
    abi = abi_version()
    state["abi"] = abi
    if abi < 1:
        state["reason"] = "the kernel offers no Landlock (Linux 5.13+ with Landlock enabled)"
        return state
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    fs = _fs_rights(abi)
    net = (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0
    scoped = (_SCOPE_SIGNAL | _SCOPE_ABSTRACT_UNIX_SOCKET) if abi >= 6 else 0
    fields = [fs, net, scoped][: 1 + (abi >= 4) + (abi >= 6)]
    attr = (ctypes.c_uint64 * len(fields))(*fields)
    ruleset = libc.syscall(
        _SYS_CREATE_RULESET,
        ctypes.byref(attr),
        ctypes.c_size_t(ctypes.sizeof(attr)),
        ctypes.c_uint32(0),
    )
    if ruleset < 0:
        state["reason"] = f"landlock_create_ruleset failed: {os.strerror(ctypes.get_errno())}"
        return state

    class _PathBeneath(ctypes.Structure):
        _pack_ = 1
        _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]

    forbidden = [os.path.realpath(p) for p in forbidden if p]

    def allow(path: str, rights: int) -> None:
        real = os.path.realpath(path)
        inside = [f for f in forbidden if _beneath(f, real)]
        if any(_beneath(real, f) for f in forbidden):
            return
        if inside and os.path.isdir(real):  # grant the entries beside the forbidden folder
            # and the folder's listing (names only, beneath it too: a forbidden folder's
            # files stay unreadable): Python's import system lists a sys.path folder before
            # it finds a module there, so without it a lazy import (sympy, from PyTorch's
            # backward pass) fails in a site-packages that also holds lossdrill
            _add_rule(real, _READ_DIR)
            for entry in _listdir(real):
                allow(os.path.join(real, entry), rights)
            return
        if not os.path.isdir(real):
            rights &= _EXECUTE | _READ_FILE | _WRITE_FILE | _TRUNCATE | _IOCTL_DEV
        _add_rule(real, rights)

    def _add_rule(real: str, rights: int) -> None:
        try:
            fd = os.open(real, os.O_PATH | os.O_CLOEXEC)
        except OSError:
            return
        try:
            rule = _PathBeneath(rights & fs, fd)
            libc.syscall(
                _SYS_ADD_RULE,
                ctypes.c_int(ruleset),
                ctypes.c_int(_RULE_PATH_BENEATH),
                ctypes.byref(rule),
                ctypes.c_uint32(0),
            )
        finally:
            os.close(fd)

    try:
        for path in [*read_only_paths(), *(read or ())]:
            allow(path, _READ)
        allow(os.devnull, _READ_FILE | _WRITE_FILE | _TRUNCATE)
        allow(workdir, _READ | _WRITE)
        for path in write or ():
            real = os.path.realpath(path)
            if not os.path.isdir(real) or any(_beneath(f, real) for f in forbidden):
                state["reason"] = f"not granted (a whole forbidden folder or missing): {path}"
                continue
            forbidden_here, forbidden[:] = forbidden[:], []  # granted by name
            try:
                allow(real, _READ | _WRITE)
            finally:
                forbidden[:] = forbidden_here
        parent = os.path.dirname(os.path.abspath(workdir))
        if os.path.basename(parent).startswith("lossdrill-sandboxes-"):
            allow(parent, _REMOVE_DIR)  # so the worker can remove its own (emptied) folder
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            state["reason"] = f"no_new_privs refused: {os.strerror(ctypes.get_errno())}"
            return state
        if libc.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            state["reason"] = f"landlock_restrict_self failed: {os.strerror(ctypes.get_errno())}"
            return state
    finally:
        os.close(ruleset)
    state.update(filesystem=True, network=bool(net), signals=bool(scoped))
    if not scoped:
        state["reason"] = f"Landlock ABI {abi} < 6: no signal scoping (Linux 6.12+)"
    return state


class _RefuseLossdrill:
    """A ``sys.meta_path`` finder that refuses every ``lossdrill`` module."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name == "lossdrill" or name.startswith("lossdrill."):
            raise ForbiddenImport(
                f"import of {name} is not allowed: a submission may not use lossdrill itself",
                name=name,
            )
        return None


def refuse_lossdrill_imports() -> None:
    """Forget every loaded ``lossdrill`` module and refuse to load any again."""
    for name in [n for n in sys.modules if n == "lossdrill" or n.startswith("lossdrill.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, _RefuseLossdrill())
    sys.path_importer_cache.clear()
