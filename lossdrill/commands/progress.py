"""``lossdrill progress``: mastery, weak spots, what is due, and interview readiness."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING

from lossdrill.commands.preamble import print_bank_warnings, print_notice
from lossdrill.progress.report import build_report
from lossdrill.store import Store, open_store

if TYPE_CHECKING:
    from lossdrill.bank.schema import Bank
    from lossdrill.bank.view import BankView
    from lossdrill.schedule.forecast import Forecast


def run(as_json: bool, banks: list[str], home: str | None, calibration: bool = False) -> int:
    if calibration:
        from lossdrill.ui.calibration_view import run as calibration_run

        return calibration_run(as_json, home)
    store = open_store(home)
    try:
        forecast = None
        if _plan_set(store):  # the forecast needs every record
            from lossdrill.bank.loader import load_banks

            full = load_banks(banks)
            report = build_report(store, full)
            forecast = _forecast(store, full)
            bank: BankView = full
        else:
            bank = _bank(banks)
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
        if forecast is None:
            sys.stdout.write(report.to_json() + "\n")
        else:
            import json
            from dataclasses import asdict

            body = report.to_dict()
            body["forecast"] = {"interview": forecast[0].isoformat(), **asdict(forecast[1])}
            sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return 0
    from lossdrill.ui.console import make_console
    from lossdrill.ui.progress_view import render, render_forecast

    console = make_console()
    render(console, report)
    if forecast is not None:
        from lossdrill.schedule import clock

        render_forecast(console, *forecast, today=clock.day_of(clock.now()))
    return 0


def _bank(banks: list[str]) -> BankView:
    """The banks' summary (:mod:`lossdrill.bank.summary`: no record is built), which is all
    the report reads; every record where the summary cannot be served as a load would."""
    from lossdrill.bank.summary import load_summary

    summary = load_summary(banks)
    if summary is not None:
        return summary
    from lossdrill.bank.loader import load_banks

    return load_banks(banks)


def _plan_set(store: Store) -> bool:
    """Whether the learner has set an interview day (``lossdrill plan``)."""
    from lossdrill.store.plan import plan_settings

    return bool(plan_settings(store.conn).interview_date)


def _forecast(store: Store, bank: Bank) -> tuple[date, Forecast] | None:
    """The forecast for the interview day the learner has set."""
    from lossdrill.schedule import clock, state

    engine = state.gather(store, bank, clock.now())
    interview = engine.settings.interview
    if interview is None or interview < clock.day_of(clock.now()):
        return None
    fc = state.forecast_for(engine, bank)
    return (interview, fc) if fc is not None else None
