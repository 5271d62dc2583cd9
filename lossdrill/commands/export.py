"""``lossdrill export anki OUT.apkg``: the flashcards as an Anki deck."""

from __future__ import annotations

import os
from pathlib import Path

from rich.markup import escape

from lossdrill.commands.preamble import banks_with_warnings, unknown_topic
from lossdrill.ui.console import make_console


def run(out: str, topics: list[str], banks: list[str]) -> int:
    console = make_console()
    err = make_console(stderr=True)
    err.soft_wrap = True  # paths in messages stay whole, to copy
    bank = banks_with_warnings(banks, err)
    cards = bank.cards()
    if unknown_topic(topics, cards, err):
        return 2
    if topics:
        cards = [c for c in cards if c.topic in topics]
    if not cards:
        err.print("[red]No flashcards to export.[/]")
        return 1
    path = Path(out).expanduser()
    if path.is_dir():
        err.print(
            f"[red]{escape(out)} is a folder.[/] Name the deck file, for example "
            f"{escape(str(path / 'lossdrill.apkg'))}"
        )
        return 2
    if path.suffix.lower() != ".apkg":
        example = path.with_name(f"{path.name}.apkg") if path.name else Path("lossdrill.apkg")
        err.print(
            f"[red]{escape(out)}: the file name must end in .apkg[/] "
            f"(for example {escape(str(example))})"
        )
        return 2
    if path.parent.exists() and not path.parent.is_dir():
        err.print(
            f"[red]Cannot write {escape(out)}: {escape(str(path.parent))} is a file, "
            "not a folder.[/]"
        )
        return 2
    if not path.parent.is_dir():
        err.print(
            f"[red]No folder {escape(str(path.parent))!r} to write {escape(path.name)} into.[/]"
        )
        return 2
    replacing = path.exists()

    from lossdrill.flashcards.anki import DECK_NAME, build_package

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        build_package(cards).write_to_file(str(tmp))
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        err.print(
            f"[red]Cannot write {escape(out)}: {escape(exc.strerror or str(exc))}.[/] "
            f"Is the folder {escape(str(path.parent))} writable?"
        )
        return 1
    done = "Replaced" if replacing else "Wrote"
    console.print(
        f"{done} {escape(str(path))}: {len(cards)} cards, Anki deck {DECK_NAME!r}.", soft_wrap=True
    )
    console.print(
        "Import it in Anki (File > Import); importing a newer export updates the "
        "notes instead of duplicating them."
    )
    return 0
