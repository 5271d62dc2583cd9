"""``lossdrill progress``: mastery, weak spots, what is due, and interview readiness."""

from __future__ import annotations

import sys

from lossdrill.bank.loader import load_banks
from lossdrill.progress.report import build_report
from lossdrill.store import open_store
from lossdrill.ui.console import make_console


def run(as_json: bool, banks: list[str], home: str | None) -> int:
    err = make_console(stderr=True)
    bank = load_banks(banks)
    for e in bank.errors:
        err.print(f"[yellow]warning:[/] {e}", soft_wrap=True)
    store = open_store(home)
    if store.notice:
        err.print(f"[yellow]{store.notice}[/]")
    try:
        report = build_report(store, bank)
    finally:
        store.close()
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        return 0
    from lossdrill.ui.progress_view import render

    render(make_console(), report)
    return 0
