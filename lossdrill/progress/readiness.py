"""The lecture's Interview Readiness Checklist, each line judged from recorded evidence.

Each line keeps the lecture's wording, states the rule that decides it, and reports the
evidence found. Every rule looks at the last :data:`WINDOW_DAYS` days, so readiness
fades when practice stops.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lossdrill.implement import TARGET_MINUTES
from lossdrill.store import queries
from lossdrill.store.db import Store

if TYPE_CHECKING:
    from lossdrill.bank.view import BankView

WINDOW_DAYS = 30
DAY = 86400.0
FAILURE_TAGS = ("gotcha", "failure-modes", "when-to-use", "decision-guide")
BUSINESS_TAGS = ("business",)
SPEED_LIMIT_S = TARGET_MINUTES * 60.0
QUIZ_TARGET = 0.8


def _role(role: str, bank: BankView) -> tuple[str, ...]:
    """The tasks whose record makes them evidence for ``role`` (speed, stability, gradient)."""
    from lossdrill.bank.tasks import with_role

    return with_role(role, bank)


@dataclass
class ChecklistLine:
    text: str
    """The lecture's wording."""
    rule: str
    """What lossdrill checks to tick the line."""
    met: bool
    evidence: list[str] = field(default_factory=list)
    """What was found, one short fact per entry."""


def evaluate_checklist(store: Store, bank: BankView, now: float) -> list[ChecklistLine]:
    since = now - WINDOW_DAYS * DAY
    return [
        _speed(store, bank, since),
        _failure_modes(store, bank, since),
        _stability(store, bank, since),
        _gradients(store, bank, since),
        _business(store, bank, since),
        _edge_cases(store, since),
    ]


def _speed(store: Store, bank: BankView, since: float) -> ChecklistLine:
    evidence = []
    met = True
    for task in _role("speed", bank):
        ev = queries.speed_evidence(store, task, since)
        best, passes, untimed = ev.best_s, ev.passes, ev.untimed
        if best is not None:
            ok = best <= SPEED_LIMIT_S
            met = met and ok
            evidence.append(f"{task}: {_duration(best)}{'' if ok else ' (over 10 min)'}")
            continue
        met = False
        if not passes:
            evidence.append(f"{task}: not passed")
        elif untimed:
            # `implement --check` grades a file without timing it, and re-opening a file
            # that already passes is a re-check: only a blank starter starts the clock.
            evidence.append(
                f"{task}: passed, but untimed (--check or a re-check); time it"
                f" from a blank starter with `lossdrill implement {task} --fresh`"
            )
        else:
            evidence.append(f"{task}: passed only with hints")
    return ChecklistLine(
        "Can implement MSE, MAE, BCE from scratch in 10 minutes",
        f"mse, mae and bce each passed within 10 minutes, timed from a blank starter and"
        f" without hints, in the last {WINDOW_DAYS} days",
        met,
        evidence,
    )


def _quiz_share(store: Store, item_ids: Sequence[str], since: float) -> tuple[int, float | None]:
    share = queries.quiz_share(store, item_ids, since)
    return share.answers, share.accuracy


def _quiz_line(
    store: Store, since: float, text: str, what: str, ids: list[str], minimum: int
) -> ChecklistLine:
    n, acc = _quiz_share(store, ids, since)
    met = n >= minimum and acc is not None and acc >= QUIZ_TARGET
    evidence = [_quiz_evidence(n, acc, minimum)] if ids else ["no such questions in the banks"]
    return ChecklistLine(
        text,
        f"at least {minimum} answers to {what} in the last {WINDOW_DAYS} days,"
        f" {QUIZ_TARGET:.0%} right",
        met,
        evidence,
    )


