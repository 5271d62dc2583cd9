"""The engine's inputs gathered from a bank and a store: what the planner and the forecast
read. This is the only module of the package that touches the store (through
:mod:`lossdrill.store.schedule`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from lossdrill.schedule import misconceptions as mc
from lossdrill.schedule.memory import Curve
from lossdrill.schedule.planner import Candidate, Plan, Settings, interview_instant, plan_day
from lossdrill.store import schedule as unified
from lossdrill.store.plan import plan_settings

if TYPE_CHECKING:
    from lossdrill.bank.schema import Bank
    from lossdrill.schedule.forecast import Forecast
    from lossdrill.store.db import Store

LOOKBACK_DAYS = 21
DAY = 86400.0


@dataclass(frozen=True)
class EngineState:
    now: float
    settings: Settings
    candidates: tuple[Candidate, ...]
    curve: Curve
    misconceptions: dict[str, float]
    last_interview: float | None
    new_cards_today: int


def candidates(bank: Bank, scheduled: Sequence[unified.ScheduledItem]) -> list[Candidate]:
    """Every quiz item, bug hunt, implement task and card of the bank, with its memory."""
    from lossdrill.bank.schema import QUIZ_KINDS

    memory = {(s.kind, s.item_id): s.memory for s in scheduled}
    out = []
    for item in bank.items:
        if item.kind in QUIZ_KINDS or item.kind == "implement":
            out.append(
                Candidate(
                    item.kind,
                    item.id,
                    item.topic,
                    memory.get((item.kind, item.id)),
                    tuple(item.misconceptions),
                )
            )
    for card in bank.cards():
        source = bank.get(card.source_item)
        named = tuple(getattr(card, "misconceptions", ())) or tuple(
            getattr(source, "misconceptions", ()) if source is not None else ()
        )
        out.append(Candidate("card", card.id, card.topic, memory.get(("card", card.id)), named))
    return out


def settings_of(store: Store) -> Settings:
    s = plan_settings(store.conn)
    when = date.fromisoformat(s.interview_date) if s.interview_date else None
    return Settings(when, s.minutes)


def gather(store: Store, bank: Bank, now: float) -> EngineState:
    conn = store.conn
    params = unified.scheduler_parameters(conn)
    cands = candidates(bank, unified.all_scheduled(conn))
    ev = unified.recent_evidence(conn, now - LOOKBACK_DAYS * DAY)
    named = {c.item_id: c.misconceptions for c in cands if c.misconceptions and c.kind != "card"}
    options = {}
    for item in bank.quiz_items():
        for opt in getattr(item, "options", ()) or ():
            if opt.misconceptions:
                options[(item.id, opt.text)] = opt.misconceptions
    weights = mc.active(
        mc.load(), named, ev.wrong_answers, ev.right_items, ev.diagnoses, now, options
    )
    start = interview_instant(_day(now)) - 12 * 3600
    return EngineState(
        now,
        settings_of(store),
        tuple(cands),
        Curve.of(params),
        weights,
        ev.last_interview,
        store.new_cards_reviewed_since(start),
    )


def plan_for(state: EngineState) -> Plan:
    return plan_day(
        state.now,
        state.candidates,
        state.settings,
        curve=state.curve,
        misconceptions=state.misconceptions,
        last_interview=state.last_interview,
        new_cards_today=state.new_cards_today,
    )


def readiness_lines(bank: Bank) -> list[tuple[str, str, list[str]]]:
    """The checklist's lines as (text, rule, item ids) for :func:`forecast`."""
    from lossdrill.bank.tasks import with_role
    from lossdrill.progress import readiness as r

    quiz = bank.quiz_items()
    failure = [i.id for i in quiz if i.kind == "scenario" or set(i.tags) & set(r.FAILURE_TAGS)]
    business = [i.id for i in quiz if i.topic == "production" or set(i.tags) & set(r.BUSINESS_TAGS)]
    gradient_q = [i.id for i in quiz if i.topic == "gradients"]
    tasks = [t.id for t in bank.tasks()]
    return [
        (
            "Can implement MSE, MAE, BCE from scratch in 10 minutes",
            "all",
            list(with_role("speed", bank)),
        ),
        ("Know when each loss fails and why", "share", failure),
        (
            "Understand numerical stability (logits vs probabilities)",
            "all",
            list(with_role("stability", bank)),
        ),
        (
            "Can derive key gradients (BCE + sigmoid = p - y): tasks",
            "all",
            list(with_role("gradient", bank)),
        ),
        ("Can derive key gradients (BCE + sigmoid = p - y): questions", "share", gradient_q),
        ("Explain business impact of loss choice", "share", business),
        ("Handle edge cases (empty batches, extreme values)", f"k:{5}", tasks),
    ]


def forecast_for(state: EngineState, bank: Bank, day: date | None = None) -> Forecast | None:
    """The forecast for the interview day (or ``day``); None without either."""
    from lossdrill.schedule.forecast import forecast

    day = day or state.settings.interview
    if day is None:
        return None
    return forecast(
        state.candidates, interview_instant(day), curve=state.curve, lines=readiness_lines(bank)
    )


def _day(now: float) -> date:
    from lossdrill.schedule.clock import day_of

    return day_of(now)
