"""``lossdrill quiz``: a session of gotchas, scenarios, numeric and free-recall questions."""

from __future__ import annotations

import time

from rich.markup import escape

from lossdrill.bank.formula import FormulaError, evaluate
from lossdrill.bank.schema import QUIZ_KINDS, BankError, NumericItem
from lossdrill.commands.preamble import banks_with_warnings, recorder_with_notice
from lossdrill.quiz.select import item_rng, new_seed, select_items
from lossdrill.quiz.summary import QuizSummary
from lossdrill.ui.console import AnswerSource, EndOfInput, make_console
from lossdrill.ui.errors import report_unknown
from lossdrill.ui.quiz_view import ask_item, render_summary


def run(
    topics: list[str],
    kinds: list[str],
    count: int,
    seed: int | None,
    banks: list[str],
    home: str | None,
    ids: list[str] | None = None,
    as_json: bool = False,
    item_ids: list[str] | None = None,
    missed: bool = False,
) -> int:
    """``ids`` asks exactly those items in that order; ``as_json`` prints the summary as one
    JSON object on standard output (the questions and feedback then go to standard error)."""
    ids = ids or []
    err = make_console(stderr=True)
    console = err if as_json else make_console()
    bank = banks_with_warnings(banks, err)
    unknown = [k for k in kinds if k not in QUIZ_KINDS]
    if unknown:
        return report_unknown("kind", unknown[0], QUIZ_KINDS, plural="quiz kinds")
    quiz_items = bank.quiz_items()
    known_topics = sorted({i.topic for i in quiz_items})
    bad_topics = [t for t in topics if t not in known_topics]
    if bad_topics:
        return report_unknown("topic", bad_topics[0], known_topics)
    by_id = {i.id: i for i in quiz_items}
    missing = [i for i in ids if i not in by_id]
    if missing:
        other = bank.get(missing[0])
        why = f"it is a {other.kind} item, not a quiz question" if other else "no such item"
        err.print(f"[red]Cannot ask {missing[0]!r}:[/] {why} (see lossdrill list).")
        return 2
    recorder = recorder_with_notice(home, err)
    if ids:
        chosen = [by_id[i] for i in ids]
    elif seed is not None:
        chosen = select_items(quiz_items, topics=topics, kinds=kinds, count=count, seed=seed)
    else:  # the quiz adapts: planned, missed, or due and weak items first
        from lossdrill.schedule.choose import quiz_items_for

        chosen = quiz_items_for(recorder, quiz_items, topics, kinds, count, item_ids, missed)
    seed = seed if seed is not None else new_seed()
    if not chosen:
        recorder.close()
        err.print(
            "[yellow]No questions match these filters.[/]"
            if not missed
            else "[yellow]No missed questions in the last session.[/]"
        )
        return 1

    answers = AnswerSource(console)
    summary = QuizSummary(
        seed=seed, planned=len(chosen), replay=_replay(topics, kinds, count, seed, banks, ids)
    )
    session = recorder.start_session("quiz")
    start = time.monotonic()
    try:
        for n, item in enumerate(chosen, 1):
            expected = None
            if isinstance(item, NumericItem):
                try:
                    expected = evaluate(item.formula)
                except FormulaError as exc:  # evaluated once: the value is the answer key
                    broken = BankError.about(item, "formula", str(exc))
                    err.print(
                        f"[yellow]skipping broken item:[/] {escape(str(broken))}", soft_wrap=True
                    )
                    summary.skipped.append(item.id)
                    continue
            result = ask_item(
                item,
                console,
                answers,
                item_rng(seed, item.id),
                position=f"Q{n}/{len(chosen)} · ",
                expected=expected,
                session_id=session,
            )
            summary.results.append(result)
            recorder.record_quiz_answer(result)
    except (EndOfInput, KeyboardInterrupt):
        summary.ended_early = True
    summary.elapsed_s = time.monotonic() - start
    try:
        recorder.end_session(session, summary.to_dict())
    finally:
        recorder.close()
    if as_json:
        import json
        import sys

        sys.stdout.write(json.dumps(summary.to_json(), ensure_ascii=False) + "\n")
        sys.stdout.flush()
    else:
        render_summary(console, summary)
    from lossdrill.schedule.choose import next_line

    console.print(
        f"Next: {escape(next_line(home, banks, after='quiz'))}", highlight=False, soft_wrap=True
    )
    return 0


def _replay(
    topics: list[str],
    kinds: list[str],
    count: int,
    seed: int,
    banks: list[str],
    ids: list[str] | None = None,
) -> str:
    """The command line that replays this session: same filters (or items), same seed."""
    import shlex

    parts = ["lossdrill", "quiz"]
    parts += [a for i in ids or [] for a in ("--id", i)]
    parts += [a for t in topics for a in ("--topic", t)]
    parts += [a for k in kinds for a in ("--kind", k)]
    parts += [a for b in banks for a in ("--bank", b)]
    if count != 10 and not ids:
        parts += ["--count", str(count)]
    parts += ["--seed", str(seed)]
    return shlex.join(parts)
