"""``lossdrill progress``: mastery, weak spots, what is due, and interview readiness."""

from __future__ import annotations

import sys

from lossdrill.bank.loader import load_banks
from lossdrill.progress.report import build_report
from lossdrill.store import open_store


def run(as_json: bool, banks: list[str], home: str | None, calibration: bool = False) -> int:
    if calibration:
        from lossdrill.ui.calibration_view import run as calibration_run

        return calibration_run(as_json, home)
    bank = load_banks(banks)
    store = open_store(home)
    try:
        report = build_report(store, bank)
    finally:
        store.close()
    # rich is imported only when something is shown with it (--json stays lean).
    warnings = [("warning: ", str(e)) for e in bank.errors]
    if store.notice:  # set on open, or when damage was found while reading
        warnings.append(("", store.notice))
    if warnings:
        from rich.markup import escape

        from lossdrill.ui.console import make_console

        err = make_console(stderr=True)
        for label, text in warnings:
            err.print(f"[yellow]{label}{escape(text)}[/]", soft_wrap=True)
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        return 0
    from lossdrill.ui.console import make_console
    from lossdrill.ui.progress_view import render

    render(make_console(), report)
    return 0
