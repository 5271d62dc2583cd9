"""The banks' flashcards as an Anki deck (``genanki``).

Each note's GUID is derived from the card id alone (``genanki.guid_for(card.id)``), so
importing a newer export into Anki updates the notes instead of duplicating them. Model
and deck ids are fixed for the same reason. Fields are HTML-escaped: a ``<`` in a
formula is text, not markup.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import genanki

from lossdrill.bank.schema import Card

MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110
DECK_NAME = "lossdrill"

CSS = """
.card { font-family: sans-serif; font-size: 20px; text-align: left; }
.meta { color: #888; font-size: 14px; margin-top: 1em; }
"""

MODEL = genanki.Model(
    MODEL_ID,
    "lossdrill card",
    fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Topic"}, {"name": "Id"}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Front}}",
            "afmt": '{{FrontSide}}<hr id="answer">{{Back}}<div class="meta">{{Topic}} · {{Id}}</div>',
        }
    ],
    css=CSS,
)


def field_html(text: str) -> str:
    """Plain text as an Anki field: escaped, line breaks and indentation kept."""
    lines = html.escape(text.strip()).replace("\r\n", "\n").split("\n")
    return "<br>".join(_keep_indent(line) for line in lines)


def _keep_indent(line: str) -> str:
    body = line.lstrip(" ")
    return "&nbsp;" * (len(line) - len(body)) + body


def note_for(card: Card) -> genanki.Note:
    return genanki.Note(
        model=MODEL,
        fields=[
            field_html(card.front),
            field_html(card.back),
            field_html(card.topic),
            field_html(card.id),
        ],
        guid=genanki.guid_for(card.id),
        tags=_tags(card),
    )


def build_package(cards: Sequence[Card]) -> genanki.Package:
    deck = genanki.Deck(DECK_ID, DECK_NAME, description="Loss functions for ML interviews")
    for card in cards:
        deck.add_note(note_for(card))
    return genanki.Package(deck)


def _tags(card: Card) -> list[str]:
    # Anki tags cannot hold spaces.
    raw = [f"lossdrill::{card.topic}", *card.tags]
    return list(dict.fromkeys(re.sub(r"\s+", "_", t) for t in raw if t.strip()))
