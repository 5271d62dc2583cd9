"""The misconception taxonomy (``questions/misconceptions.yaml``) and evidence of it.

Bank items, options, bug hunts and cards name the misconceptions they reveal or repair
(``misconceptions: [id, ...]``, validated against the taxonomy when a bank is parsed);
each misconception lists the diagnosis codes that reveal it in an implement attempt.
:func:`active` weighs recent evidence: a wrong answer to an item that names a misconception
(or the choice of an option that does), or a diagnosis mapped to it, raises it; a later
right answer to an item naming it repairs it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

FILENAME = "misconceptions.yaml"
HALF_LIFE_DAYS = 7.0
DAY = 86400.0


@dataclass(frozen=True)
class Misconception:
    id: str
    name: str
    belief: str
    repair: str
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    entries: tuple[Misconception, ...]

    @functools.cached_property
    def by_code(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for m in self.entries:
            for code in m.codes:
                out.setdefault(code, []).append(m.id)
        return {code: tuple(ids) for code, ids in out.items()}

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(m.id for m in self.entries)

    def get(self, mid: str) -> Misconception | None:
        return next((m for m in self.entries if m.id == mid), None)


def taxonomy_path() -> Path:
    from lossdrill.bank.loader import builtin_bank_dir

    return builtin_bank_dir() / FILENAME


@functools.cache
def load(path: Path | None = None) -> Taxonomy:
    """The taxonomy; an unreadable file gives an empty one (nothing can then be named).

    The parsed file is kept as JSON in the cache folder (keyed by the file's size and
    time), so a command that needs it does not import YAML.
    """
    import json

    path = path or taxonomy_path()
    try:
        stat = path.stat()
    except OSError:
        return Taxonomy(())
    key = [str(path), stat.st_mtime_ns, stat.st_size]
    cache = _cache_file()
    try:
        cached = json.loads(cache.read_text(encoding="utf-8"))
        if cached.get("key") == key:
            return _taxonomy(cached["data"])
    except (OSError, ValueError, AttributeError, KeyError):
        pass
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return Taxonomy(())
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"key": key, "data": data}), encoding="utf-8")
    except (OSError, TypeError, ValueError):
        pass  # a cache that cannot be written only costs time
    return _taxonomy(data)


def _cache_file() -> Path:
    from lossdrill.paths import cache_home

    return cache_home() / "misconceptions.json"


def _taxonomy(data: object) -> Taxonomy:
    if not isinstance(data, dict):
        return Taxonomy(())
    entries = []
    for raw in data.get("misconceptions", ()) or ():
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            entries.append(
                Misconception(
                    raw["id"],
                    str(raw.get("name", raw["id"])),
                    str(raw.get("belief", "")),
                    str(raw.get("repair", "")),
                    tuple(str(c) for c in raw.get("codes", ()) or ()),
                )
            )
    return Taxonomy(tuple(entries))


def known_ids() -> frozenset[str]:
    return load().ids


def unknown(ids: Iterable[str]) -> list[str]:
    """The ids not in the taxonomy (for the bank parser's message)."""
    known = known_ids()
    return [i for i in ids if i not in known]


def active(
    taxonomy: Taxonomy,
    item_misconceptions: Mapping[str, Sequence[str]],
    wrong: Iterable[tuple[str, str, float]],
    right: Iterable[tuple[str, float]],
    diagnoses: Iterable[tuple[str, str, float]],
    now: float,
    option_misconceptions: Mapping[tuple[str, str], Sequence[str]] | None = None,
) -> dict[str, float]:
    """Weight of each misconception with unrepaired evidence: Σ 2^(-age/7 days) over the
    evidence since the last right answer to an item naming it.

    ``wrong`` holds (item id, response, at); ``option_misconceptions`` maps (item id,
    option text) to the misconceptions that option reveals; ``diagnoses`` holds (task,
    code, at).
    """
    events: list[tuple[str, float]] = []
    opts = option_misconceptions or {}
    for item_id, response, at in wrong:
        named = list(item_misconceptions.get(item_id, ())) + list(opts.get((item_id, response), ()))
        events += [(m, at) for m in dict.fromkeys(named)]
    for _task, code, at in diagnoses:
        events += [(m, at) for m in taxonomy.by_code.get(code, ())]
    repaired: dict[str, float] = {}
    for item_id, at in right:
        for m in item_misconceptions.get(item_id, ()):
            repaired[m] = max(repaired.get(m, 0.0), at)
    weights: dict[str, float] = {}
    for m, at in events:
        if at <= repaired.get(m, -math.inf):
            continue
        weights[m] = weights.get(m, 0.0) + 2 ** (-max(0.0, now - at) / (HALF_LIFE_DAYS * DAY))
    return weights
