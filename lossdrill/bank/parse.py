"""Turn one bank file's YAML into typed records, reporting problems with line numbers.

Called by :mod:`lossdrill.bank.loader` only when a file is not in the parse cache, so
that PyYAML is imported only when some bank changed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from lossdrill.bank import formula as formula_mod
from lossdrill.bank.schema import (
    ARG_KINDS,
    KINDS,
    OUTPUTS,
    PARAM_TYPES,
    PLOT_KINDS,
    READINESS_ROLES,
    Arg,
    BankError,
    BugHuntItem,
    Card,
    ChoiceItem,
    Domain,
    FlashcardItem,
    HyperParam,
    ImplementItem,
    Item,
    KeyPoint,
    MultiItem,
    Mutant,
    NumericItem,
    Option,
    PlotSlice,
    PlotVariant,
    RecallExamples,
    RecallItem,
    Rule,
    RuleCase,
    ScenarioItem,
    Step,
    SweepRecord,
    TaskRecord,
    Tolerance,
    TrackText,
)
from lossdrill.inert import inert
from lossdrill.quiz.patterns import pattern_problem

ID_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 16 * 1024 * 1024
"""A bank file larger than this is refused (10,000 items take about 3 MB)."""
MAX_TEXT_CHARS = 20_000
"""A text field longer than this is refused: it could not be shown in a terminal anyway."""
_CONSTRUCTION_ERRORS = (
    yaml.YAMLError,
    ValueError,
    TypeError,
    OverflowError,
    RecursionError,
    MemoryError,
)
"""What building a value from YAML can raise: unknown tags, ``!!int abc``, a 5,000-digit
integer, an unhashable key, a recursive alias."""


class _Invalid(Exception):
    def __init__(self, line: int, field: str | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.field = field
        self.message = message


def parse_file(path: Path, errors: list[BankError]) -> list[Item]:
    """Every valid item of one file; problems are appended to ``errors``."""
    name = str(path)
    if path.name == "misconceptions.yaml":  # the misconception taxonomy, not a bank
        return []
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            errors.append(
                BankError(
                    name, 0, None, None, f"file larger than {MAX_FILE_BYTES >> 20} MB: not loaded"
                )
            )
            return []
        text = data.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(BankError(name, 0, None, None, f"cannot read file: {exc}"))
        return []
    loader = _Loader(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line = mark.line + 1 if mark else 0
            problem = getattr(exc, "problem", None) or str(exc)
            errors.append(BankError(name, line, None, None, f"invalid YAML: {problem}"))
            return []
        if root is None:
            errors.append(BankError(name, 1, None, None, "empty file (expected an 'items' list)"))
            return []
        item_nodes = _items_node(name, root, errors)
        out = []
        for node in item_nodes:
            item = _item(name, node, loader, errors)
            if item is not None:
                out.append(item)
        return out
    except _CONSTRUCTION_ERRORS as exc:  # a backstop: every known case is reported per item
        errors.append(BankError(name, 0, None, None, f"invalid YAML: {_describe(exc)}"))
        return []
    finally:
        loader.dispose()


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _items_node(name: str, root: yaml.Node, errors: list[BankError]) -> list[yaml.Node]:
    if isinstance(root, yaml.SequenceNode):
        return list(root.value)
    if isinstance(root, yaml.MappingNode):
        keys: dict[str, yaml.Node] = {}
        for k, v in root.value:
            if not isinstance(k, yaml.ScalarNode):
                errors.append(
                    BankError(
                        name,
                        _line(k),
                        None,
                        None,
                        "top-level keys must be plain words, not a list or mapping",
                    )
                )
                continue
            if k.value in keys:
                errors.append(
                    BankError(
                        name,
                        _line(k),
                        None,
                        str(k.value),
                        f"top-level field given twice (first on line {_line(keys[k.value])});"
                        " only the last one would be read",
                    )
                )
            keys[k.value] = v
        unknown = set(keys) - {"items", "bank", "description"}
        for key in sorted(unknown):
            errors.append(BankError(name, _line(root), None, key, "unknown top-level field"))
        items = keys.get("items")
        if isinstance(items, yaml.SequenceNode):
            return list(items.value)
        line = _line(items) if items is not None else _line(root)
        errors.append(BankError(name, line, None, "items", "expected a list of items"))
        return []
    errors.append(BankError(name, _line(root), None, None, "expected a mapping with 'items'"))
    return []


def _mapping(node: yaml.Node, field: str | None) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        raise _Invalid(_line(node), field, "expected a mapping")
    out: dict[str, yaml.Node] = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise _Invalid(_line(key), field, "keys must be plain words, not a list or mapping")
        if key.value in out:
            raise _Invalid(_line(key), str(key.value), "field given twice")
        out[str(key.value)] = value
    return out


class _Fields:
    """Typed access to a YAML mapping's fields, raising :class:`_Invalid` with line numbers."""

    def __init__(self, node: yaml.Node, loader: Any, prefix: str = "") -> None:
        self.node = node
        self.loader = loader
        self.prefix = prefix
        self.map = _mapping(node, prefix or None)
        self.used: set[str] = set()

    def name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        return key in self.map

    def raw(self, key: str) -> yaml.Node:
        self.used.add(key)
        if key not in self.map:
            raise _Invalid(_line(self.node), self.name(key), "missing required field")
        return self.map[key]

    def value(self, key: str, default: Any = ..., kind: str = "") -> Any:
        if key not in self.map:
            self.used.add(key)
            if default is ...:
                raise _Invalid(_line(self.node), self.name(key), "missing required field")
            return default
        node = self.raw(key)
        try:
            return self.loader.construct_object(node, deep=True)
        except _CONSTRUCTION_ERRORS as exc:
            raise _Invalid(
                _line(node), self.name(key), f"cannot read the value: {_describe(exc)}"
            ) from None

    def line(self, key: str) -> int:
        node = self.map.get(key)
        return _line(node) if node is not None else _line(self.node)

    def _bad(self, key: str, expected: str, got: Any) -> _Invalid:
        return _Invalid(
            self.line(key), self.name(key), f"expected {expected}, got {type(got).__name__}"
        )

    def text(self, key: str, default: Any = ..., *, nonempty: bool = True) -> str:
        value = self.value(key, default)
        if not isinstance(value, str):
            raise self._bad(key, "text", value)
        if nonempty and key in self.map and not value.strip():
            raise _Invalid(self.line(key), self.name(key), "must not be empty")
        if len(value) > MAX_TEXT_CHARS:
            raise _Invalid(
                self.line(key),
                self.name(key),
                f"{len(value):,} characters: longer than the limit of {MAX_TEXT_CHARS:,}",
            )
        return inert(value)

    def integer(
        self, key: str, default: Any = ..., lo: int | None = None, hi: int | None = None
    ) -> int:
        value = self.value(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._bad(key, "an integer", value)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise _Invalid(self.line(key), self.name(key), f"must be between {lo} and {hi}")
        return value

    def number(self, key: str, default: Any = ...) -> float:
        value = self.value(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._bad(key, "a number", value)
        return float(value)

    def boolean(self, key: str, default: Any = ...) -> bool:
        value = self.value(key, default)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false", value)
        return value

    def strings(self, key: str, default: Any = ...) -> tuple[str, ...]:
        value = self.value(key, default)
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "a list of text", value)
        if any(len(v) > MAX_TEXT_CHARS for v in value):
            raise _Invalid(
                self.line(key),
                self.name(key),
                f"an entry is longer than the limit of {MAX_TEXT_CHARS:,} characters",
            )
        return tuple(value)

    def children(self, key: str, default: Any = ...) -> list[_Fields]:
        if key not in self.map:
            self.used.add(key)
            if default is ...:
                raise _Invalid(_line(self.node), self.name(key), "missing required field")
            return []
        node = self.raw(key)
        if not isinstance(node, yaml.SequenceNode):
            raise _Invalid(_line(node), self.name(key), "expected a list")
        return [
            _Fields(child, self.loader, f"{self.name(key)}[{i}].")
            for i, child in enumerate(node.value)
        ]

    def check_unknown(self, allowed: Iterable[str]) -> None:
        for key in self.map:
            if key not in allowed:
                raise _Invalid(self.line(key), self.name(key), "unknown field")


_COMMON = {
    "id",
    "version",
    "kind",
    "topic",
    "tags",
    "difficulty",
    "prompt",
    "explanation",
    "source",
    "cards",
    "misconceptions",
}


def _item(name: str, node: yaml.Node, loader: Any, errors: list[BankError]) -> Item | None:
    item_id: str | None = _raw_id(node)
    try:
        f = _Fields(node, loader)
        if f.has("id"):
            raw_id = f.value("id")
            item_id = str(raw_id) if isinstance(raw_id, (str, int)) else None
        item_id_text = f.text("id")
        if not ID_RE.match(item_id_text):
            raise _Invalid(f.line("id"), "id", "must be lowercase letters, digits, '.', '_' or '-'")
        kind = f.text("kind")
        if kind not in KINDS:
            raise _Invalid(
                f.line("kind"), "kind", f"unknown kind {kind!r}; one of {', '.join(KINDS)}"
            )
        common: dict[str, Any] = dict(
            id=item_id_text,
            version=f.integer("version", lo=1),
            kind=kind,
            topic=f.text("topic"),
            tags=f.strings("tags", ()),
            difficulty=f.integer("difficulty", 2, lo=1, hi=3),
            prompt=f.text("prompt", "" if kind == "flashcard" else ...),
            explanation=f.text("explanation", "" if kind in ("flashcard", "implement") else ...),
            source=f.text("source", "lecture"),
            misconceptions=_misconceptions(f),
            file=name,
            line=_line(node),
        )
        cards = []
        for i, c in enumerate(f.children("cards", ())):
            c.check_unknown({"id", "topic", "front", "back", "replaces", "misconceptions"})
            cards.append(
                Card(
                    id=c.text("id", f"{item_id_text}#{i + 1}"),
                    version=common["version"],
                    topic=c.text("topic", common["topic"]),
                    front=c.text("front"),
                    back=c.text("back"),
                    source_item=item_id_text,
                    tags=common["tags"],
                    replaces=c.strings("replaces", ()),
                    misconceptions=_misconceptions(c),
                )
            )
        common["cards"] = tuple(cards)
        builder = _BUILDERS[kind]
        extra, allowed = builder(f)
        f.check_unknown(_COMMON | allowed)
        cls = _CLASSES[kind]
        return cls(**common, **extra)
    except _Invalid as exc:
        errors.append(BankError(name, exc.line, item_id, exc.field, exc.message))
        return None
    except _CONSTRUCTION_ERRORS as exc:
        errors.append(
            BankError(name, _line(node), item_id, None, f"cannot read the item: {_describe(exc)}")
        )
        return None


def _raw_id(node: yaml.Node) -> str | None:
    """The item's id read straight from the YAML nodes, so that errors found before the
    fields are read (a list as a key) still name the item."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if (
                isinstance(key, yaml.ScalarNode)
                and key.value == "id"
                and isinstance(value, yaml.ScalarNode)
            ):
                return str(value.value)[:100]
    return None


def _describe(exc: BaseException) -> str:
    """One line for a YAML construction error, without PyYAML's ``<unicode string>`` marks."""
    if isinstance(exc, yaml.MarkedYAMLError):
        text = exc.problem or exc.context or type(exc).__name__
    elif isinstance(exc, RecursionError):
        text = "nested too deeply"
    elif isinstance(exc, MemoryError):
        text = "too large"
    else:
        text = str(exc) or type(exc).__name__
    text = " ".join(str(text).split())
    return text if len(text) <= 200 else text[:197] + "..."


def _misconceptions(f: _Fields) -> tuple[str, ...]:
    """The optional ``misconceptions`` list, each id checked against the taxonomy."""
    ids = f.strings("misconceptions", ())
    if ids:
        from lossdrill.schedule.misconceptions import unknown

        bad = unknown(ids)
        if bad:
            raise _Invalid(
                f.line("misconceptions"),
                f.name("misconceptions"),
                f"unknown misconception {bad[0]!r} (see questions/misconceptions.yaml)",
            )
    return ids


def _options(f: _Fields, key: str, *, scenario: bool = False) -> tuple[Option, ...]:
    allowed = {"text", "correct", "feedback", "misconceptions"} | ({"next"} if scenario else set())
    opts = []
    for o in f.children(key):
        o.check_unknown(allowed)
        opts.append(
            Option(
                text=o.text("text"),
                correct=o.boolean("correct", False),
                feedback=o.text("feedback", "", nonempty=False),
                next=o.text("next", None) if o.has("next") else None,
                misconceptions=_misconceptions(o),
            )
        )
    if len(opts) < 2:
        raise _Invalid(f.line(key), f.name(key), "needs at least two options")
    return tuple(opts)


def _choice(f: _Fields) -> tuple[dict[str, Any], set[str]]:
    options = _options(f, "options")
    if sum(o.correct for o in options) != 1:
        raise _Invalid(f.line("options"), "options", "exactly one option must be correct")
    missing = [i for i, o in enumerate(options) if not o.correct and not o.feedback.strip()]
    if missing:
        raise _Invalid(
            f.line("options"),
            f"options[{missing[0]}].feedback",
            "every wrong option needs feedback saying why it is wrong",
        )
    return {"options": options}, {"options"}


def _multi(f: _Fields) -> tuple[dict[str, Any], set[str]]:
    options = _options(f, "options")
    if not any(o.correct for o in options):
        raise _Invalid(f.line("options"), "options", "at least one option must be correct")
    return {"options": options}, {"options"}


def _numeric(f: _Fields) -> tuple[dict[str, Any], set[str]]:
    expr = f.text("formula")
    try:
        formula_mod.parse(expr)
    except formula_mod.FormulaError as exc:
        raise _Invalid(f.line("formula"), "formula", str(exc)) from None
    tol = f.number("tolerance")
    if tol <= 0:
        raise _Invalid(f.line("tolerance"), "tolerance", "must be positive")
    return (
        {"formula": expr, "tolerance": tol, "unit": f.text("unit", "", nonempty=False)},
        {"formula", "tolerance", "unit"},
    )


MIN_EXAMPLES = 3


def _patterns(kp: _Fields, key: str, required: bool) -> tuple[str, ...]:
    patterns = kp.strings(key, ... if required else ())
    if required and not patterns:
        raise _Invalid(kp.line(key), kp.name(key), "needs at least one pattern")
    for p in patterns:
        problem = pattern_problem(p)
        if problem:
            raise _Invalid(kp.line(key), kp.name(key), f"bad pattern {p!r}: {problem}")
    return patterns


def _recall(f: _Fields) -> tuple[dict[str, Any], set[str]]:
    from lossdrill.quiz.grading import grade_recall

    points = []
    for kp in f.children("key_points"):
        kp.check_unknown({"point", "patterns", "contradicts", "required"})
        points.append(
            KeyPoint(
                kp.text("point"),
                _patterns(kp, "patterns", True),
                _patterns(kp, "contradicts", False),
                kp.boolean("required", False),
            )
        )
    if not points:
        raise _Invalid(f.line("key_points"), "key_points", "needs at least one key point")
    min_points = f.integer("min_points", (len(points) + 1) // 2, lo=1, hi=len(points))
    model_answer = f.text("model_answer")
    key_points = tuple(points)
    ex = _Fields(f.raw("examples"), f.loader, "examples.")
    ex.check_unknown({"accept", "reject"})
    accept, reject = ex.strings("accept"), ex.strings("reject")
    for key, answers in (("accept", accept), ("reject", reject)):
        if len(answers) < MIN_EXAMPLES:
            raise _Invalid(
                ex.line(key),
                ex.name(key),
                f"needs at least {MIN_EXAMPLES} example answers (the grading is checked against them)",
            )
    for key, answers, want in (("accept", accept, True), ("reject", reject, False)):
        for i, answer in enumerate(answers):
            if grade_recall(answer, key_points, min_points).correct != want:
                verdict = "reject" if want else "accept"
                raise _Invalid(
                    ex.line(key),
                    f"{ex.name(key)}[{i}]",
                    f"the key points {verdict} this example answer: {answer!r}",
                )
    if not grade_recall(model_answer, key_points, min_points).correct:
        raise _Invalid(
            f.line("model_answer"), "model_answer", "the key points reject the model answer"
        )
    return (
        {
            "model_answer": model_answer,
            "key_points": key_points,
            "min_points": min_points,
            "examples": RecallExamples(accept, reject),
        },
        {"model_answer", "key_points", "min_points", "examples"},
    )


def _scenario(f: _Fields) -> tuple[dict[str, Any], set[str]]:
    steps = []
    for s in f.children("steps"):
        s.check_unknown({"id", "prompt", "options"})
        options = _options(s, "options", scenario=True)
        if sum(o.correct for o in options) != 1:
            raise _Invalid(
                s.line("options"), s.name("options"), "exactly one option must be correct"
            )
        steps.append(Step(s.text("id"), s.text("prompt"), options))
    if not 2 <= len(steps) <= 4:
        raise _Invalid(f.line("steps"), "steps", "a scenario has two to four steps")
    ids = [s.id for s in steps]
    if len(set(ids)) != len(ids):
        raise _Invalid(f.line("steps"), "steps", "step ids must be unique")
    for i, step in enumerate(steps):
        for j, o in enumerate(step.options):
            if o.next is not None and o.next not in ids:
                raise _Invalid(
                    f.line("steps"), f"steps[{i}].options[{j}].next", f"no step with id {o.next!r}"
                )
            if o.next is not None and ids.index(o.next) <= i:
                raise _Invalid(
                    f.line("steps"), f"steps[{i}].options[{j}].next", "must lead to a later step"
                )
    return {"steps": tuple(steps)}, {"steps"}


def _flashcard(f: _Fields) -> tuple[dict[str, Any], set[str]]:
    return (
        {"front": f.text("front"), "back": f.text("back"), "replaces": f.strings("replaces", ())},
        {"front", "back", "replaces"},
    )


def _implement(f: _Fields) -> tuple[dict[str, Any], set[str]]:
    hints = f.strings("hints")
    if len(hints) < 3:
        raise _Invalid(f.line("hints"), "hints", "needs at least three progressive hints")
    mutants = []
    for m in f.children("mutants"):
        m.check_unknown({"name", "code", "diagnosis", "note"})
        mutants.append(
            Mutant(m.text("name"), m.text("code"), m.text("diagnosis"), m.text("note", ""))
        )
    function = f.text("function")
    if not function.isidentifier():
        raise _Invalid(f.line("function"), "function", "must be a Python identifier")
    for key in ("starter", "solution"):
        if f"def {function}(" not in f.text(key):
            raise _Invalid(f.line(key), key, f"must define {function}()")
    return (
        {
            "function": function,
            "contract": f.text("contract"),
            "starter": f.text("starter"),
            "hints": hints,
            "debrief": f.text("debrief"),
            "solution": f.text("solution"),
            "mutants": tuple(mutants),
            "record": _record(f) if any(f.has(k) for k in RECORD_FIELDS) else None,
        },
        {"function", "contract", "starter", "hints", "debrief", "solution", "mutants"}
        | RECORD_FIELDS,
    )


RECORD_FIELDS = frozenset(
    {
        "args",
        "family",
        "output",
        "params",
        "rules",
        "scale_arg",
        "tolerance",
        "magnitude",
        "sweep",
        "plot",
        "gradient_task",
        "next_task",
        "readiness",
        "forbidden",
        "differentiable",
        "tracks",
    }
)
"""The task record's fields of an implement item (:class:`TaskRecord`): all or none."""

_TOL64 = Tolerance(rtol=1e-6, atol=1e-8)
_TOL32 = Tolerance(rtol=1e-4, atol=1e-6)


def _choice_of(f: _Fields, key: str, allowed: Iterable[str], default: Any = ...) -> str:
    value = f.text(key, default)
    if value not in allowed:
        raise _Invalid(
            f.line(key), f.name(key), f"must be one of {', '.join(allowed)}; got {value!r}"
        )
    return value


def _numbers(f: _Fields, key: str, default: Any = ...) -> tuple[float, ...]:
    value = f.value(key, default)
    if not isinstance(value, (list, tuple)) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
    ):
        raise f._bad(key, "a list of numbers", value)
    return tuple(float(v) for v in value)


def _record(f: _Fields) -> TaskRecord:
    """The task record of an implement item; every problem names its line and field."""
    args = []
    for a in f.children("args"):
        a.check_unknown({"name", "kind"})
        name = a.text("name")
        if not name.isidentifier():
            raise _Invalid(a.line("name"), a.name("name"), "must be a Python identifier")
        args.append(Arg(name, _choice_of(a, "kind", ARG_KINDS)))  # type: ignore[arg-type]
    if not args:
        raise _Invalid(f.line("args"), "args", "needs at least one argument")
    names = [a.name for a in args]
    params = []
    for p in f.children("params", ()):
        p.check_unknown({"name", "default", "domain", "try", "neutral", "type"})
        name = p.text("name")
        kind = _choice_of(p, "type", PARAM_TYPES) if p.has("type") else "float"
        text = p.text("domain")
        try:
            domain = Domain.parse(text)
        except ValueError as exc:
            raise _Invalid(p.line("domain"), p.name("domain"), str(exc)) from None
        default = p.number("default")
        tries = _numbers(p, "try")
        for key, values in (("default", (default,)), ("try", tries)):
            for v in values:
                if v not in domain:
                    raise _Invalid(
                        p.line(key), p.name(key), f"{v:g} lies outside the domain {text}"
                    )
                if kind != "float" and v != int(v):
                    raise _Invalid(
                        p.line(key), p.name(key), f"{v:g} is not a whole number (type {kind})"
                    )
        if kind == "bool" and (domain.lo, domain.hi, domain.lo_open, domain.hi_open) != (
            0,
            1,
            False,
            False,
        ):
            raise _Invalid(p.line("domain"), p.name("domain"), "a bool's domain is '[0, 1]'")
        if kind == "index" and not tries:
            raise _Invalid(
                p.line("type"),
                p.name("type"),
                "an index needs 'try' values (its domain is not swept)",
            )
        if default in tries:
            raise _Invalid(p.line("try"), p.name("try"), "must not repeat the default")
        neutral = p.number("neutral") if p.has("neutral") else None
        params.append(HyperParam(name, default, domain, tries, neutral, kind))  # type: ignore[arg-type]
        names.append(name)
    if len(set(names)) != len(names):
        raise _Invalid(
            f.line("params"), "params", "argument and hyperparameter names must be unique"
        )
    rules = []
    for r in f.children("rules"):
        r.check_unknown({"id", "text", "cases"})
        rules.append(Rule(r.text("id"), r.text("text"), _rule_cases(r, len(args), names)))
    if len({r.id for r in rules}) != len(rules):
        raise _Invalid(f.line("rules"), "rules", "rule ids must be unique")
    scale_arg = f.text("scale_arg")
    if scale_arg not in names[: len(args)]:
        raise _Invalid(
            f.line("scale_arg"),
            "scale_arg",
            f"must be one of the arguments {', '.join(names[: len(args)])}",
        )
    tol64, tol32 = _TOL64, _TOL32
    if f.has("tolerance"):
        t = _Fields(f.raw("tolerance"), f.loader, "tolerance.")
        t.check_unknown({"float64", "float32"})
        tols: list[Tolerance] = []
        for key, fallback in (("float64", _TOL64), ("float32", _TOL32)):
            if t.has(key):
                one = _Fields(t.raw(key), f.loader, f"tolerance.{key}.")
                one.check_unknown({"rtol", "atol"})
                tols.append(Tolerance(one.number("rtol"), one.number("atol")))
            else:
                tols.append(fallback)
        tol64, tol32 = tols
    readiness = f.value("readiness", {})
    if not isinstance(readiness, dict) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in readiness.values()
    ):
        raise f._bad("readiness", "a mapping of role to position (a whole number >= 1)", readiness)
    for role in readiness:
        if role not in READINESS_ROLES:
            raise _Invalid(
                f.line("readiness"),
                "readiness",
                f"unknown role {role!r}; one of {', '.join(READINESS_ROLES)}",
            )
    return TaskRecord(
        args=tuple(args),
        family=f.text("family"),
        output=_choice_of(f, "output", OUTPUTS),  # type: ignore[arg-type]
        params=tuple(params),
        rules=tuple(rules),
        scale_arg=scale_arg,
        tolerance64=tol64,
        tolerance32=tol32,
        magnitude=f.text("magnitude", ""),
        sweep=_sweep(f, len(args)) if f.has("sweep") else None,
        gradient_task=f.text("gradient_task", ""),
        next_task=f.text("next_task", ""),
        readiness=tuple(sorted(readiness.items())),
        forbidden=tuple(f.strings("forbidden")) if f.has("forbidden") else (),
        differentiable=_differentiable(f, names[: len(args)]),
        tracks=_tracks(f),
        **_plot(f),
    )


