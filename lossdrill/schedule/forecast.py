"""The forecast for the interview day, from FSRS retrievability.

For each item the probability of recalling it on the day is its retrievability then
(:class:`~lossdrill.schedule.memory.Curve`); an item never practised counts 0. A topic's
figure is the mean over its items. A readiness line (the checklist of
:mod:`lossdrill.progress.readiness`) passes with the probability that its evidence would
hold on the day, items recalled independently:

- a line that needs every one of some tasks (10-minute MSE/MAE/BCE, stability, gradients):
  the product of their probabilities;
- a line that needs a share of questions right (failure modes, business, gradient questions):
  P(at least 80% of the line's items recalled), the Poisson-binomial tail;
- edge cases: P(at least 5 tasks implementable).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lossdrill.schedule.memory import DEFAULT_CURVE, Curve
from lossdrill.schedule.planner import Candidate

QUIZ_SHARE = 0.8
EDGE_TASKS = 5


@dataclass(frozen=True)
class TopicForecast:
    topic: str
    items: int
    practised: int
    recall: float
    """Mean probability of recall on the day over the topic's items (never practised: 0)."""


@dataclass(frozen=True)
class LineForecast:
    text: str
    probability: float


@dataclass(frozen=True)
class Forecast:
    at: float
    topics: tuple[TopicForecast, ...]
    lines: tuple[LineForecast, ...]


def recall_on(c: Candidate, at: float, curve: Curve) -> float:
    m = c.memory
    if m is None or m.stability is None:
        return 0.0
    return curve.retrievability(m.stability, m.last_review, at)


def at_least(probabilities: Sequence[float], k: int) -> float:
    """P(at least ``k`` of independent events with these probabilities): Poisson binomial."""
    if k <= 0:
        return 1.0
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        for j, q in enumerate(dist):
            nxt[j] += q * (1 - p)
            nxt[j + 1] += q * p
        dist = nxt
    return float(sum(dist[k:]))


def share_at_least(probabilities: Sequence[float], share: float) -> float:
    import math

    if not probabilities:
        return 0.0
    return at_least(probabilities, math.ceil(share * len(probabilities) - 1e-9))


def forecast(
    candidates: Sequence[Candidate],
    at: float,
    *,
    curve: Curve = DEFAULT_CURVE,
    lines: Sequence[tuple[str, str, Sequence[str]]] = (),
) -> Forecast:
    """``lines``: (text, rule, item ids) with rule ``all`` (every item), ``share`` (80%) or
    ``k:<n>`` (at least n)."""
    by_topic: dict[str, list[float]] = {}
    practised: dict[str, int] = {}
    recall: dict[str, float] = {}
    for c in candidates:
        r = recall_on(c, at, curve)
        recall[c.item_id] = r
        if c.kind == "card":
            continue  # topics are judged on questions and tasks; cards support them
        by_topic.setdefault(c.topic, []).append(r)
        practised[c.topic] = practised.get(c.topic, 0) + int(c.memory is not None)
    topics = tuple(
        TopicForecast(t, len(rs), practised.get(t, 0), sum(rs) / len(rs))
        for t, rs in sorted(by_topic.items())
    )
    out = []
    for text, rule, ids in lines:
        ps = [recall.get(i, 0.0) for i in ids]
        if rule == "all":
            p = 1.0
            for q in ps:
                p *= q
            p = p if ps else 0.0
        elif rule == "share":
            p = share_at_least(ps, QUIZ_SHARE)
        else:
            p = at_least(ps, int(rule.split(":", 1)[1]))
        out.append(LineForecast(text, p))
    return Forecast(at, topics, tuple(out))
