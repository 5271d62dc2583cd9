"""The question-bank schema: one typed record per item kind.

A bank file is YAML: a mapping with an ``items`` list (and an optional ``bank`` name).
Every item has the common fields of :class:`Item`; each kind adds its own. The
format for authors is documented in ``questions/README.md``; the loader in
:mod:`lossdrill.bank.loader` turns YAML into these records and reports every
problem with file, line, item id and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

# defined apart, so that a reader of the kinds needs no record
from lossdrill.bank.kinds import KINDS as KINDS
from lossdrill.bank.kinds import QUIZ_KINDS as QUIZ_KINDS
from lossdrill.bank.kinds import TOPICS as TOPICS


@dataclass(frozen=True)
class Card:
    """A flashcard: a front (question or cue) and a back (answer)."""

    id: str
    """Stable id: the flashcard item's id, or ``<item id>#<n>`` for a card carried by an item."""
    version: int
    topic: str
    front: str
    back: str
    source_item: str
    """Id of the item the card comes from (itself for a ``flashcard`` item)."""
    tags: tuple[str, ...] = ()
    replaces: tuple[str, ...] = ()
    """Ids of merged duplicate cards: their review history now belongs to this card."""
    misconceptions: tuple[str, ...] = ()
    """Ids from ``questions/misconceptions.yaml`` the card repairs."""


@dataclass(frozen=True)
class Option:
    """One answer option of a choice, multi or scenario step."""

    text: str
    correct: bool
    feedback: str = ""
    """Why this option is right or wrong; shown after answering."""
    next: str | None = None
    """Scenario only: id of the step this option leads to (None ends the scenario)."""
    misconceptions: tuple[str, ...] = ()
    """Misconceptions that choosing this (wrong) option reveals."""


@dataclass(frozen=True)
class KeyPoint:
    """A key point of a recall answer: hit when any of ``patterns`` matches and none of
    ``contradicts`` does (a negated or reversed claim fails the point)."""

    point: str
    patterns: tuple[str, ...]
    contradicts: tuple[str, ...] = ()
    required: bool = False
    """A passing answer must hit this point, however many others it hits."""


@dataclass(frozen=True)
class RecallExamples:
    """Answers a recall item's grading must accept and must reject (checked by validate)."""

    accept: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """One step of a scenario: a question and options that lead onwards."""

    id: str
    prompt: str
    options: tuple[Option, ...]


@dataclass(frozen=True)
class Mutant:
    """A named wrong variant of an implement task, and the diagnosis it must earn."""

    name: str
    code: str
    """Full source defining the task's function, with the mistake in it."""
    diagnosis: str
    """A diagnosis code from the DESIGN vocabulary (e.g. ``wrong-reduction``)."""
    note: str = ""
    """Plain words for the mistake, shown instead of the code's general description (for
    mutants whose code, such as ``wrong-result``, says little by itself)."""


# --------------------------------------------------------------------------- task record
#
# The record's value types are NamedTuples: immutable and compared by value, as a frozen
# dataclass is, and defined at import in about an eighth of the time (a frozen dataclass
# compiles six generated methods), which every command that reads a bank pays. ``Domain``
# stays a dataclass: it defines ``in``, which a tuple already answers otherwise.

_EMPTY: Mapping[str, Any] = MappingProxyType({})
"""The default of a record's mapping fields: empty and read-only, so never shared mutably."""

ArgKind = Literal["real", "embed", "binary", "pm1", "onehot", "label", "dist", "prob", "count"]
ARG_KINDS: tuple[ArgKind, ...] = (
    "real",
    "embed",
    "binary",
    "pm1",
    "onehot",
    "label",
    "dist",
    "prob",
    "count",
)
"""What an argument of an implement task holds: real values, rows of embeddings, 0/1 labels,
±1 labels, one-hot rows, integer class indices, probability rows, values in [0, 1], counts."""

Output = Literal["loss", "elementwise"]
OUTPUTS: tuple[Output, ...] = ("loss", "elementwise")
ParamType = Literal["float", "index", "bool"]
PARAM_TYPES: tuple[ParamType, ...] = ("float", "index", "bool")
"""A hyperparameter's type: ``float`` (the domain is swept: both ends, the default, ``try``),
``index`` (an int that names a class or a target value, e.g. CTC's ``blank`` or masked CE's
``ignore_index``: which values are valid depends on the inputs, so the domain sweep leaves it
to the default and the ``try`` values, which the family's samples keep valid) or ``bool`` (a
flag in ``[0, 1]``, passed as False/True)."""
PlotKind = Literal["loss", "gradient", "function"]
PLOT_KINDS: tuple[PlotKind, ...] = ("loss", "gradient", "function")
ReadinessRole = Literal["stability", "speed", "gradient"]
READINESS_ROLES: tuple[ReadinessRole, ...] = ("stability", "speed", "gradient")

