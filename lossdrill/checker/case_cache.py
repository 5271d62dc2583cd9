"""A disk cache of a task's cases and their reference values.

Cases are deterministic in (task, seed), and so are the reference values; building them
costs about 20 ms of a check. They are kept in the cache folder, keyed by everything they
depend on: the task and seed, the lossdrill and NumPy versions, and the size and time of
every source file that defines cases or references (so an edited reference is never
served stale). Any problem reading the cache means: build them again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lossdrill.paths import cache_home

NO_CACHE_ENV = "LOSSDRILL_NO_CACHE"

_SOURCES = ("checker/tasks.py", "checker/families.py", "checker/cases.py", "references")


def _fingerprint() -> tuple:
    import numpy as np

    from lossdrill import __version__

    root = Path(__file__).resolve().parent.parent
    files: list[Path] = []
    for rel in _SOURCES:
        path = root / rel
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    stats = tuple((f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in files)
    return (__version__, np.__version__, stats)


def cases_and_expected(
    task: str, seed: int, build: Callable[[], tuple[list, list]]
) -> tuple[list, list]:
    """``build()`` once per (task, seed, sources); afterwards from the cache."""
    if os.environ.get(NO_CACHE_ENV):
        return build()
    try:
        key = (task, seed, _fingerprint())
        digest = hashlib.sha1(repr(key).encode()).hexdigest()[:20]
        target = cache_home() / "cases" / f"{task}-{digest}.pickle"
    except OSError:
        return build()
    try:
        with open(target, "rb") as fh:
            stored_key, value = pickle.load(fh)
        if stored_key == key:
            return value
    except Exception:  # missing, partial or foreign: build afresh
        pass
    value = build()
    _write(target, (key, value))
    return value


def _write(target: Path, payload: Any) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only costs time
