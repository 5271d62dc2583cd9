"""The question-bank schema: one typed record per item kind.

A bank file is YAML: a mapping with an ``items`` list (and an optional ``bank`` name).
Every item has the common fields of :class:`Item`; each kind adds its own. The
format for authors is documented in ``questions/README.md``; the loader in
:mod:`lossdrill.bank.loader` turns YAML into these records and reports every
problem with file, line, item id and field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = (
    "choice",
    "multi",
    "numeric",
    "recall",
    "scenario",
    "flashcard",
    "implement",
    "bug-hunt",
)
"""Every item kind. The first five are asked by ``lossdrill quiz``; ``bug-hunt`` too."""

QUIZ_KINDS = ("choice", "multi", "numeric", "recall", "scenario", "bug-hunt")

TOPICS = (
    "regression",
    "classification",
    "embeddings",
    "gradients",
    "stability",
    "information-theory",
    "production",
    "ranking",
    "contrastive",
    "segmentation",
)
"""Known topics. Other topics are accepted (user banks may add their own)."""


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
    """A key point of a recall answer, matched by any of its regular expressions."""

    point: str
    patterns: tuple[str, ...]


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


@dataclass(frozen=True)
class ScenarioItem(Item):
    steps: tuple[Step, ...] = ()
    """The first step is where the scenario starts."""


@dataclass(frozen=True)
class FlashcardItem(Item):
    front: str = ""
    back: str = ""


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


@dataclass(frozen=True)
class BugHuntItem(Item):
    task: str = ""
    """The implement task whose checker grades a fix."""
    code: str = ""
    bug_line: int = 0
    """1-based line of ``code`` that holds the bug."""
    fix: str = ""
    """The corrected line(s), shown after answering."""


@dataclass(frozen=True)
class BankError:
    """A problem found while loading a bank file."""

    file: str
    line: int
    item_id: str | None
    field: str | None
    message: str

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

    def bug_hunts(self) -> list[BugHuntItem]:
        return [item for item in self.items if isinstance(item, BugHuntItem)]

    def cards(self) -> list[Card]:
        """Every flashcard: ``flashcard`` items and the cards other items carry."""
        out: list[Card] = []
        for item in self.items:
            if isinstance(item, FlashcardItem):
                out.append(
                    Card(item.id, item.version, item.topic, item.front, item.back, item.id, item.tags)
                )
            out.extend(item.cards)
        return out
