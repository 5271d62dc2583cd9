"""``lossdrill progress``: mastery, weak spots, what is due, and interview readiness."""

from __future__ import annotations

import sys

from lossdrill.bank.loader import load_banks
from lossdrill.commands.preamble import print_bank_warnings, print_notice
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
    err = None
    if bank.errors:
        from lossdrill.ui.console import make_console

        err = make_console(stderr=True)
        print_bank_warnings(bank, err)
    print_notice(store, err)  # set on open, or when damage was found while reading
    if as_json:
        sys.stdout.write(report.to_json() + "\n")
        return 0
    from lossdrill.ui.console import make_console
    from lossdrill.ui.progress_view import render

    render(make_console(), report)
    return 0
