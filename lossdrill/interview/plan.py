"""The plan of a mock interview: which loss, which questions, how much time for each step.

Pure functions of the bank, the learner's evidence and a seeded random source, so a plan
can be tested without a terminal or a store.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lossdrill.bank.schema import Bank, ImplementItem, Item
from lossdrill.implement import TARGET_MINUTES


def gradient_follow_up(task: str) -> str:
    """The task whose reference is ``task``'s gradient, where it is a task of its own: the
    interviewer's follow-up (from the task's record; "" if none)."""
    from lossdrill.bank.tasks import record

    rec = record(task)
    return rec.gradient_task if rec is not None else ""


def gradient_tasks() -> set[str]:
    """Every task that is some loss's gradient follow-up."""
    from lossdrill.bank.tasks import builtin_tasks

    return {
        i.record.gradient_task
        for i in builtin_tasks().values()
        if i.record and i.record.gradient_task
    }


MAX_MINUTES = 90
"""The longest mock interview (a real loss-function round is 45 to 60 minutes)."""

WARM_UP_KINDS = ("choice", "multi", "recall", "numeric")
SCENARIO_KINDS = ("scenario",)

_GENERIC_TAGS = frozenset(
    {
        "lecture",
        "beyond-lecture",
        "regression",
        "classification",
        "embeddings",
        "embedding",
        "gradients",
        "stability",
        "information-theory",
        "production",
        "numeric",
        "table",
    }
)
_WHEN_TAGS = frozenset(
    {
        "decision-guide",
        "intuition",
        "imbalance",
        "outliers",
        "minimiser",
        "mle",
        "calibration",
        "multi-label",
        "asymmetry",
        "asymmetric",
        "robust",
        "use-case",
        "business",
    }
)
_FAILS_TAGS = frozenset(
    {
        "gotcha",
        "failure-modes",
        "lecture-error",
        "stability",
        "edge-cases",
        "overflow",
        "underflow",
        "nan",
        "bug",
        "vanishing-gradient",
        "collapse",
        "conventions",
        "max-shift",
        "logits",
        "log-sigmoid",
        "empty-batch",
    }
)


@dataclass(frozen=True)
class Step:
    """One step of the interview."""

    kind: str
    """``warm-up``, ``implement``, ``gradient``, ``scenario`` or ``production``."""
    title: str
    """What the interviewer asks, e.g. ``when to use it``."""
    minutes: float
    """The time box of the step."""
    item_id: str = ""
    """The quiz item asked (question steps)."""
    task: str = ""
    """The implement task (implement and gradient steps)."""


@dataclass(frozen=True)
class InterviewPlan:
    task: str
    minutes: int
    seed: int
    steps: tuple[Step, ...]
    chosen_by: str
    """Why this task: ``asked`` (--task), ``weakest`` (from progress) or ``random``."""


def _tokens(item_id: str) -> set[str]:
    return set(re.split(r"[-_.]", item_id))


def relevance(item: Item, task: ImplementItem) -> float:
    """How closely a quiz item is about ``task``: its id as a tag counts most."""
    specific = {t for t in task.tags if t not in _GENERIC_TAGS} - {task.id}
    score = 0.0
    if task.id in item.tags or task.id in _tokens(item.id):
        score += 5.0  # outweighs every "when"/"fails" bonus: the question must be about the loss
    score += 1.0 * len(specific & set(item.tags))
    if item.topic == task.topic:
        score += 0.5
    return score


def _pick(
    candidates: Iterable[Item],
    task: ImplementItem,
    rng: random.Random,
    taken: set[str],
    bonus: frozenset[str] = frozenset(),
    words: Sequence[str] = (),
) -> Item | None:
    """The most relevant candidate not yet taken (ties broken by ``rng``)."""
    ranked = []
    for item in sorted(candidates, key=lambda i: i.id):
        if item.id in taken:
            continue
        score = relevance(item, task)
        if bonus and bonus & set(item.tags):
            score += 1.5
        if words and any(w in _tokens(item.id) for w in words):
            score += 1.0  # an id such as reg-mse-fails says what the item is about
        ranked.append((-score, rng.random(), item))
    if not ranked:
        return None
    ranked.sort(key=lambda r: (r[0], r[1]))
    best = ranked[0][2]
    taken.add(best.id)
    return best


