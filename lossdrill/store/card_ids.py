"""Merged duplicate cards keep their review history.

When two cards taught the same fact, one survived and lists the other ids in its
``replaces`` field. The first time the store meets the survivor, the schedule and the
review log of the replaced ids move to it: the most recently reviewed schedule of the
group is kept (the survivor's own if it was reviewed last), the others are dropped, and
every review row is re-labelled with the survivor's id. Runs inside the store's
transaction when the bank's cards are synced; it does nothing once the old ids are gone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from lossdrill.bank.schema import Card


def adopt_replaced_ids(conn: sqlite3.Connection, cards: Iterable[Card]) -> int:
    """Move the schedules and reviews of replaced card ids to their survivors; returns how
    many old ids were merged."""
    merged = 0
    for card in cards:
        if not card.replaces:
            continue
        ids = [card.id, *card.replaces]
        marks = ",".join("?" * len(ids))
        rows = conn.execute(
            f"SELECT card_id, coalesce(last_review, -1), reps FROM cards WHERE card_id IN ({marks})",
            ids,
        ).fetchall()
        present = {r[0]: (r[1], r[2]) for r in rows}
        old_present = [i for i in card.replaces if i in present]
        if not old_present:
            continue
        keep = max(present, key=lambda i: present[i])
        for other in present:
            if other != keep:
                conn.execute("DELETE FROM cards WHERE card_id = ?", (other,))
        if keep != card.id:
            conn.execute("UPDATE cards SET card_id = ? WHERE card_id = ?", (card.id, keep))
        old_marks = ",".join("?" * len(old_present))
        conn.execute(
            f"UPDATE reviews SET card_id = ? WHERE card_id IN ({old_marks})",
            [card.id, *old_present],
        )
        merged += len(old_present)
    return merged