_NUM = r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*"
_INTERVAL = re.compile(rf"^([\[(]){_NUM},{_NUM}([\])])$")
_BOUND = re.compile(rf"^(>=|>|<=|<){_NUM}$")


@dataclass(frozen=True)
class Domain:
    """The values a hyperparameter may take, written ``[0, 1]``, ``(0, 1)``, ``[0, 1)``,
    ``>= 0`` or ``> 0`` (``<`` and ``<=`` too)."""

    text: str
    """As written in the record."""
    lo: float = float("-inf")
    hi: float = float("inf")
    lo_open: bool = True
    hi_open: bool = True

    @classmethod
    def parse(cls, text: str) -> Domain:
        """Raises ValueError for anything but the forms above (or an empty interval)."""
        t = text.strip()
        m = _INTERVAL.match(t)
        if m:
            lo, hi = float(m.group(2)), float(m.group(3))
            if not lo < hi:
                raise ValueError(f"empty interval {text!r}")
            return cls(text, lo, hi, m.group(1) == "(", m.group(4) == ")")
        m = _BOUND.match(t)
        if m:
            op, v = m.group(1), float(m.group(2))
            if op.startswith(">"):
                return cls(text, lo=v, lo_open=op == ">")
            return cls(text, hi=v, hi_open=op == "<")
        raise ValueError(
            f"domain {text!r} is not one of the forms '[a, b]', '(a, b)', '[a, b)', '(a, b]', "
            "'>= a', '> a', '<= a', '< a'"
        )

    def __contains__(self, value: float) -> bool:
        above = value > self.lo if self.lo_open else value >= self.lo
        below = value < self.hi if self.hi_open else value <= self.hi
        return above and below


class Arg(NamedTuple):
    """One positional argument of an implement task."""

    name: str
    """The argument's name in the signature (``y_true``, ``logits``)."""
    kind: ArgKind
    """What it holds: decides dtype conversions and how the shrinker may simplify it."""


class HyperParam(NamedTuple):
    """A keyword hyperparameter of an implement task."""

    name: str
    """The keyword (``delta``, ``temperature``)."""
    default: float
    """The default in the signature; the checker passes it only when it differs."""
    domain: Domain
    """The values the contract allows; the default and every ``try`` value lie in it."""
    tries: tuple[float, ...]
    """Non-default values the checker's ``params`` group tries (YAML key ``try``)."""
    neutral: float | None = None
    """The value that switches the hyperparameter off (margin 0, temperature 1): a solution
    that ignores it behaves as if it were this; None where there is none."""
    type: ParamType = "float"
    """How it is passed and swept (YAML ``type``; :data:`PARAM_TYPES`)."""


class RuleCase(NamedTuple):
    """A literal input that exercises one rule of the contract (YAML: under the rule's
    ``cases``), e.g. dice with ``smooth: 0`` and both masks empty."""

    name: str
    args: tuple[Any, ...]
    """Positional arguments as nested lists (made arrays of ``dtypes``)."""
    kwargs: Mapping[str, float] = _EMPTY
    dtypes: tuple[str, ...] = ()
    """One NumPy dtype per argument (default: float64; ``label`` arguments int64)."""
    group: str = "edge"
    """The checker group it is reported in: ``edge`` or ``stability``."""


class Rule(NamedTuple):
    """One rule of the task's contract."""

    id: str
    """Stable within the task (``empty-batch``, ``tolerance``)."""
    text: str
    """The rule as the learner reads it."""
    cases: tuple[RuleCase, ...] = ()
    """Literal inputs that exercise it; the generic rules (``empty-batch``, ``dtypes``,
    ``stability``, ...) are exercised by the generated cases instead."""


class Tolerance(NamedTuple):
    """How close a value must be: |got − expected| ≤ atol + rtol·|expected|."""

    rtol: float
    atol: float


class SweepRecord(NamedTuple):
    """A one-dimensional sweep for the checker's plot overlay of a failing submission."""

    x_label: str
    """The x axis; ``{label}`` is replaced by the label the sweep is drawn at."""
    y_label: str
    """The y axis (``loss``, ``gradient``, ``σ(x)``)."""
    lo: float
    hi: float
    points: int
    """``range: [lo, hi, points]``: evenly spaced x values."""
    inputs: tuple[str, ...]
    """Each positional argument as a one-element array: ``x``, ``label`` or a number."""
    labels: tuple[float, ...] = ()
    """Labels the sweep can be drawn at (binary tasks: 1 and 0); the first is the default."""


