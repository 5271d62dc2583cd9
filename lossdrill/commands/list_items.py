"""``lossdrill list``: the implement tasks with their status (new / failing / passed), as
``rustlings list`` does, and the other drills in one line; ``--all`` (or ``--kind``) lists
every item by topic and kind. Ids are never cut: they are what the learner types.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from lossdrill.bank.loader import load_banks
from lossdrill.bank.schema import KINDS, QUIZ_KINDS, ImplementItem
from lossdrill.ui.console import make_console
from lossdrill.ui.errors import report_unknown

STATUS_STYLE = {"passed": "green", "failing": "red", "new": "dim"}


def task_status(home: str | None) -> dict[str, str]:
    """``passed`` or ``failing`` for each task tried (from the store); the rest are new.

    A missing store is not created: listing never writes to the data folder.
    """
    from lossdrill.store import store_path

    if not Path(store_path(home)).exists():
        return {}
    from lossdrill.store import open_store

    store = open_store(home)
    try:
        from lossdrill.store.queries import task_passed

        passed = task_passed(store)
    except Exception:  # a damaged store: the list still shows, every task as new
        return {}
    finally:
        store.close()
    return {task: "passed" if ok else "failing" for task, ok in passed.items()}


def run(
    topics: list[str],
    kinds: list[str],
    as_json: bool,
    banks: list[str],
    show_all: bool = False,
    home: str | None = None,
) -> int:
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        return report_unknown("kind", unknown[0], KINDS)
    bank = load_banks(banks)
    known_topics = {i.topic for i in bank.items} | {c.topic for c in bank.cards()}
    bad = [t for t in topics if t not in known_topics]
    if bad:
        return report_unknown("topic", bad[0], known_topics)
    items = [
        i
        for i in bank.items
        if (not topics or i.topic in topics) and (not kinds or i.kind in kinds)
    ]
    items.sort(key=lambda i: (i.topic, i.kind, i.id))
    cards = [c for c in bank.cards() if not topics or c.topic in topics]
    status = task_status(home)
    if as_json:
        print(
            json.dumps(
                {
                    "items": [
                        {
                            "id": i.id,
                            "version": i.version,
                            "kind": i.kind,
                            "topic": i.topic,
                            "difficulty": i.difficulty,
                            "tags": list(i.tags),
                            "file": i.file,
                            **(
                                {"status": status.get(i.id, "new")}
                                if isinstance(i, ImplementItem)
                                else {}
                            ),
                        }
                        for i in items
                    ],
                    "counts": {
                        "by_kind": dict(Counter(i.kind for i in items)),
                        "by_topic": dict(Counter(i.topic for i in items)),
                        "flashcards": len(cards),
                        "total": len(items),
                    },
                    "errors": [str(e) for e in bank.errors],
                }
            )
        )
        return 0
    console = make_console()
    err = make_console(stderr=True)
    for e in bank.errors:
        err.print(f"[yellow]warning:[/] {escape(str(e))}", soft_wrap=True)
    if not items:
        console.print("[yellow]No items match these filters.[/]")
        return 0
    if show_all or kinds:
        _catalogue(console, items, cards)
    else:
        _summary(console, items, cards, status)
    return 0


def _summary(console, items, cards, status: dict[str, str]) -> None:
    tasks = [i for i in items if isinstance(i, ImplementItem)]
    tasks.sort(key=lambda t: (t.topic, t.difficulty, t.id))
    counts = Counter(status.get(t.id, "new") for t in tasks)
    if tasks:
        head = ", ".join(f"{counts[s]} {s}" for s in ("passed", "failing", "new") if counts[s])
        console.print(
            f"[bold]Implement tasks[/] ({len(tasks)}: {head}); "
            "start one with `lossdrill implement TASK`"
        )
        table = Table(box=None, pad_edge=False, show_edge=False, padding=(0, 2, 0, 0))
        table.add_column("status", no_wrap=True)
        table.add_column("task", no_wrap=True, min_width=max(len(t.id) for t in tasks))
        table.add_column("topic", overflow="fold")
        table.add_column("level", no_wrap=True)
        for t in tasks:
            s = status.get(t.id, "new")
            table.add_row(f"[{STATUS_STYLE[s]}]{s}[/]", t.id, t.topic, "★" * t.difficulty)
        console.print(table)
    others = Counter(i.kind for i in items if not isinstance(i, ImplementItem))
    quiz = sum(n for k, n in others.items() if k in QUIZ_KINDS and k != "bug-hunt")
    parts = [f"{quiz} quiz questions (lossdrill quiz)"] if quiz else []
    if others.get("bug-hunt"):
        parts.append(f"{others['bug-hunt']} bug hunts (lossdrill bughunt)")
    if cards:
        parts.append(f"{len(cards)} flashcards (lossdrill flashcards)")
    if parts:
        console.print()
        console.print("Also: " + "; ".join(parts) + ".")
    console.print("[dim]Every item by topic and kind: lossdrill list --all[/]")


def _catalogue(console, items, cards) -> None:
    by_topic: dict[str, list] = {}
    for i in items:
        by_topic.setdefault(i.topic, []).append(i)
    for topic, group in by_topic.items():
        table = Table(title=f"{topic} ({len(group)})", title_justify="left", expand=False)
        table.add_column("kind", no_wrap=True)
        table.add_column("id", no_wrap=True, min_width=max(len(i.id) for i in group))
        table.add_column("level", justify="center", no_wrap=True)
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
