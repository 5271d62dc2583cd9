"""Asking quiz items at the terminal (or from scripted input) and showing the summary.

``ask_item`` is shared by every drill that asks quiz questions (quiz, bughunt,
interview). It shows the item, reads answers through an :class:`AnswerSource`
(re-asking on bad input), shows feedback, and returns the answer as the
:class:`~lossdrill.recording.QuizAnswer` the progress store records.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from rich.console import Console, Group, RenderableType
from rich.markdown import Markdown
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from lossdrill.bank.schema import (
    BugHuntItem,
    ChoiceItem,
    Item,
    MultiItem,
    NumericItem,
    Option,
    RecallItem,
    ScenarioItem,
    Step,
)
from lossdrill.quiz import grading
from lossdrill.quiz.select import shuffled_order
from lossdrill.recording import QuizAnswer
from lossdrill.ui.console import AnswerSource

_T = TypeVar("_T")

STARS = {1: "★", 2: "★★", 3: "★★★"}


def _span(n: int) -> str:
    """``number (1–4) or letter (a–d)`` for ``n`` options."""
    return f"number (1–{n}) or letter (a–{chr(96 + n)})"


def _header(item: Item, position: str) -> str:
    """The question's title. The id is left out: many ids name the answer
    (``info-mae-laplace``); it is shown once the question is answered."""
    return f"{position}{item.topic} · {item.kind} · {STARS.get(item.difficulty, '')}"


def _show_question(console: Console, item: Item, position: str, *below: RenderableType) -> None:
    """The question's panel: its prompt, then what ``below`` adds (options, a hint)."""
    prompt = Markdown(item.prompt)
    body = Group(prompt, *below) if below else prompt
    console.print(Panel(body, title=_header(item, position), title_align="left"))