class PlotVariant(NamedTuple):
    """One curve of a plot slice."""

    label: str
    """Suffix of the curve's legend entry (``y=1``)."""
    conditions: dict[str, Any]
    """Values the slice's input builder reads (``y``), and hyperparameters named in ``fixed``."""


class PlotSlice(NamedTuple):
    """How ``lossdrill plot`` draws the task against one axis."""

    axis: str
    """An axis of :data:`lossdrill.plotting.slices.AXES` (``error``, ``logit``)."""
    inputs: str
    """The name of an input builder of :data:`lossdrill.plotting.slices.BUILDERS`."""
    variants: tuple[PlotVariant, ...] = (PlotVariant("", {}),)
    note: str = ""
    """What x is for this task, shown under the plot."""
    fixed: tuple[str, ...] = ()
    """Condition names passed to the reference as hyperparameters (e.g. ``pos_weight``)."""


class TrackText(NamedTuple):
    """A task written for one framework (``tracks: {torch: {...}, jax: {...}}``): the same
    function and argument names, inputs arriving as ``torch.Tensor`` / ``jax.Array``."""

    solution: str
    hints: tuple[str, ...]
    debrief: str
    forbidden: tuple[str, ...] = ()
    """Dotted names of the library functions the task asks the learner to write
    (``torch.nn.functional.binary_cross_entropy_with_logits``): calling one is
    ``forbidden-import``."""
    starter: str = ""
    """Empty: generated from the signature and the framework's import."""


class TaskRecord(NamedTuple):
    """Everything declarative about one implement task: the one place that states it.

    The checker's spec (:mod:`lossdrill.checker.tasks`), the plot slices
    (:mod:`lossdrill.plotting.slices`), the interview's follow-ups and the readiness rules
    are derived from it; Python keeps only the input families and the references.
    """

    args: tuple[Arg, ...]
    """The positional arguments, in signature order."""
    family: str
    """The input family (:data:`lossdrill.checker.families.FAMILIES`) that makes valid inputs."""
    output: Output
    """``loss`` (a scalar) or ``elementwise`` (an array of the input's shape)."""
    params: tuple[HyperParam, ...]
    """Keyword hyperparameters, in signature order."""
    rules: tuple[Rule, ...]
    """The contract's rules."""
    scale_arg: str
    """The argument whose magnitude the stability messages speak of (e.g. ``logits``)."""
    tolerance64: Tolerance
    """For float64 inputs (default rtol 1e-6, atol 1e-8)."""
    tolerance32: Tolerance
    """For float32 inputs (default rtol 1e-4, atol 1e-6)."""
    plot_kind: PlotKind
    """``loss``, ``gradient`` (already a derivative) or ``function`` (sigmoid, softmax)."""
    slices: tuple[PlotSlice, ...]
    """How ``lossdrill plot`` draws it, in order of preference."""
    magnitude: str = ""
    """How the stability messages measure an extreme case (the family's measure), e.g.
    ``errors |ŷ − y|``; empty: the largest |scale_arg|."""
    sweep: SweepRecord | None = None
    """The checker's overlay sweep; None: no overlay."""
    gradient_task: str = ""
    """The task whose reference is this loss's gradient (the interviewer's follow-up)."""
    next_task: str = ""
    """A related task to practise once this one is mastered."""
    readiness: tuple[tuple[ReadinessRole, int], ...] = ()
    """Readiness checklist lines this task is evidence for (stability, speed, gradient),
    each with the task's position in that line's evidence (YAML: ``{speed: 1}``)."""
    forbidden: tuple[str, ...] = ()
    """Library functions that *are* the answer (dotted names such as
    ``scipy.special.log_softmax``); importing or calling one fails the check."""
    differentiable: tuple[str, ...] = ()
    """The arguments whose autodiff gradient the framework tracks check."""
    tracks: Mapping[str, TrackText] = _EMPTY
    """The task written for each framework (``torch``, ``jax``)."""

    @property
    def arg_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.args)

    def signature(self, function: str) -> str:
        parts = list(self.arg_names) + [f"{p.name}={p.default!r}" for p in self.params]
        return f"{function}({', '.join(parts)})"


