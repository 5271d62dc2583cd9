"""Choose the questions of a quiz session and the order of their options.

Everything random is derived from the session seed and the item id, so the same seed
gives the same questions in the same order with the same option order, whatever the
answers were.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from lossdrill.bank.schema import Item


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
    items: Sequence[Item],
    *,
    topics: Sequence[str] = (),
    kinds: Sequence[str] = (),
    count: int,
    seed: int,
) -> list[Item]:
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
    by_topic: dict[str, list[Item]] = {}
    for item in pool:
        by_topic.setdefault(item.topic, []).append(item)
    queues = [by_topic[t] for t in sorted(by_topic)]
    for queue in queues:
        rng.shuffle(queue)
    rng.shuffle(queues)
    chosen: list[Item] = []
    while len(chosen) < count and any(queues):
        for queue in queues:
            if queue and len(chosen) < count:
                chosen.append(queue.pop())
    rng.shuffle(chosen)
    return chosen
