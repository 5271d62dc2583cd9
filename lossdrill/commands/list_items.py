"""``lossdrill list``: every item and task by topic and kind, with counts."""

from __future__ import annotations

import json
from collections import Counter

from rich.markup import escape
from rich.table import Table

from lossdrill.bank.loader import load_banks
from lossdrill.bank.schema import KINDS
from lossdrill.ui.console import make_console
from lossdrill.ui.errors import report_unknown


def run(topics: list[str], kinds: list[str], as_json: bool, banks: list[str]) -> int:
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        return report_unknown("kind", unknown[0], KINDS)
    bank = load_banks(banks)
    items = [
        i for i in bank.items
        if (not topics or i.topic in topics) and (not kinds or i.kind in kinds)
    ]
    items.sort(key=lambda i: (i.topic, i.kind, i.id))
    cards = [c for c in bank.cards() if not topics or c.topic in topics]
    if as_json:
        print(json.dumps({
            "items": [
                {"id": i.id, "version": i.version, "kind": i.kind, "topic": i.topic,
                 "difficulty": i.difficulty, "tags": list(i.tags), "file": i.file}
                for i in items
            ],
            "counts": {
                "by_kind": dict(Counter(i.kind for i in items)),
                "by_topic": dict(Counter(i.topic for i in items)),
                "flashcards": len(cards),
                "total": len(items),
            },
            "errors": [str(e) for e in bank.errors],
        }))
        return 0
    console = make_console()
    err = make_console(stderr=True)
    for e in bank.errors:
        err.print(f"[yellow]warning:[/] {escape(str(e))}", soft_wrap=True)
    if not items:
        console.print("[yellow]No items match these filters.[/]")
        return 0
    by_topic: dict[str, list] = {}
    for i in items:
        by_topic.setdefault(i.topic, []).append(i)
    for topic, group in by_topic.items():
        table = Table(title=f"{topic} ({len(group)})", title_justify="left", expand=False)
        table.add_column("kind")
        table.add_column("id")
        table.add_column("level", justify="center")
        table.add_column("tags", overflow="fold")
        for i in group:
            table.add_row(i.kind, i.id, "★" * i.difficulty, ", ".join(i.tags))
        console.print(table)
    counts = Table(title="Counts", title_justify="left")
    counts.add_column("kind")
    counts.add_column("items", justify="right")
    for kind, n in sorted(Counter(i.kind for i in items).items()):
        counts.add_row(kind, str(n))
    counts.add_row("flashcards (all cards)", str(len(cards)), style="dim")
    counts.add_row("total items", str(len(items)), style="bold")
    console.print(counts)
    return 0
