"""The built-in implement tasks: the records of ``questions/implement/*.yaml``.

Every registry of tasks (the checker's specs, the plot slices, the interview's follow-ups,
the readiness rules) is derived from these records. They are read once per process through
the bank parse cache, so deriving a table costs a few small JSON reads, and PyYAML is
imported only when an implement file changed.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported only when the records themselves are needed
    from lossdrill.bank.schema import ImplementItem, TaskRecord
    from lossdrill.bank.view import BankView


class TaskRecordError(RuntimeError):
    """A built-in implement file does not load, or an item has no task record."""


@cache
def builtin_tasks() -> dict[str, ImplementItem]:
    """Every built-in implement item, by task id, in bank file order."""
    from lossdrill.bank.loader import builtin_bank_dir, load_files

    files = sorted((builtin_bank_dir() / "implement").glob("*.yaml"))
    bank = load_files(files)
    if bank.errors:
        raise TaskRecordError("; ".join(str(e) for e in bank.errors))
    out: dict[str, ImplementItem] = {}
    for item in bank.tasks():
        if item.record is None:
            raise TaskRecordError(
                f"{item.file}:{item.line}: implement item {item.id!r} has no task record"
            )
        out[item.id] = item
    return out


def record(task_id: str) -> TaskRecord | None:
    """The record of one built-in task, or None."""
    item = builtin_tasks().get(task_id)
    return item.record if item is not None else None


def task_ids() -> list[str]:
    """Every built-in task id, in bank file order."""
    return list(builtin_tasks())


def with_role(role: str, bank: BankView | None = None) -> tuple[str, ...]:
    """The task ids whose record names readiness ``role``, in the positions they give.

    From ``bank``'s records when it has any (a loaded bank already holds the built-in ones:
    nothing is read again), else from the built-in records.
    """
    roles = bank.task_roles() if bank is not None else {}
    if not roles:
        roles = {t: item.record.readiness for t, item in builtin_tasks().items() if item.record}
    ranked = []
    for task_id, readiness in roles.items():
        for name, position in readiness:
            if name == role:
                ranked.append((position, task_id))
    return tuple(task_id for _, task_id in sorted(ranked))


# --------------------------------------------------------------------------- the checker's view


def implement_files() -> list[Path]:
    """The built-in implement files (the folder of :func:`lossdrill.bank.loader.builtin_bank_dir`)."""
    here = Path(__file__).resolve().parent.parent
    banks = here / "questions" if (here / "questions").is_dir() else here.parent / "questions"
    return sorted((banks / "implement").glob("*.yaml"))


VIEW_FORMAT = 2
"""The layout of :func:`checker_view`'s entries; a cached view of another layout is rebuilt
(2: the framework tracks' ``differentiable`` and ``track_forbidden``)."""


@cache
def checker_view() -> dict[str, dict[str, Any]]:
    """What the checker needs of every built-in task, as plain data (no record classes).

    Derived from :func:`builtin_tasks` and kept in the cache folder, keyed by the implement
    files' size and time and the lossdrill version (as the parse cache is): a check reads
    one small JSON file instead of every implement item, and imports no bank module. The
    file holds plain data only (never a pickle): reading it runs no code.
    """
    import hashlib  # here: ``progress`` reads the readiness roles through this module

    from lossdrill import __version__
    from lossdrill.paths import cache_home, caches_enabled

    files = implement_files()
    try:
        key = (
            f"{__version__}+view{_VIEW_FORMAT}+{VIEW_FORMAT}",
            tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files),
        )
        digest = hashlib.sha1(repr(key[1][:1]).encode()).hexdigest()[:16]
        target = cache_home() / "tasks" / f"checker-{digest}.json"
    except OSError:
        return _plain(_build_view())
    if caches_enabled():
        try:
            with open(target, encoding="utf-8") as fh:
                stored = json.load(fh)
            if stored["key"] == _plain(key):
                return dict(stored["view"])
        except Exception:  # missing, partial or foreign: build afresh
            pass
    value = _plain(_build_view())
    if caches_enabled():
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump({"key": key, "view": value}, fh)
            os.replace(tmp, target)
        except OSError:
            pass  # a cache that cannot be written only costs time
    return value


def _plain(value: Any) -> Any:
    """``value`` as JSON gives it back (tuples become lists), so a fresh view and a cached
    one are the same data."""
    return json.loads(json.dumps(value))


_VIEW_FORMAT = 2
"""Bumped whenever the view's layout changes (2: each param carries its type), so a view
cached by an older layout is never read."""


def _build_view() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for task_id, item in builtin_tasks().items():
        r = item.record
        assert r is not None  # builtin_tasks refuses items without one
        out[task_id] = {
            "function": item.function,
            "args": r.arg_names,
            "kinds": tuple(a.kind for a in r.args),
            "family": r.family,
            "output": r.output,
            "params": tuple((p.name, p.default, p.tries, p.neutral, p.type) for p in r.params),
            "domains": tuple(
                (p.domain.lo, p.domain.hi, p.domain.lo_open, p.domain.hi_open) for p in r.params
            ),
            "rules": tuple((rule.id, rule.text) for rule in r.rules),
            "rule_cases": tuple(
                (rule.id, c.name, c.args, dict(c.kwargs), c.dtypes, c.group)
                for rule in r.rules
                for c in rule.cases
            ),
            "forbidden": tuple(r.forbidden),
            "differentiable": tuple(r.differentiable),
            "track_forbidden": {fw: tuple(t.forbidden) for fw, t in r.tracks.items()},
            "scale_arg": r.scale_arg,
            "tol64": (r.tolerance64.rtol, r.tolerance64.atol),
            "tol32": (r.tolerance32.rtol, r.tolerance32.atol),
            "magnitude": r.magnitude,
            "sweep": None
            if r.sweep is None
            else (
                r.sweep.x_label,
                r.sweep.y_label,
                r.sweep.lo,
                r.sweep.hi,
                r.sweep.points,
                r.sweep.inputs,
                r.sweep.labels,
            ),
        }
    return out