@dataclass(frozen=True)
class Item:
    """Fields every item has."""

    id: str
    """Stable identifier, unique across all banks (lowercase, digits, dashes)."""
    version: int
    """Bumped when the meaning of the item changes; history is keyed by (id, version)."""
    kind: str
    topic: str
    tags: tuple[str, ...]
    difficulty: int
    """1 (warm-up) to 3 (hard)."""
    prompt: str
    explanation: str
    """Shown after answering."""
    source: str
    """Where the facts were checked (lecture section, paper, library documentation)."""
    file: str
    line: int
    cards: tuple[Card, ...] = ()
    """Flashcards carried by the item (formulas, gradients, gotchas)."""
    misconceptions: tuple[str, ...] = ()
    """Ids from ``questions/misconceptions.yaml`` the item reveals or repairs."""


@dataclass(frozen=True)
class ChoiceItem(Item):
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class MultiItem(Item):
    options: tuple[Option, ...] = ()


@dataclass(frozen=True)
class NumericItem(Item):
    formula: str = ""
    """Expression computing the expected value (see :mod:`lossdrill.bank.formula`)."""
    tolerance: float = 1e-3
    """Absolute tolerance on the user's answer."""
    unit: str = ""


@dataclass(frozen=True)
class RecallItem(Item):
    model_answer: str = ""
    key_points: tuple[KeyPoint, ...] = ()
    min_points: int = 1
    """How many key points a passing answer must hit."""
    examples: RecallExamples = RecallExamples()


@dataclass(frozen=True)
class ScenarioItem(Item):
    steps: tuple[Step, ...] = ()
    """The first step is where the scenario starts."""


@dataclass(frozen=True)
class FlashcardItem(Item):
    front: str = ""
    back: str = ""
    replaces: tuple[str, ...] = ()
    """Ids of duplicate cards merged into this one (their history carries over)."""


@dataclass(frozen=True)
class ImplementItem(Item):
    function: str = ""
    """Name of the function the user writes (the DESIGN task table)."""
    contract: str = ""
    starter: str = ""
    hints: tuple[str, ...] = ()
    debrief: str = ""
    solution: str = ""
    mutants: tuple[Mutant, ...] = ()
    record: TaskRecord | None = None
    """The task's declarative record (args, hyperparameters, rules, sweep, plot, roles); the
    built-in items all have one; a user's item may leave it out and only add text."""


@dataclass(frozen=True)
class BugHuntItem(Item):
    task: str = ""
    """The implement task whose checker grades a fix."""
    code: str = ""
    bug_line: int = 0
    """1-based line of ``code`` that holds the bug."""
    fix: str = ""
    """The corrected line(s), shown after answering."""
    framework: str = "numpy"
    """The track whose checker grades a fix: ``numpy``, ``torch`` or ``jax``."""


@dataclass(frozen=True)
class BankError:
    """A problem found while loading a bank file."""

    file: str
    line: int
    item_id: str | None
    field: str | None
    message: str

    @classmethod
    def about(cls, item: Item, field: str, message: str) -> BankError:
        """A problem with ``field`` of an item that did load."""
        return cls(item.file, item.line, item.id, field, message)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        item = f" item {self.item_id!r}" if self.item_id else ""
        fld = f" field {self.field!r}" if self.field else ""
        what = f":{item}{fld}" if item or fld else ""
        return f"{where}{what}: {self.message}"


@dataclass
class Bank:
    """All loaded items, and the errors of the files or items that did not load."""

    items: list[Item] = field(default_factory=list)
    errors: list[BankError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_id = {item.id: item for item in self.items}

    def get(self, item_id: str) -> Item | None:
        return self._by_id.get(item_id)

    def of_kind(self, *kinds: str) -> list[Item]:
        return [item for item in self.items if item.kind in kinds]

    def quiz_items(self) -> list[Item]:
        return self.of_kind(*QUIZ_KINDS)

    def implement(self, task_id: str) -> ImplementItem | None:
        item = self._by_id.get(task_id)
        return item if isinstance(item, ImplementItem) else None

    def tasks(self) -> list[ImplementItem]:
        return [item for item in self.items if isinstance(item, ImplementItem)]

    def task_roles(self) -> dict[str, tuple[tuple[ReadinessRole, int], ...]]:
        """The readiness roles of every task that has a record, by task id, in bank order."""
        return {t.id: t.record.readiness for t in self.tasks() if t.record is not None}

    def bug_hunts(self) -> list[BugHuntItem]:
        return [item for item in self.items if isinstance(item, BugHuntItem)]

    def cards(self) -> list[Card]:
        """Every flashcard: ``flashcard`` items and the cards other items carry."""
        out: list[Card] = []
        for item in self.items:
            if isinstance(item, FlashcardItem):
                out.append(
                    Card(
                        item.id,
                        item.version,
                        item.topic,
                        item.front,
                        item.back,
                        item.id,
                        item.tags,
                        item.replaces,
                    )
                )
            out.extend(item.cards)
        return out