def _options_table(options: Sequence[Option], order: Sequence[int]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(justify="right", style="bold")
    table.add_column()
    for shown, index in enumerate(order):
        table.add_row(f"{shown + 1}/{chr(97 + shown)}", Text(options[index].text))
    return table


SCRIPTED_RETRIES = 5
"""Unusable scripted answers in a row before an item is given up."""


def _ask_until(
    answers: AnswerSource,
    console: Console,
    prompt: str,
    parse: Callable[[str], _T | None],
    help_text: str,
) -> tuple[str, _T | None]:
    """Ask until ``parse`` accepts the answer (or the learner gives up with ``?``).

    Scripted input (not a terminal) gets :data:`SCRIPTED_RETRIES` tries: a script that
    answers wrongly forever (``yes | lossdrill quiz``) gives the item up instead of looping.
    """
    tries = 0
    while True:
        text = answers.ask(prompt)
        if text == grading.GIVE_UP:
            return text, None
        tries += 1
        if not text:
            console.print(f"[yellow]{help_text} (? shows the answer)[/]")
        else:
            parsed = parse(text)
            if parsed is not None:
                return text, parsed
            console.print(
                f"[yellow]Not understood: {escape(repr(text))}. {help_text}[/]", highlight=False
            )
        if not answers.interactive and tries >= SCRIPTED_RETRIES:
            console.print(f"[yellow]No usable answer in {tries} scripted lines: given up.[/]")
            return grading.GIVE_UP, None


def _feedback(
    console: Console, ok: bool, body: list, title: str | None = None, item_id: str = ""
) -> None:
    style = "green" if ok else "red"
    title = title or ("Correct" if ok else "Not quite")
    if item_id:  # the id only now that the question is answered
        title = f"{title} · [dim]{item_id}[/]"
    console.print(Panel(Group(*body), title=title, border_style=style))


def ask_item(
    item: Item,
    console: Console,
    answers: AnswerSource,
    rng: random.Random,
    *,
    position: str = "",
    expected: float | None = None,
    session_id: str = "",
    show_fix: bool = True,
) -> QuizAnswer:
    """Ask one quiz item; ``rng`` fixes the option order. Raises EndOfInput to end a session.

    ``expected`` is the computed value of a numeric item (evaluated by the caller).
    ``show_fix=False`` keeps a bug hunt's fix back (``lossdrill bughunt`` lets the learner
    write it first and shows it with :func:`render_fix`).
    """
    start = time.monotonic()
    overruled = False
    if isinstance(item, ChoiceItem | MultiItem):
        correct, score, response = _ask_options(item, console, answers, rng, position)
    elif isinstance(item, NumericItem):
        correct, score, response = _ask_numeric(item, console, answers, position, expected)
    elif isinstance(item, RecallItem):
        correct, score, response, overruled = _ask_recall(item, console, answers, position)
    elif isinstance(item, ScenarioItem):
        correct, score, response = _ask_scenario(item, console, answers, rng, position)
    elif isinstance(item, BugHuntItem):
        correct, score, response = _ask_bug_line(item, console, answers, position, show_fix)
    else:
        raise ValueError(f"{item.kind} items are not asked in a quiz")
    elapsed = int((time.monotonic() - start) * 1000)
    return QuizAnswer(
        session_id,
        item.id,
        item.version,
        item.kind,
        item.topic,
        correct,
        score,
        response,
        elapsed,
        overruled,
    )


def _explanation(item: Item) -> list:
    return [Markdown(item.explanation)] if item.explanation.strip() else []


def _ask_options(
    item: ChoiceItem | MultiItem,
    console: Console,
    answers: AnswerSource,
    rng: random.Random,
    position: str,
) -> tuple[bool, float, str]:
    options = item.options
    order = shuffled_order(len(options), rng)
    multi = isinstance(item, MultiItem)
    n = len(options)
    span = _span(n)
    hint = (
        f"Select all that apply: {span}, separated by commas or spaces."
        if multi
        else f"Answer with the option's {span}."
    )
    _show_question(
        console,
        item,
        position,
        Text(""),
        _options_table(options, order),
        Text(hint, style="dim"),
    )
    if multi:
        text, parsed = _ask_until(
            answers, console, "your answer> ", lambda t: grading.parse_multi(t, n), hint
        )
        chosen = frozenset(order[i] for i in parsed) if parsed is not None else frozenset()
        right_set = frozenset(i for i, o in enumerate(options) if o.correct)
        grade = grading.grade_multi(chosen, right_set)
        picked_shown = [str(shown + 1) for shown, index in enumerate(order) if index in chosen]
        body: list = [Text(f"You picked: {', '.join(picked_shown) or 'nothing'}", style="bold")]
        for shown, index in enumerate(order):
            o = options[index]
            picked = index in chosen
            right_call = o.correct == picked
            mark = "✓" if right_call else "✗"
            you = "you picked it" if picked else "you left it"
            verdict = "right" if right_call else "wrong"
            truth = "this option is true" if o.correct else "this option is false"
            line = Text(f"{mark} {shown + 1}. {o.text}", style="green" if right_call else "red")
            line.append(f"\n    {truth}; {you}: {verdict}", style="green" if right_call else "red")
            if o.feedback:
                line.append(f"\n    {o.feedback}", style="default")
            body.append(line)
        _feedback(
            console,
            grade.correct,
            body + [Text("")] + _explanation(item),
            title=None if grade.correct else f"Not quite ({grade.score:.0%} credit)",
            item_id=item.id,
        )
        return grade.correct, grade.score, text
    text, picked_at = _ask_until(
        answers, console, "your answer> ", lambda t: grading.parse_choice(t, n), hint
    )
    right = next(i for i, o in enumerate(options) if o.correct)
    chosen_index = order[picked_at] if picked_at is not None else -1
    grade = grading.grade_choice(chosen_index, right)
    body = []
    if chosen_index >= 0 and not grade.correct:
        option = options[chosen_index]
        body.append(Text(f"You chose: {option.text}", style="red"))
        if option.feedback:
            body.append(Text(f"  {option.feedback}"))
    body.append(Text(f"Answer: {order.index(right) + 1}. {options[right].text}", style="green"))
    if options[right].feedback:
        body.append(Text(f"  {options[right].feedback}"))
    body.append(Text(""))
    _feedback(console, grade.correct, body + _explanation(item), item_id=item.id)
    return grade.correct, grade.score, text


def _ask_numeric(
    item: NumericItem,
    console: Console,
    answers: AnswerSource,
    position: str,
    expected: float | None,
) -> tuple[bool, float, str]:
    if expected is None:
        from lossdrill.bank.formula import evaluate

        expected = evaluate(item.formula)
    hint = (
        f"Answer with a number (within ±{item.tolerance:g}) or simple arithmetic "
        "such as ln(5)/2, exp(-1), sqrt(2)/2."
    )
    _show_question(console, item, position, Text(hint, style="dim"))
    text, value = _ask_until(
        answers,
        console,
        "your answer> ",
        grading.parse_number,
        "Type a number, e.g. 0.693, or arithmetic such as ln(2).",
    )
    grade = (
        grading.grade_numeric(value, expected, item.tolerance)
        if value is not None
        else grading.Grade(False, 0.0)
    )
    unit = f" {item.unit}" if item.unit else ""
    given = (
        text
        if value is None or text.strip() == f"{value:g}" or _plain_number(text)
        else f"{text} = {value:.6g}"
    )
    body = [
        Text(
            f"Expected {expected:.6g}{unit} (±{item.tolerance:g}); you answered {given}.",
            style="green" if grade.correct else "red",
        ),
        Text(f"Computed as: {item.formula}", style="dim"),
        Text(""),
    ]
    _feedback(console, grade.correct, body + _explanation(item), item_id=item.id)
    return grade.correct, grade.score, text


def _plain_number(text: str) -> bool:
    try:
        float(text.strip().replace(",", "."))
    except ValueError:
        return False
    return True


def _ask_recall(
    item: RecallItem, console: Console, answers: AnswerSource, position: str
) -> tuple[bool, float, str, bool]:
    _show_question(
        console, item, position, Text("Answer in your own words, on one line.", style="dim")
    )
    text, _ = _ask_until(
        answers, console, "your answer> ", lambda t: t, "Type your answer (or ? to see it)."
    )
    grade = grading.grade_recall(
        text if text != grading.GIVE_UP else "", item.key_points, item.min_points
    )
    required = [kp.point for kp in item.key_points if kp.required]
    rule = f"pass: {item.min_points}" + (", including every point marked *" if required else "")
    body: list = [
        Text(f"Key points hit: {len(grade.hit)} of {len(item.key_points)} ({rule})", style="bold")
    ]
    star = {kp.point: " *" if kp.required else "" for kp in item.key_points}
    body += [Text(f"  ✓ {p}{star[p]}", style="green") for p in grade.hit]
    for p in grade.missed:
        why = " (your answer says the opposite)" if p in grade.contradicted else ""
        body.append(Text(f"  ✗ {p}{star[p]}{why}", style="red"))
    body += [Text(""), Text("Model answer:", style="bold"), Markdown(item.model_answer), Text("")]
    _feedback(console, grade.correct, body + _explanation(item), item_id=item.id)
    correct, overruled = grade.correct, False
    if answers.interactive and text != grading.GIVE_UP:
        other = "wrong" if correct else "right"
        choice = answers.ask(f"Enter to accept, o to mark it {other}> ").lower()
        if choice == "o":
            correct, overruled = not correct, True
            console.print(f"[cyan]Marked {'right' if correct else 'wrong'} by you.[/]")
    score = 1.0 if (overruled and correct) else (0.0 if overruled else grade.score)
    return correct, score, text, overruled


def _ask_scenario(
    item: ScenarioItem, console: Console, answers: AnswerSource, rng: random.Random, position: str
) -> tuple[bool, float, str]:
    _show_question(console, item, position)
    steps = {s.id: s for s in item.steps}
    step: Step | None = item.steps[0]
    responses, right_steps, asked = [], 0, 0
    while step is not None:
        asked += 1
        order = shuffled_order(len(step.options), rng)
        n = len(step.options)
        hint = f"Answer with the option's {_span(n)}."
        console.print(
            Panel(
                Group(
                    Markdown(step.prompt),
                    Text(""),
                    _options_table(step.options, order),
                    Text(hint, style="dim"),
                ),
                title=f"step {asked}",
                title_align="left",
                border_style="blue",
            )
        )
        text, parsed = _ask_until(
            answers,
            console,
            "your choice> ",
            functools.partial(grading.parse_choice, n_options=n),
            hint,
        )
        responses.append(text)
        right = next(i for i, o in enumerate(step.options) if o.correct)
        chosen = order[parsed] if parsed is not None else -1
        ok = chosen == right
        right_steps += ok
        body = []
        if chosen >= 0 and not ok and step.options[chosen].feedback:
            body.append(
                Text(f"{step.options[chosen].text}: {step.options[chosen].feedback}", style="red")
            )
        body.append(Text(f"Best choice: {step.options[right].text}", style="green"))
        if step.options[right].feedback:
            body.append(Text(f"  {step.options[right].feedback}"))
        _feedback(console, ok, body)
        # A wrong option may lead to its own branch; otherwise the scenario goes on along the right path.
        chosen_next = step.options[chosen].next if chosen >= 0 else None
        following = chosen_next if (not ok and chosen_next) else step.options[right].next
        step = steps.get(following) if following else None
    score = right_steps / asked
    correct = right_steps == asked
    debrief = (
        Markdown(item.explanation)
        if item.explanation.strip()
        else Text(f"{right_steps} of {asked} steps right.")
    )
    console.print(
        Panel(
            debrief,
            title=f"Debrief · [dim]{item.id}[/]",
            border_style="green" if correct else "yellow",
        )
    )
    return correct, score, " | ".join(responses)


def numbered_code(code: str) -> Syntax:
    return Syntax(code.rstrip("\n"), "python", line_numbers=True, theme="ansi_dark", word_wrap=True)


def render_fix(console: Console, item: BugHuntItem) -> None:
    """The bug-hunt diff: the buggy line and its fix."""
    buggy = item.code.rstrip("\n").splitlines()[item.bug_line - 1]
    console.print(
        Panel(
            Group(
                Text(f"  - {buggy.strip()}", style="red"),
                Text(f"  + {item.fix.strip()}", style="green"),
            ),
            title=f"The fix (line {item.bug_line})",
            title_align="left",
            border_style="cyan",
        )
    )


def _ask_bug_line(
    item: BugHuntItem, console: Console, answers: AnswerSource, position: str, show_fix: bool = True
) -> tuple[bool, float, str]:
    n_lines = len(item.code.rstrip("\n").splitlines())
    _show_question(
        console,
        item,
        position,
        Text(""),
        numbered_code(item.code),
        Text(f"Which line holds the bug? (1–{n_lines})", style="dim"),
    )
    text, line = _ask_until(
        answers,
        console,
        "buggy line> ",
        lambda t: grading.parse_line_number(t, n_lines),
        f"Type a line number between 1 and {n_lines}.",
    )
    ok = line == item.bug_line
    buggy = item.code.rstrip("\n").splitlines()[item.bug_line - 1]
    body = [
        Text(f"The bug is on line {item.bug_line}:", style="bold"),
        Text(f"  {buggy.strip()}", style="red"),
    ]
    if show_fix:
        body += [Text(f"  + {item.fix.strip()}", style="green")]
    body.append(Text(""))
    body += [Text("What is wrong:", style="bold")] if not show_fix else []
    _feedback(console, ok, body + _explanation(item), item_id=item.id)
    return ok, 1.0 if ok else 0.0, text


def render_summary(console: Console, summary) -> None:
    """The closing table: score, time, per-topic results, missed items with their ids."""
    if summary.asked == 0:
        console.print("[yellow]No questions answered.[/]")
        if summary.skipped:
            console.print(f"[yellow]Skipped (broken items): {', '.join(summary.skipped)}[/]")
        return
    minutes, seconds = divmod(int(summary.elapsed_s), 60)
    head = Table.grid(padding=(0, 2))
    head.add_row(
        "Score",
        f"[bold]{summary.correct}/{summary.asked}[/] correct ({summary.score / summary.asked:.0%} with partial credit)",
    )
    head.add_row("Time", f"{minutes}m {seconds:02d}s")
    if summary.ended_early:
        head.add_row("Ended", f"early, after {summary.asked} of {summary.planned} questions")
    head.add_row("Replay", summary.replay or f"lossdrill quiz --seed {summary.seed}")
    topics = Table(title="By topic", title_justify="left")
    topics.add_column("topic")
    topics.add_column("correct", justify="right")
    topics.add_column("score", justify="right")
    for t in summary.by_topic():
        style = "green" if t.correct == t.asked else ("red" if t.correct == 0 else "yellow")
        topics.add_row(t.topic, f"[{style}]{t.correct}/{t.asked}[/]", f"{t.score / t.asked:.0%}")
    parts: list = [head, Text(""), topics]
    missed = summary.missed()
    if missed:
        table = Table(title="Missed", title_justify="left")
        table.add_column("id")
        table.add_column("topic")
        table.add_column("kind")
        table.add_column("you answered", overflow="fold")
        for r in missed:
            table.add_row(r.item_id, r.topic, r.kind, r.response or "—")
        parts += [Text(""), table]
    if summary.skipped:
        parts += [Text(f"Skipped (broken items): {', '.join(summary.skipped)}", style="yellow")]
    console.print(Panel(Group(*parts), title="Quiz summary", border_style="cyan"))
