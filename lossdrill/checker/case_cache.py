"""A disk cache of a task's cases and their reference values.

Cases are deterministic in (task, seed), and so are the reference values; building them
costs about 20 ms of a check. They are kept in the cache folder, keyed by everything they
depend on: the task and seed, the lossdrill and NumPy versions, and the size and time of
every source file that defines cases or references (so an edited reference is never
served stale). Any problem reading the cache means: build them again.

The format cannot run code when read: one ``.npz`` file (read with ``allow_pickle=False``)
holds every array, and a JSON document inside it describes the cases' structure and the
key. A planted, foreign or damaged file is ignored and rebuilt. The checker's worker has
no access to the cache folder (see :mod:`lossdrill.confine`), so the learner's code can
neither read the expected values nor rewrite them.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lossdrill.paths import cache_home

NO_CACHE_ENV = "LOSSDRILL_NO_CACHE"

_SOURCES = ("checker/tasks.py", "checker/families.py", "checker/cases.py", "references")
_FORMAT = 3
"""3: each case keeps the ids of the rules it exercises (``Case.rules``)."""


class _Unsupported(Exception):
    """A value the cache format does not hold: the cases are built, not cached."""


def _fingerprint() -> list:
    import numpy as np

    from lossdrill import __version__

    root = Path(__file__).resolve().parent.parent
    files: list[Path] = []
    for rel in _SOURCES:
        path = root / rel
        files += sorted(path.glob("*.py")) if path.is_dir() else [path]
    stats = [[f.name, f.stat().st_mtime_ns, f.stat().st_size] for f in files]
    return [_FORMAT, __version__, np.__version__, stats]


def cache_file(task: str, seed: int) -> Path:
    """Where the cases of ``(task, seed)`` are kept (for the doctor and the tests)."""
    key = [task, seed, _fingerprint()]
    digest = hashlib.sha1(json.dumps(key).encode()).hexdigest()[:20]
    return cache_home() / "cases" / f"{task}-{digest}.npz"


def cases_and_expected(
    task: str, seed: int, build: Callable[[], tuple[list, list]]
) -> tuple[list, list]:
    """``build()`` once per (task, seed, sources); afterwards from the cache."""
    if os.environ.get(NO_CACHE_ENV):
        return build()
    try:
        key = [task, seed, _fingerprint()]
        target = cache_file(task, seed)
    except OSError:
        return build()
    value = _read(target, key)
    if value is not None:
        return value
    value = build()
    _write(target, key, value)
    return value


# -- encoding -------------------------------------------------------------------------------


def _encode(value: Any, arrays: list) -> Any:
    """JSON-able description of ``value``; arrays go to ``arrays`` and are named by index."""
    import numpy as np

    kind = type(value)
    if kind is np.ndarray:
        if value.dtype.hasobject or value.dtype.kind not in "biufcUS":
            raise _Unsupported()
        arrays.append(value)
        return {"a": len(arrays) - 1}
    if isinstance(value, np.generic):
        arrays.append(np.asarray(value))
        return {"s": len(arrays) - 1}
    if kind is float:
        return {"f": repr(value)}  # keeps nan, inf and every bit
    if kind in (bool, int, str) or value is None:
        return {"v": value}
    if kind in (list, tuple):
        return {"l" if kind is list else "t": [_encode(v, arrays) for v in value]}
    if kind is dict and all(type(k) is str for k in value):
        return {"d": {k: _encode(v, arrays) for k, v in value.items()}}
    raise _Unsupported()


def _decode(data: Any, arrays: Any) -> Any:
    tag, body = next(iter(data.items()))
    if tag == "a":
        return arrays[f"a{int(body)}"]
    if tag == "s":
        return arrays[f"a{int(body)}"][()]
    if tag == "f":
        return float(body)
    if tag == "v":
        return body
    if tag in ("l", "t"):
        items = [_decode(v, arrays) for v in body]
        return items if tag == "l" else tuple(items)
    if tag == "d":
        return {str(k): _decode(v, arrays) for k, v in body.items()}
    raise ValueError(f"unknown tag {tag!r}")


def _read(target: Path, key: list) -> tuple[list, list] | None:
    import numpy as np

    from lossdrill.checker.cases import Case

    try:
        with np.load(target, allow_pickle=False) as stored:
            meta = json.loads(bytes(stored["meta"]).decode("utf-8"))
            if meta.get("key") != key:
                return None
            arrays = {name: stored[name] for name in stored.files if name != "meta"}
        cases = [
            Case(
                group=str(c["group"]),
                name=str(c["name"]),
                args=tuple(_decode(c["args"], arrays)),
                kwargs=dict(_decode(c["kwargs"], arrays)),
                rules=tuple(str(r) for r in c["rules"]),
            )
            for c in meta["cases"]
        ]
        expected = [np.asarray(_decode(e, arrays), dtype=np.float64) for e in meta["expected"]]
        if len(expected) != len(cases):
            return None
        return cases, expected
    except Exception:  # noqa: BLE001 - missing, partial, planted or foreign: build afresh
        return None


def _write(target: Path, key: list, value: tuple[list, list]) -> None:
    import numpy as np

    cases, expected = value
    arrays: list = []
    try:
        meta = {
            "key": key,
            "cases": [
                {
                    "group": c.group,
                    "name": c.name,
                    "args": _encode(tuple(c.args), arrays),
                    "kwargs": _encode(dict(c.kwargs), arrays),
                    "rules": list(c.rules),
                }
                for c in cases
            ],
            "expected": [_encode(np.asarray(e), arrays) for e in expected],
        }
        blob = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    except (_Unsupported, TypeError, ValueError):
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, meta=blob, **{f"a{i}": a for i, a in enumerate(arrays)})
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only costs time