def step_minutes(minutes: int, gradient_step: bool = True) -> dict[str, float]:
    """The time box of each kind of step in an interview of ``minutes``.

    Without a gradient follow-up its time goes to the four questions, so the boxes still
    add up to ``minutes`` (short interviews get at least a minute to implement and half a
    minute a question).
    """
    implement = float(min(TARGET_MINUTES, max(1, minutes // 2)))
    gradient = float(min(implement, max(1, minutes // 5))) if gradient_step else 0.0
    question = max(0.5, (minutes - implement - gradient) / 4)
    return {
        "warm-up": question,
        "implement": implement,
        "gradient": gradient,
        "scenario": question,
        "production": question,
    }


def plan_interview(
    bank: Bank, task_id: str, minutes: int, seed: int, chosen_by: str = "asked"
) -> InterviewPlan:
    """Two warm-ups (when to use it, how it fails), the implement task, its gradient
    follow-up where one exists, one scenario and one production question.

    Question steps for which the bank has no item are left out.
    """
    task = bank.implement(task_id)
    if task is None:
        raise KeyError(task_id)
    rng = random.Random(f"{seed}:{task_id}")
    follow = gradient_follow_up(task.id) or None
    if follow and bank.implement(follow) is None:
        follow = None
    box = step_minutes(minutes, gradient_step=follow is not None)
    quiz = bank.quiz_items()
    warm_pool = [i for i in quiz if i.kind in WARM_UP_KINDS and i.topic != "production"]
    taken: set[str] = set()
    steps: list[Step] = []

    when = _pick(warm_pool, task, rng, taken, _WHEN_TAGS, ("when", "why"))
    fails = _pick(warm_pool, task, rng, taken, _FAILS_TAGS, ("fail", "fails", "bug"))
    if when is not None:
        steps.append(Step("warm-up", "when to use it", box["warm-up"], item_id=when.id))
    if fails is not None:
        steps.append(Step("warm-up", "how it fails", box["warm-up"], item_id=fails.id))

    steps.append(Step("implement", task.function, box["implement"], task=task.id))
    follow_item = bank.implement(follow) if follow else None
    if follow and follow_item is not None:
        steps.append(Step("gradient", follow_item.function, box["gradient"], task=follow))

    scenarios = [i for i in quiz if i.kind in SCENARIO_KINDS]
    scenario = _pick(scenarios, task, rng, taken)
    if scenario is None:  # a decision-guide question stands in for a missing scenario
        decisions = [i for i in quiz if "decision-guide" in i.tags and i.kind in WARM_UP_KINDS]
        scenario = _pick(decisions, task, rng, taken)
    if scenario is not None:
        steps.append(Step("scenario", "a scenario", box["scenario"], item_id=scenario.id))

    production = _pick([i for i in quiz if i.topic == "production"], task, rng, taken)
    if production is not None:
        steps.append(Step("production", "in production", box["production"], item_id=production.id))
    return InterviewPlan(task.id, minutes, seed, tuple(steps), chosen_by)


@dataclass(frozen=True)
class TaskRecord:
    """What the store knows about one task: implement attempts and quiz answers on its topic."""

    task: str
    attempts: int = 0
    passes: int = 0
    topic_answers: int = 0
    topic_correct: int = 0


def weakness(record: TaskRecord) -> float | None:
    """0 (strong) to 1 (weak); None without any evidence."""
    parts = []
    if record.attempts:
        parts.append(1.0 - record.passes / record.attempts)
    if record.topic_answers:
        parts.append(1.0 - record.topic_correct / record.topic_answers)
    return sum(parts) / len(parts) if parts else None


def weakness_reason(record: TaskRecord, topic: str = "") -> str:
    """Why a task was chosen as the weakest, in the learner's words (its evidence)."""
    parts = []
    if record.attempts:
        parts.append(f"{record.passes} of {record.attempts} implement attempts passed")
    if record.topic_answers:
        share = record.topic_correct / record.topic_answers
        parts.append(f"{share:.0%} of {record.topic_answers} {topic or 'topic'} answers right")
    return "; ".join(parts)


def weakest_task(records: Sequence[TaskRecord], rng: random.Random) -> str | None:
    """The task with the most evidence of weakness (ties broken by ``rng``); None without evidence."""
    scored = [(w, rng.random(), r.task) for r in records if (w := weakness(r)) is not None]
    if not scored:
        return None
    scored.sort(key=lambda s: (-s[0], s[1]))
    return scored[0][2]


def interview_tasks(bank: Bank) -> list[ImplementItem]:
    """Tasks an interview can be about: the losses (not a bare gradient or activation)."""
    gradients = gradient_tasks()
    return [t for t in bank.tasks() if t.id not in gradients]