def _rule_cases(r: _Fields, n_args: int, names: list[str]) -> tuple[RuleCase, ...]:
    """A rule's literal cases: one argument list per positional argument, hyperparameters
    by name, optional dtypes, group ``edge`` or ``stability``."""
    out = []
    for c in r.children("cases", ()):
        c.check_unknown({"name", "args", "kwargs", "dtypes", "group"})
        args = c.value("args")
        if not isinstance(args, list) or len(args) != n_args:
            raise _Invalid(
                c.line("args"), c.name("args"), f"needs one value per argument ({n_args})"
            )
        kwargs = c.value("kwargs", {})
        if not isinstance(kwargs, dict) or not all(k in names[n_args:] for k in kwargs):
            raise _Invalid(
                c.line("kwargs"),
                c.name("kwargs"),
                f"hyperparameters of the task only ({', '.join(names[n_args:]) or 'none'})",
            )
        dtypes = tuple(c.strings("dtypes")) if c.has("dtypes") else ()
        if dtypes and len(dtypes) != n_args:
            raise _Invalid(
                c.line("dtypes"), c.name("dtypes"), f"needs one dtype per argument ({n_args})"
            )
        group = _choice_of(c, "group", ("edge", "stability"), "edge")
        out.append(
            RuleCase(
                c.text("name"), tuple(args), {k: float(v) for k, v in kwargs.items()}, dtypes, group
            )
        )
    return tuple(out)


