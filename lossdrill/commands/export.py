"""``lossdrill export anki OUT.apkg``: the flashcards as an Anki deck."""

from __future__ import annotations

import os
from pathlib import Path

from rich.markup import escape

from lossdrill.bank.loader import load_banks
from lossdrill.ui.console import make_console


def run(out: str, topics: list[str], banks: list[str]) -> int:
    console = make_console()
    err = make_console(stderr=True)
    bank = load_banks(banks)
    for e in bank.errors:
        err.print(f"[yellow]warning:[/] {escape(str(e))}", soft_wrap=True)
    cards = bank.cards()
    known = sorted({c.topic for c in cards})
    bad = [t for t in topics if t not in known]
    if bad:
        err.print(f"[red]No flashcards for topic {bad[0]!r}.[/] Topics: {', '.join(known) or 'none'}")
        return 2
    if topics:
        cards = [c for c in cards if c.topic in topics]
    if not cards:
        err.print("[red]No flashcards to export.[/]")
        return 1
    path = Path(out).expanduser()
    if path.suffix != ".apkg":
        err.print(f"[red]{out}: the file name must end in .apkg[/]")
        return 2
    if path.is_dir():
        err.print(f"[red]{out} is a folder.[/]")
        return 2
    if not path.parent.is_dir():
        err.print(f"[red]No folder {str(path.parent)!r} to write {path.name} into.[/]")
        return 2

    from lossdrill.flashcards.anki import DECK_NAME, build_package

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        build_package(cards).write_to_file(str(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        err.print(f"[red]Cannot write {out}: {exc.strerror or exc}[/]")
        return 1
    console.print(f"Wrote {len(cards)} cards to {path} (Anki deck {DECK_NAME!r}). "
                  "Importing it again updates the notes instead of duplicating them.")
    return 0
