"""Choose the questions of a quiz session and the order of their options.

Without ``--seed`` the quiz adapts (:func:`adaptive_items`): due and weak items first,
then unseen ones, spread over topics. With ``--seed`` (:func:`select_items`) everything random is derived from the session seed and the item id, so the same seed
gives the same questions in the same order with the same option order, whatever the
answers were.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

from lossdrill.bank.schema import Item
from lossdrill.schedule.memory import Curve, Memory

_I = TypeVar("_I", bound=Item)

WEAK_R = 0.85


def item_rng(seed: int, item_id: str) -> random.Random:
    """The random source for one question's option order."""
    return random.Random(f"{seed}:{item_id}")


def shuffled_order(n: int, rng: random.Random) -> list[int]:
    order = list(range(n))
    rng.shuffle(order)
    return order


def new_seed() -> int:
    return random.SystemRandom().randrange(1, 10**6)


def select_items(
    items: Sequence[_I],
    *,
    topics: Sequence[str] = (),
    kinds: Sequence[str] = (),
    count: int,
    seed: int,
) -> list[_I]:
    """Up to ``count`` items matching the topics and kinds (any of each), in seeded order.

    Topics spread evenly: items are drawn round-robin from each topic's shuffled list,
    so a ten-question quiz touches every topic rather than ten regression items.
    """
    pool = [
        item
        for item in sorted(items, key=lambda i: i.id)
        if (not topics or item.topic in topics) and (not kinds or item.kind in kinds)
    ]
    rng = random.Random(seed)
    by_topic: dict[str, list[_I]] = {}
    for item in pool:
        by_topic.setdefault(item.topic, []).append(item)
    queues = [by_topic[t] for t in sorted(by_topic)]
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    chosen: list[_I] = []
    while len(chosen) < count and any(queues):
        for queue in queues:
            if queue and len(chosen) < count:
                chosen.append(queue.pop())
    rng.shuffle(chosen)
    return chosen


def adaptive_items(
    items: Sequence[Item],
    memory: Mapping[tuple[str, str], Memory],
    now: float,
    *,
    topics: Sequence[str] = (),
    kinds: Sequence[str] = (),
    count: int,
    curve: Curve | None = None,
    boosted: Sequence[str] = (),
) -> list[Item]:
    """Up to ``count`` items chosen from the learner's schedule (the default without --seed).

    Order: items due (FSRS, by the end of today), the most forgotten first; then weak
    items (practised, retrievability under :data:`WEAK_R` now, or named in ``boosted``:
    items that repair an active misconception); then items never seen, spread over
    topics round-robin; then the rest, least retrievable first. Deterministic for a
    given schedule and clock.
    """
    curve = curve or Curve()
    boost = set(boosted)
    pool = [
        i
        for i in sorted(items, key=lambda i: i.id)
        if (not topics or i.topic in topics) and (not kinds or i.kind in kinds)
    ]
    end_of_day = (math.floor(now / 86400.0) + 1) * 86400.0
    due, weak, rest = [], [], []
    unseen: dict[str, list[Item]] = {}
    for item in pool:
        m = memory.get((item.kind, item.id))
        if m is None or m.state == 0:
            unseen.setdefault(item.topic, []).append(item)
            continue
        r = curve.retrievability(m.stability, m.last_review, now)
        if m.due is not None and m.due <= end_of_day:
            due.append((r, item.id, item))
        elif r < WEAK_R or item.id in boost or m.lapses:
            weak.append((0 if item.id in boost else 1, r, item.id, item))
        else:
            rest.append((r, item.id, item))
    chosen = [t[-1] for t in sorted(due, key=lambda t: t[:2])]
    chosen += [t[-1] for t in sorted(weak, key=lambda t: t[:3])]
    queues = [sorted(unseen[t], key=lambda i: _order(i.id)) for t in sorted(unseen)]
    while any(queues) and len(chosen) < count:
        for q in queues:
            if q:
                chosen.append(q.pop(0))
    chosen += [t[-1] for t in sorted(rest, key=lambda t: t[:2])]
    return chosen[:count]


def _order(item_id: str) -> int:
    """A fixed pseudo-random order of unseen items within a topic."""
    from zlib import crc32

    return crc32(item_id.encode())
