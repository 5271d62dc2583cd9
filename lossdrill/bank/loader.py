"""Load and validate question banks.

Banks are YAML files. Loading never stops at the first problem: a file that does not
parse is reported and skipped; an item with a bad field is reported and skipped; the rest
loads. Every :class:`~lossdrill.bank.schema.BankError` names the file, the line, the
item id and the field.

This module must stay light: ``lossdrill --help`` does not import it, and loading every
bank must cost only tens of milliseconds, so it does not import NumPy.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from lossdrill.bank import formula as formula_mod
from lossdrill.bank import schema as schema_mod
from lossdrill.bank.files import bank_dirs as bank_dirs
from lossdrill.bank.files import bank_files as bank_files
from lossdrill.bank.files import builtin_bank_dir as builtin_bank_dir
from lossdrill.bank.files import cache_file, cache_key
from lossdrill.bank.schema import (
    Bank,
    BankError,
    BugHuntItem,
    ImplementItem,
    Item,
    NumericItem,
)
from lossdrill.paths import caches_enabled


def load_banks(extra_dirs: Sequence[str | Path] = (), *, evaluate_formulas: bool = False) -> Bank:
    """Load the built-in banks plus the user's folders. Bad files and items are reported."""
    files, errors = bank_files(bank_dirs(extra_dirs))
    return load_files(files, errors=errors, evaluate_formulas=evaluate_formulas)


def load_files(
    files: Sequence[Path],
    *,
    errors: list[BankError] | None = None,
    evaluate_formulas: bool = False,
) -> Bank:
    """Load the given bank files; ids must be unique across all of them."""
    errors = list(errors or [])
    items: list[Item] = []
    seen: dict[str, Item] = {}
    for path in files:
        for item in _load_file(path, errors):
            if item.id in seen:
                first = seen[item.id]
                errors.append(
                    BankError.about(
                        item,
                        "id",
                        f"duplicate id; first defined at {first.file}:{first.line}",
                    )
                )
                continue
            seen[item.id] = item
            items.append(item)
    task_ids = {item.id for item in items if isinstance(item, ImplementItem)}
    for item in items:
        if isinstance(item, BugHuntItem) and item.task not in task_ids:
            errors.append(BankError.about(item, "task", f"no implement task {item.task!r}"))
    if evaluate_formulas:
        items = [item for item in items if check_formula(item, errors)]
    return Bank(items=items, errors=errors, files=[str(f) for f in files])


def find_implement(task_id: str, extra_dirs: Sequence[str | Path] = ()) -> ImplementItem | None:
    """The implement item of ``task_id``, as :func:`load_banks` would serve it, read from as
    few bank files as possible: files in a folder named ``implement`` first (where the
    built-in tasks live), then the others, each in :func:`load_banks`' order, stopping at
    the first file that defines it. A check needs only its task's item (its mutants and
    hints); decoding every bank for it would cost a failing check ~10 ms."""
    files, _ = bank_files(bank_dirs(extra_dirs))
    files.sort(key=lambda f: f.parent.name != "implement")  # stable: load order otherwise
    for path in files:
        for item in _load_file(path, []):
            if item.id == task_id:
                return item if isinstance(item, ImplementItem) else None
    return None


def check_formula(item: Item, errors: list[BankError]) -> bool:
    """Evaluate a numeric item's formula; report and return False when it fails."""
    if not isinstance(item, NumericItem):
        return True
    try:
        formula_mod.evaluate(item.formula)
    except formula_mod.FormulaError as exc:
        errors.append(BankError.about(item, "formula", str(exc)))
        return False
    return True


# --------------------------------------------------------------------------- parsing


def _load_file(path: Path, errors: list[BankError]) -> list[Item]:
    """Parse one file, through the parse cache when the file has not changed."""
    key = cache_key(path)
    cached = _cache_read(path, key) if key else None
    if cached is not None:
        items, file_errors = cached
    else:
        from lossdrill.bank.parse import parse_file  # YAML is imported only when a file changed

        file_errors = []
        items = parse_file(path, file_errors)
        if key:
            _cache_write(path, key, (items, file_errors))
    errors.extend(file_errors)
    return items


# The parse cache is JSON: reading it builds only the schema's own records, never runs code.
# Text, integers, floats, booleans and None are stored as themselves and a list as a JSON
# list; every JSON object is a tagged value, decoded by ``json``'s object hook as it is read:
# {"()": [...]} a tuple, {"{}": [[k, v], ...]} a dict, {"@": "ChoiceItem", field: value, ...}
# a record of the schema, with the fields that differ from their defaults. Between the key
# and the items, a line of plain JSON sums them up for readers that need no record
# (:mod:`lossdrill.bank.summary`).

_MISSING = object()


