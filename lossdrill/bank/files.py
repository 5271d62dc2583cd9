"""Where the banks are, and where each bank file's parse cache entry lives.

Kept apart from :mod:`lossdrill.bank.loader` so that a reader of the cache that needs no
question record (:mod:`lossdrill.bank.summary`, for ``lossdrill progress``) imports neither
the schema nor the loader.
"""

from __future__ import annotations

import functools
import os
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lossdrill import __version__
from lossdrill.paths import cache_home

if TYPE_CHECKING:
    from lossdrill.bank.schema import BankError

BANK_ENV = "LOSSDRILL_BANKS"
"""Extra bank folders, separated like PATH (``os.pathsep``)."""

BUILTIN_ENV = "LOSSDRILL_BUILTIN_BANKS"
"""Set to ``0`` to load only your own banks (useful when writing one)."""

CACHE_FORMAT = 4
"""Bumped when the cache's encoding changes: an entry of another format is parsed afresh
(4: a summary line between the key and the items)."""


def builtin_bank_dir() -> Path:
    """The banks shipped with lossdrill: inside the package when installed, else the source tree."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "questions"
    if installed.is_dir():
        return installed
    return here.parent / "questions"


def bank_dirs(extra: Sequence[str | Path] = ()) -> list[Path]:
    """Built-in banks, then folders from ``$LOSSDRILL_BANKS``, then ``extra`` (``--bank``)."""
    dirs = [] if os.environ.get(BUILTIN_ENV, "1") == "0" else [builtin_bank_dir()]
    env = os.environ.get(BANK_ENV, "")
    dirs += [Path(p) for p in env.split(os.pathsep) if p.strip()]
    dirs += [Path(p) for p in extra]
    return dirs


def bank_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[BankError]]:
    """Expand folders to their ``*.yaml``/``*.yml`` files (recursively), sorted."""
    files: list[Path] = []
    errors: list[BankError] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(
                f for f in path.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file()
            )
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            from lossdrill.bank.schema import BankError

            errors.append(BankError(str(path), 0, None, None, "no such file or folder"))
    return files, errors


def cache_key(path: Path) -> list | None:
    """What a cache entry of ``path`` must have been written for: the file's path, size and
    time, the lossdrill version, the cache format and the parser's stamp; None when the file
    cannot be read (it is then parsed, and reported, afresh)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [str(path), stat.st_mtime_ns, stat.st_size, __version__, CACHE_FORMAT, _parser_stamp()]


@functools.cache
def _parser_stamp() -> list:
    """Size and time of the schema and the parser: a changed record layout is never served.

    Taken once per process: the modules it stamps are the ones this process has imported."""
    here = Path(__file__).resolve().parent
    out = []
    for name in ("schema.py", "parse.py"):
        try:
            st = (here / name).stat()
            out.append([name, st.st_mtime_ns, st.st_size])
        except OSError:
            out.append([name, 0, 0])
    return out


def cache_file(path: Path) -> Path:
    """The cache entry of a bank file: three lines, the key (:func:`cache_key`), the summary
    (:mod:`lossdrill.bank.summary`) and the items (:mod:`lossdrill.bank.loader`).

    Named by two 32-bit checksums of the absolute path (``zlib`` is loaded anyway, OpenSSL's
    hashes are not): two files that shared a name would only take turns in it, since an
    entry is served only for the path its key names."""
    name = os.path.abspath(path).encode("utf-8", errors="surrogateescape")
    return cache_home() / "banks" / f"{zlib.crc32(name):08x}{zlib.adler32(name):08x}.json"
