"""``lossdrill bughunt``: find the buggy line of a short implementation, then fix it.

The line is scored like a quiz answer; the answer shows the line and explains what is
wrong, but not the fix. The fix is optional: the buggy code is written to the work folder,
and the implement checker grades the edited file against the same task. At the ``fix>``
prompt: ``c`` checks the work file, ``file PATH`` checks another file, ``d`` shows the
fix (a diff), an empty line moves on. The diff is shown once the fix passes, when asked
for, or when the learner moves on without a passing fix.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table

from lossdrill.bank.schema import BugHuntItem
from lossdrill.commands.preamble import banks_with_warnings, recorder_with_notice
from lossdrill.paths import work_dir
from lossdrill.quiz.select import item_rng, new_seed, select_items
from lossdrill.ui.console import AnswerSource, EndOfInput, make_console
from lossdrill.ui.errors import report_unknown
from lossdrill.ui.quiz_view import ask_item, render_fix


@dataclass
class HuntResult:
    item_id: str
    line_right: bool
    fixed: bool | None = None
    """None when no fix was checked."""


def run(item: str | None, count: int, seed: int | None, banks: list[str], home: str | None) -> int:
    console = make_console()
    err = make_console(stderr=True)
    bank = banks_with_warnings(banks, err)
    hunts = bank.bug_hunts()
    if item:
        chosen = [h for h in hunts if h.id == item]
        if not chosen:
            return report_unknown("bug hunt", item, [h.id for h in hunts])
    else:
        seed = seed if seed is not None else new_seed()
        chosen = select_items(hunts, count=count, seed=seed)
    if not chosen:
        err.print("[yellow]No bug hunts in the banks.[/]")
        return 1
    seed = seed if seed is not None else 0
    recorder = recorder_with_notice(home, err)
    answers = AnswerSource(console)
    session = recorder.start_session("bughunt")
    results: list[HuntResult] = []
    try:
        for n, hunt in enumerate(chosen, 1):
            res = ask_item(
                hunt,
                console,
                answers,
                item_rng(seed, hunt.id),
                position=f"Bug {n}/{len(chosen)} · ",
                session_id=session,
                show_fix=False,
            )
            recorder.record_quiz_answer(res)
            results.append(HuntResult(hunt.id, res.correct))
            results[-1].fixed = _fix_phase(hunt, console, answers, bank, home)
    except (EndOfInput, KeyboardInterrupt):
        console.print("[dim]Session ended.[/]")
    recorder.end_session(session, {"hunts": [r.__dict__ for r in results]})
    recorder.close()
    _summary(console, results, len(chosen))
    from rich.markup import escape

    from lossdrill.schedule.choose import next_line

    console.print(
        f"Next: {escape(next_line(home, banks, after='bughunt'))}", highlight=False, soft_wrap=True
    )
    return 0


def _fix_phase(
    hunt: BugHuntItem, console, answers: AnswerSource, bank, home: str | None
) -> bool | None:
    folder = work_dir(home) / "bughunt"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hunt.id}.py"
    if not path.exists():  # never overwrite the learner's edits
        path.write_text(hunt.code)
    console.print(
        f"Fix it: edit [bold]{path}[/], then type [bold]c[/] to check it "
        "([bold]file PATH[/] checks another file, [bold]d[/] shows the fix); press Enter to go on."
    )
    fixed: bool | None = None
    shown = False
    while True:
        try:
            text = answers.ask("fix> ")
        except EndOfInput:
            if not shown:
                render_fix(console, hunt)
            raise
        if not text:
            if not shown:
                render_fix(console, hunt)
            return fixed
        if text.lower() in ("d", "diff"):
            render_fix(console, hunt)
            shown = True
            continue
        if text.lower() == "c":
            target = path
        elif text.lower().startswith("file "):
            target = Path(text[5:].strip()).expanduser()
        else:
            console.print(
                "[yellow]Type c to check, file PATH to check another file, d to see the fix, "
                "or Enter to go on.[/]"
            )
            continue
        if not target.is_file():
            console.print(f"[yellow]No file at {target}.[/]")
            continue
        fixed = _check(hunt, target, console, bank)
        if fixed:
            console.print("[green]Fixed: the checker passes it on every case.[/]")
            if not shown:
                render_fix(console, hunt)
            return fixed


def _check(hunt: BugHuntItem, path: Path, console, bank) -> bool:
    from lossdrill.checker import run_check
    from lossdrill.checker.frameworks import installed, missing_message
    from lossdrill.ui.implement_view import render_result

    if not installed(hunt.framework):
        from rich.markup import escape

        console.print(f"[yellow]{escape(missing_message(hunt.framework))}[/]")
        return False
    start = time.monotonic()
    result = run_check(
        hunt.task,
        path.read_text(encoding="utf-8", errors="replace"),
        bank=bank,
        framework=hunt.framework,
        forbid=False,
    )
    render_result(console, result)
    console.print(f"[dim]checked in {time.monotonic() - start:.1f} s[/]")
    return result.passed


def _summary(console, results: list[HuntResult], planned: int) -> None:
    if not results:
        console.print("[yellow]No bug hunts answered.[/]")
        return
    table = Table(
        title=f"Bug hunts: {sum(r.line_right for r in results)}/{len(results)} lines found"
        + (f" (ended after {len(results)} of {planned})" if len(results) < planned else ""),
        title_justify="left",
    )
    table.add_column("id")
    table.add_column("line")
    table.add_column("fix")
    for r in results:
        fix = {None: "—", True: "[green]passes[/]", False: "[red]still failing[/]"}[r.fixed]
        table.add_row(r.item_id, "[green]found[/]" if r.line_right else "[red]missed[/]", fix)
    console.print(table)