TRACK_FRAMEWORKS = ("torch", "jax")


def _differentiable(f: _Fields, args: list[str]) -> tuple[str, ...]:
    names = f.strings("differentiable", ())
    for name in names:
        if name not in args:
            raise _Invalid(
                f.line("differentiable"),
                "differentiable",
                f"{name!r} is not one of the arguments {', '.join(args)}",
            )
    return tuple(names)


def _tracks(f: _Fields) -> dict[str, TrackText]:
    """``tracks: {torch: {solution, hints, debrief, forbidden, starter}, jax: {...}}``."""
    if not f.has("tracks"):
        return {}
    t = _Fields(f.raw("tracks"), f.loader, "tracks.")
    t.check_unknown(TRACK_FRAMEWORKS)
    out = {}
    for framework in TRACK_FRAMEWORKS:
        if not t.has(framework):
            continue
        one = _Fields(t.raw(framework), f.loader, f"tracks.{framework}.")
        one.check_unknown({"solution", "hints", "debrief", "forbidden", "starter"})
        hints = one.strings("hints")
        if len(hints) < 3:
            raise _Invalid(
                one.line("hints"), one.name("hints"), "needs at least three progressive hints"
            )
        out[framework] = TrackText(
            solution=one.text("solution"),
            hints=hints,
            debrief=one.text("debrief"),
            forbidden=one.strings("forbidden", ()),
            starter=one.text("starter", ""),
        )
    return out