def _quiz_evidence(n: int, acc: float | None, minimum: int, what: str = "") -> str:
    """'3 of the 10 answers needed, 67% right' / '12 answers, 92% right'."""
    count = f"{n} of the {minimum} answers needed" if n < minimum else _plural(n, "answer")
    right = "" if acc is None else f", {acc:.0%} right"
    if acc is not None and acc < QUIZ_TARGET:
        right += f" ({QUIZ_TARGET:.0%} needed)"
    return f"{what}{count}{right}"


def _failure_modes(store: Store, bank: BankView, since: float) -> ChecklistLine:
    ids = [
        i.id for i in bank.quiz_items() if i.kind == "scenario" or set(i.tags) & set(FAILURE_TAGS)
    ]
    return _quiz_line(
        store,
        since,
        "Know when each loss fails and why",
        "scenarios and gotcha / failure-mode / when-to-use questions",
        ids,
        10,
    )


def _business(store: Store, bank: BankView, since: float) -> ChecklistLine:
    ids = [
        i.id
        for i in bank.quiz_items()
        if i.topic == "production" or set(i.tags) & set(BUSINESS_TAGS)
    ]
    return _quiz_line(
        store,
        since,
        "Explain business impact of loss choice",
        "production and business questions",
        ids,
        5,
    )


def _passed_stability_group(store: Store, task: str, since: float) -> tuple[bool, bool]:
    """(attempted with a stability group, passed it) in the window."""
    ev = queries.stability_evidence(store, task, since)
    return ev.tried, ev.passed


def _stability(store: Store, bank: BankView, since: float) -> ChecklistLine:
    evidence = []
    met = True
    tasks = _role("stability", bank)
    for task in tasks:
        tried, ok = _passed_stability_group(store, task, since)
        met = met and ok
        evidence.append(f"{task}: " + ("stable" if ok else "unstable" if tried else "not tried"))
    return ChecklistLine(
        "Understand numerical stability (logits vs probabilities)",
        f"the stability cases passed for {', '.join(tasks)} in the last {WINDOW_DAYS} days",
        met,
        evidence,
    )


def _gradients(store: Store, bank: BankView, since: float) -> ChecklistLine:
    evidence = []
    met = True
    tasks = _role("gradient", bank)
    for task in tasks:
        passed = queries.passes_since(store, task, since)
        met = met and passed > 0
        evidence.append(f"{task}: {'passed' if passed else 'not passed'}")
    ids = [i.id for i in bank.quiz_items() if i.topic == "gradients"]
    n, acc = _quiz_share(store, ids, since)
    quiz_ok = n >= 5 and acc is not None and acc >= QUIZ_TARGET
    met = met and quiz_ok
    evidence.append(_quiz_evidence(n, acc, 5, "gradient questions: "))
    return ChecklistLine(
        "Can derive key gradients (BCE + sigmoid = p - y)",
        f"{' and '.join(tasks)} passed, and at least 5 gradient questions 80% right,"
        f" in the last {WINDOW_DAYS} days",
        met,
        evidence,
    )


def _edge_cases(store: Store, since: float) -> ChecklistLine:
    tasks = queries.tasks_passed_since(store, since)
    slips = [(s.task, s.code) for s in queries.recent_slips(store, ("empty-batch", "unstable"), 10)]
    met = tasks >= 5 and not slips
    passed = f"{tasks} of the 5 tasks needed passed" if tasks < 5 else f"{tasks} tasks passed"
    if slips:
        which = ", ".join(f"{task} {code}" for task, code in dict.fromkeys(slips))
        slipped = (
            f"{_plural(len(slips), 'empty-batch/unstable slip')} in the last 10 attempts ({which})"
        )
    else:
        slipped = "no empty-batch/unstable slip in the last 10 attempts"
    return ChecklistLine(
        "Handle edge cases (empty batches, extreme values)",
        f"at least 5 tasks passed in the last {WINDOW_DAYS} days (a pass clears every empty-batch"
        " and extreme-value case), and none of the last 10 attempts diagnosed empty-batch or"
        " unstable",
        met,
        [passed, slipped],
    )


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}m{s:02d}s"
