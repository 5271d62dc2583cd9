"""A disk cache of a task's cases and their reference values.

Cases are deterministic in (task, seed), and so are the reference values; building them
costs about 20 ms of a check. They are kept in the cache folder, keyed by everything they
depend on: the task and seed, the lossdrill and NumPy versions, and the size and time of
every source file that defines cases or references (so an edited reference is never
served stale). Any problem reading the cache means: build them again.

The format cannot run code when read: a ``.cases`` file is a magic line, a JSON document
(the key, the cases' structure, and each array's dtype, shape and place) and the arrays'
raw bytes, read in one go and viewed with ``np.frombuffer`` (numeric and string dtypes
only). A planted, foreign or damaged file is ignored and rebuilt. The checker's worker has
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

from lossdrill.paths import cache_home, caches_enabled

_SOURCES = ("checker/tasks.py", "checker/families.py", "checker/cases.py", "references")
_FORMAT = 4
"""3: each case keeps the ids of the rules it exercises (``Case.rules``); 4: one raw file
(an ``.npz`` of 800 small arrays took 30 ms to read, a tenth of a check)."""
SUFFIX = ".cases"
_MAGIC = b"lossdrill-cases\n"


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
    return cache_home() / "cases" / f"{task}-{digest}{SUFFIX}"


def cases_and_expected(
    task: str, seed: int, build: Callable[[], tuple[list, list]]
) -> tuple[list, list]:
    """``build()`` once per (task, seed, sources); afterwards from the cache."""
    if not caches_enabled():
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


def _decode(data: Any, arrays: list) -> Any:
    tag, body = next(iter(data.items()))
    if tag == "a":
        return arrays[int(body)]
    if tag == "s":
        return arrays[int(body)][()]
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


def _views(buffer: bytearray, start: int, table: list) -> list:
    """The arrays of ``table`` ([dtype, shape, offset] each) over ``buffer`` from ``start``."""
    import numpy as np

    out = []
    for dtype_text, shape, offset in table:
        dtype = np.dtype(str(dtype_text))
        if dtype.hasobject or dtype.kind not in "biufcUS":
            raise ValueError(f"unsupported dtype {dtype_text!r}")
        shape = tuple(int(d) for d in shape)
        count = 1
        for d in shape:
            count *= d
        flat = np.frombuffer(buffer, dtype=dtype, count=count, offset=start + int(offset))
        out.append(flat.reshape(shape))
    return out


def _header(buffer: bytes | bytearray) -> tuple[dict, int]:
    """The JSON document of a ``.cases`` file and where its arrays start."""
    if not buffer.startswith(_MAGIC):
        raise ValueError("not a case cache file")
    at = len(_MAGIC)
    size = int.from_bytes(buffer[at : at + 8], "little")
    return json.loads(bytes(buffer[at + 8 : at + 8 + size]).decode("utf-8")), at + 8 + size


def stored_key(target: Path) -> list | None:
    """The key a cache file was written under (None: not a readable case cache file)."""
    try:
        with open(target, "rb") as fh:
            head = fh.read(len(_MAGIC) + 8)
            size = int.from_bytes(head[len(_MAGIC) :], "little")
            meta, _ = _header(head + fh.read(size))
        key = meta.get("key")
        return key if isinstance(key, list) else None
    except Exception:  # noqa: BLE001 - unreadable
        return None


def _read(target: Path, key: list) -> tuple[list, list] | None:
    import numpy as np

    from lossdrill.checker.cases import Case

    try:
        buffer = bytearray(target.read_bytes())  # writable: the views are ordinary arrays
        meta, start = _header(buffer)
        if meta.get("key") != key:
            return None
        arrays = _views(buffer, start, meta["arrays"])
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
        meta: dict[str, Any] = {
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
        table, offset, raw = [], 0, []
        for a in arrays:
            data = np.ascontiguousarray(a).tobytes()
            pad = -offset % 16  # each array aligned for its dtype
            raw += [b"\0" * pad, data]
            offset += pad
            table.append([a.dtype.str, list(a.shape), offset])
            offset += len(data)
        meta["arrays"] = table
        header = json.dumps(meta).encode("utf-8")
        header += b" " * (-(len(_MAGIC) + 8 + len(header)) % 16)  # the arrays start aligned
    except (_Unsupported, TypeError, ValueError):
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.stem}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(_MAGIC + len(header).to_bytes(8, "little") + header)
            fh.writelines(raw)
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only costs time