def _to_json(value: object) -> object:
    kind = type(value)
    if value is None or kind in (str, int, float, bool):
        return value
    if isinstance(value, list) and kind is list:
        return [_to_json(v) for v in value]
    if isinstance(value, tuple) and kind is tuple:
        return {"()": [_to_json(v) for v in value]}
    if isinstance(value, dict) and kind is dict:
        return {"{}": [[_to_json(k), _to_json(v)] for k, v in value.items()]}
    record = _record_class(kind.__name__)
    if record is not None and record is kind:
        out: dict[str, object] = {"@": kind.__name__}
        for name, default, factory in _fields(kind.__name__):
            if factory is not None:
                default = factory()
            field_value = getattr(value, name)
            if (
                default is _MISSING
                or field_value != default
                or type(field_value) is not type(default)
            ):
                out[name] = _to_json(field_value)
        return out
    raise TypeError(f"cannot cache a {kind.__name__}")


@functools.cache
def _record_class(name: str) -> type | None:
    """A dataclass or NamedTuple defined in the bank schema, by name; None for anything else."""
    cls = getattr(schema_mod, name, None)
    if not isinstance(cls, type) or cls.__module__ != schema_mod.__name__:
        return None
    if dataclasses.is_dataclass(cls) or (issubclass(cls, tuple) and hasattr(cls, "_fields")):
        return cls
    return None


@functools.cache
def _fields(name: str) -> tuple[tuple[str, object, Callable[[], object] | None], ...]:
    """A record's fields in order, each with its default (``_MISSING`` where it has none or a
    factory makes it) and its default factory (None where it has none)."""
    cls = _record_class(name)
    if dataclasses.is_dataclass(cls):
        return tuple(
            (
                f.name,
                _MISSING if f.default is dataclasses.MISSING else f.default,
                None if f.default_factory is dataclasses.MISSING else f.default_factory,
            )
            for f in dataclasses.fields(cls)
            if f.init
        )
    defaults = getattr(cls, "_field_defaults", {})
    return tuple(
        (field, defaults.get(field, _MISSING), None) for field in getattr(cls, "_fields", ())
    )


def _from_json_object(obj: dict) -> object:
    """One tagged JSON object, its contents already decoded (``json`` works inside out)."""
    if "()" in obj:
        return tuple(obj["()"])
    name = obj.pop("@", None)
    if name is not None:
        return _builder(str(name))(obj)
    if "{}" in obj:
        return {k: v for k, v in obj["{}"]}
    raise ValueError("bad cache entry")


@functools.cache
def _builder(name: str) -> Callable[[dict], object]:
    """Makes a record of the schema from its cached fields.

    A frozen dataclass is filled as :mod:`pickle` fills one, its ``__dict__`` set at once
    (its ``__init__`` pays an ``object.__setattr__`` per field: about an eighth of decoding
    the built-in banks); the fields must be exactly the record's, as its ``__init__`` would
    demand."""
    cls = _record_class(name)
    if cls is None:
        raise ValueError("unknown record")
    if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
        return lambda obj: cls(**obj)
    fields = _fields(name)
    names = frozenset(field for field, _, _ in fields)
    required = frozenset(
        field for field, default, factory in fields if default is _MISSING and factory is None
    )
    plain = {field: default for field, default, _ in fields if default is not _MISSING}
    factories = [(field, factory) for field, _, factory in fields if factory is not None]
    new = object.__new__

    def build(obj: dict) -> object:
        keys = obj.keys()
        if not (required <= keys <= names):
            raise ValueError(f"fields of a {name} do not match")
        state = dict(plain)
        for field, factory in factories:
            if field not in obj:
                state[field] = factory()
        state.update(obj)
        record = new(cls)
        record.__dict__.update(state)
        return record

    return build


def _cache_read(path: Path, key: list) -> tuple[list[Item], list[BankError]] | None:
    """The parsed items of an unchanged file. Any problem with the cache means: parse again."""
    if not caches_enabled():
        return None
    try:
        with open(cache_file(path), encoding="utf-8") as fh:
            text = fh.read()
        head, _, rest = text.partition("\n")
        if json.loads(head) != key:
            return None
        _summary, _, body = rest.partition("\n")
        items, errors = json.loads(body, object_hook=_from_json_object)
        if not (
            isinstance(items, list)
            and all(isinstance(i, Item) for i in items)
            and isinstance(errors, list)
            and all(isinstance(e, BankError) for e in errors)
        ):
            return None
        return items, errors
    except Exception:  # noqa: BLE001 - missing, damaged, planted or foreign
        return None


def _cache_write(path: Path, key: list, value: tuple[list[Item], list[BankError]]) -> None:
    if not caches_enabled():
        return
    from lossdrill.bank.summary import summarize

    target = cache_file(path)
    items, errors = value
    try:
        text = "\n".join(
            (
                json.dumps(key),
                json.dumps(None if errors else summarize(items)),
                json.dumps([_to_json(list(items)), _to_json(list(errors))]),
            )
        )
    except (TypeError, ValueError):
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        pass  # a cache that cannot be written only costs time