def _sweep(f: _Fields, n_args: int) -> SweepRecord:
    s = _Fields(f.raw("sweep"), f.loader, "sweep.")
    s.check_unknown({"x_label", "y_label", "range", "inputs", "labels"})
    lo_hi_n = _numbers(s, "range")
    if (
        len(lo_hi_n) != 3
        or not lo_hi_n[0] < lo_hi_n[1]
        or lo_hi_n[2] < 2
        or lo_hi_n[2] != int(lo_hi_n[2])
    ):
        raise _Invalid(
            s.line("range"), "sweep.range", "must be [lo, hi, points] with lo < hi and points >= 2"
        )
    raw_inputs = s.value("inputs")
    if not isinstance(raw_inputs, list):
        raise s._bad("inputs", "a list", raw_inputs)
    inputs = tuple(str(v) for v in raw_inputs)
    labels = _numbers(s, "labels", ())
    for v in inputs:
        if v not in ("x", "label"):
            try:
                float(v)
            except ValueError:
                raise _Invalid(
                    s.line("inputs"), "sweep.inputs", f"{v!r} is not x, label or a number"
                ) from None
    if len(inputs) != n_args or "x" not in inputs or (("label" in inputs) != bool(labels)):
        raise _Invalid(
            s.line("inputs"),
            "sweep.inputs",
            "one entry per argument, with x, and label exactly when labels are given",
        )
    return SweepRecord(
        x_label=s.text("x_label"),
        y_label=s.text("y_label", "loss"),
        lo=lo_hi_n[0],
        hi=lo_hi_n[1],
        points=int(lo_hi_n[2]),
        inputs=inputs,
        labels=labels,
    )


