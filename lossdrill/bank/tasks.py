"""The built-in implement tasks: the records of ``questions/implement/*.yaml``.

Every registry of tasks (the checker's specs, the plot slices, the interview's follow-ups,
the readiness rules) is derived from these records. They are read once per process through
the bank parse cache, so deriving a table costs a few small pickle reads, and PyYAML is
imported only when an implement file changed.
"""

from __future__ import annotations

from functools import cache

from lossdrill.bank.schema import Bank, ImplementItem, TaskRecord


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
            raise TaskRecordError(f"{item.file}:{item.line}: implement item {item.id!r} has no task record")
        out[item.id] = item
    return out


def record(task_id: str) -> TaskRecord | None:
    """The record of one built-in task, or None."""
    item = builtin_tasks().get(task_id)
    return item.record if item is not None else None


def task_ids() -> list[str]:
    """Every built-in task id, in bank file order."""
    return list(builtin_tasks())


def with_role(role: str, bank: Bank | None = None) -> tuple[str, ...]:
    """The task ids whose record names readiness ``role``, in the positions they give.

    From ``bank``'s records when it has any (a loaded bank already holds the built-in ones:
    nothing is read again), else from the built-in records.
    """
    items = {t.id: t for t in bank.tasks() if t.record is not None} if bank is not None else {}
    ranked = []
    for task_id, item in (items or builtin_tasks()).items():
        for name, position in item.record.readiness if item.record else ():
            if name == role:
                ranked.append((position, task_id))
    return tuple(task_id for _, task_id in sorted(ranked))
