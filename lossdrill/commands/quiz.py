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
from lossdrill.ui.quiz_view import ask_item, render_summary


def run(
    topics: list[str],
    kinds: list[str],
    count: int,
    seed: int | None,
    banks: list[str],
    home: str | None,
    item_ids: list[str] | None = None,
    missed: bool = False,
) -> int:
    console = make_console()
    err = make_console(stderr=True)
    bank = banks_with_warnings(banks, err)
    unknown = [k for k in kinds if k not in QUIZ_KINDS]
    if unknown:
        err.print(f"[red]Unknown kind {unknown[0]!r}.[/] Quiz kinds: {', '.join(QUIZ_KINDS)}")
        return 2
    quiz_items = bank.quiz_items()
    known_topics = sorted({i.topic for i in quiz_items})
    bad_topics = [t for t in topics if t not in known_topics]
    if bad_topics:
        err.print(f"[red]Unknown topic {bad_topics[0]!r}.[/] Topics: {', '.join(known_topics)}")
        return 2
    recorder = recorder_with_notice(home, err)
    if seed is not None:
        chosen = select_items(quiz_items, topics=topics, kinds=kinds, count=count, seed=seed)
    else:  # the quiz adapts: planned, missed, or due and weak items first
        from lossdrill.schedule.choose import quiz_items_for

        chosen = quiz_items_for(recorder, quiz_items, topics, kinds, count, item_ids, missed)
    seed = seed if seed is not None else new_seed()
    if not chosen:
        recorder.close()
        err.print("[yellow]No questions match these filters.[/]" if not missed
                  else "[yellow]No missed questions in the last session.[/]")
        return 1

    answers = AnswerSource(console)
    summary = QuizSummary(seed=seed, planned=len(chosen),
                          replay=_replay(topics, kinds, count, seed, banks))
    session = recorder.start_session("quiz")
    start = time.monotonic()
    try:
        for n, item in enumerate(chosen, 1):
            expected = None
            if isinstance(item, NumericItem):
                try:
                    expected = evaluate(item.formula)
                except FormulaError as exc:  # evaluated once: the value is the answer key
                    broken = BankError(item.file, item.line, item.id, "formula", str(exc))
                    err.print(f"[yellow]skipping broken item:[/] {escape(str(broken))}", soft_wrap=True)
                    summary.skipped.append(item.id)
                    continue
            result = ask_item(
                item, console, answers, item_rng(seed, item.id),
                position=f"Q{n}/{len(chosen)} · ", expected=expected, session_id=session,
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
    render_summary(console, summary)
    from lossdrill.schedule.choose import next_line

    console.print(f"Next: {escape(next_line(home, banks, after='quiz'))}", highlight=False,
                  soft_wrap=True)
    return 0


def _replay(topics: list[str], kinds: list[str], count: int, seed: int, banks: list[str]) -> str:
    """The command line that replays this session: same filters, same seed."""
    import shlex

    parts = ["lossdrill", "quiz"]
    parts += [a for t in topics for a in ("--topic", t)]
    parts += [a for k in kinds for a in ("--kind", k)]
    parts += [a for b in banks for a in ("--bank", b)]
    if count != 10:
        parts += ["--count", str(count)]
    parts += ["--seed", str(seed)]
    return shlex.join(parts)
