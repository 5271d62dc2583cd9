"""Quiz and implement results feeding the flashcard schedule.

The store brings forward the cards of a failed item or task as the failure is recorded
(cards carried by the item, cards tagged with the task id). It does not know the bank, so
a wrong quiz answer cannot reach the cards of the losses the question is about; this
module adds that link when a flashcard session starts: a wrong answer to a question
tagged with a task id (``focal``, ``bce``...) brings forward the cards of that task and the
cards tagged with it. Cards reviewed after the failure are left alone.
"""

from __future__ import annotations

from lossdrill.bank.schema import Bank
from lossdrill.store import queries
from lossdrill.store.db import Store

LOOKBACK_DAYS = 14


def related_keys(bank: Bank, item_id: str) -> list[str]:
    """The item itself and the implement tasks its tags name."""
    item = bank.get(item_id)
    if item is None:
        return [item_id]
    task_ids = {t.id for t in bank.tasks()}
    return [item_id, *(t for t in item.tags if t in task_ids and t != item_id)]


def apply_recent_failures(store: Store, bank: Bank, now: float) -> int:
    """Bring forward the cards related to wrong quiz answers and failed implement attempts
    of the last two weeks.

    The store already did this when each failure was recorded, but only for the cards it
    held then: a failure recorded before the first flashcard session (cards are added to
    the store when a session starts) reaches its cards here.
    """
    since = now - LOOKBACK_DAYS * 86400.0
    changed = 0
    for item_id, at in queries.failed_items_since(store, since):
        changed += store.bring_forward(related_keys(bank, item_id), at)
    for task, at in queries.failed_tasks_since(store, since):
        changed += store.bring_forward([task], at)
    return changed