def _plot(f: _Fields) -> dict[str, Any]:
    p = _Fields(f.raw("plot"), f.loader, "plot.")
    p.check_unknown({"kind", "slices"})
    slices = []
    for sl in p.children("slices"):
        sl.check_unknown({"axis", "inputs", "variants", "note", "fixed"})
        variants = []
        for v in sl.children("variants", ()):
            v.check_unknown({"label", "conditions"})
            conditions = v.value("conditions")
            if not isinstance(conditions, dict):
                raise v._bad("conditions", "a mapping", conditions)
            variants.append(PlotVariant(v.text("label"), conditions))
        slices.append(
            PlotSlice(
                axis=sl.text("axis"),
                inputs=sl.text("inputs"),
                variants=tuple(variants) or (PlotVariant("", {}),),
                note=sl.text("note", ""),
                fixed=sl.strings("fixed", ()),
            )
        )
    if not slices:
        raise _Invalid(p.line("slices"), "plot.slices", "needs at least one slice")
    return {"plot_kind": _choice_of(p, "kind", PLOT_KINDS), "slices": tuple(slices)}


def _bug_hunt(f: _Fields) -> tuple[dict[str, Any], set[str]]:
    code = f.text("code")
    n_lines = len(code.rstrip("\n").splitlines())
    return (
        {
            "task": f.text("task"),
            "code": code,
            "bug_line": f.integer("bug_line", lo=1, hi=n_lines),
            "fix": f.text("fix"),
            "framework": _choice_of(f, "framework", ("numpy", "torch", "jax"), "numpy"),
        },
        {"task", "code", "bug_line", "fix", "framework"},
    )


_BUILDERS = {
    "choice": _choice,
    "multi": _multi,
    "numeric": _numeric,
    "recall": _recall,
    "scenario": _scenario,
    "flashcard": _flashcard,
    "implement": _implement,
    "bug-hunt": _bug_hunt,
}

_CLASSES: dict[str, type[Item]] = {
    "choice": ChoiceItem,
    "multi": MultiItem,
    "numeric": NumericItem,
    "recall": RecallItem,
    "scenario": ScenarioItem,
    "flashcard": FlashcardItem,
    "implement": ImplementItem,
    "bug-hunt": BugHuntItem,
}
