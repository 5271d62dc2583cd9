"""Rich rendering of implement tasks and check results (the JSON writer lives in the result)."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from lossdrill.checker.result import CheckResult, Failure
from lossdrill.implement import TARGET_LINES, TARGET_MINUTES
from lossdrill.ui.text import Prose

__all__ = ["TARGET_LINES", "TARGET_MINUTES"]


def render_task(
    console: Console, spec: Any, item: Any | None, path: str, *, existing: bool
) -> None:
    """The task: prompt, contract, tolerance, targets, and where the file is."""
    # The title stays short (a panel cuts a long title at its width); the signature is the
    # body's first line, where it wraps like any text.
    title = f"implement · {spec.id}"
    parts: list[Any] = [Text(spec.signature(), style="bold"), Text("")]
    if item is not None:
        parts.append(Prose(item.prompt))  # reflowed to the terminal, formula lines kept
        parts.append(Text("\nContract", style="bold"))
        parts.append(Prose(item.contract))
    else:
        parts.append(Text(f"Write {spec.signature()}."))
    parts.append(Text("\nGraded", style="bold"))
    if item is None or "tolerance" not in item.contract.lower():
        parts.append(Text(tolerance_line(spec.tol64, spec.tol32)))
    else:
        parts.append(
            Text(
                "Compared with a hidden reference within the tolerance above; "
                "NaN and inf must match."
            )
        )
    parts.append(
        Text(
            f"Target: {TARGET_LINES[0]}–{TARGET_LINES[1]} lines, under {TARGET_MINUTES} minutes.",
        )
    )
    console.print(
        Panel(Group(*parts), title=escape(title), title_align="left", border_style="cyan")
    )
    verb = "Your file (kept as it is)" if existing else "Starter written to"
    console.print(f"{verb}: [bold]{escape(path)}[/]")


def _num(x: float) -> str:
    """1e-06 -> 1e-6, 0.0001 -> 1e-4: tolerances as people write them."""
    if x and abs(x) < 1e-3:
        mantissa, exponent = f"{x:.6e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    return f"{x:g}"


def tolerance_line(tol64: Any, tol32: Any) -> str:
    return (
        f"Compared with a hidden reference: float64 inputs within relative {_num(tol64.rtol)}, "
        f"absolute {_num(tol64.atol)}; float32 inputs within relative {_num(tol32.rtol)}, "
        f"absolute {_num(tol32.atol)}. NaN and inf must match."
    )


def render_watch_help(console: Console, *, passed: bool = False, single_keys: bool = False) -> None:
    """The watch-mode prompt: one key each at a terminal, a line each otherwise. Lines
    break between commands, never inside one (``c check now`` stays whole)."""
    how = "press" if single_keys else "type + Enter"
    parts = [f"Save the file to check it, or {how}:", "h hint", "r reveal", "c check now", "q quit"]
    if passed:
        parts.append("n next task")
    parts[-1] += " ›"
    width = max(20, console.width)
    lines = [parts[0]]
    for part in parts[1:]:
        sep = " " if lines[-1] == parts[0] else " · "
        if len(lines[-1]) + len(sep) + len(part) <= width:
            lines[-1] += sep + part
        else:
            lines.append("  " + part)
    text = Text("\n".join(lines))
    text.highlight_regex(r"(?<![a-z])[hrcqn](?= (hint|reveal|check now|quit|next task))", "bold")
    console.print(text, soft_wrap=True)


def render_recheck(console: Console, task: str, lines: int) -> None:
    """A file that already passed when watch mode opened it: a re-check, not a timed pass."""
    console.print(
        f"[bold green]Passes[/] ({lines} line{'s' if lines != 1 else ''}), as it did before this"
        " session opened it: recorded as a re-check, not a timed pass. To time yourself, start"
        f" from a blank starter: [bold]lossdrill implement {escape(task)} --fresh[/]"
    )


def render_result(
    console: Console,
    result: CheckResult,
    *,
    hints_shown: int = 0,
    hints_total: int = 0,
    lines: int | None = None,
    overlay: bool = True,
    watch: bool = False,
) -> None:
    """The report: case groups, diagnoses, the minimal failure, the overlay, what to do next."""
    table = Table(title=None, show_edge=False, pad_edge=False, box=None, expand=True)
    table.add_column("group", no_wrap=True)
    table.add_column("cases", justify="right", no_wrap=True)
    table.add_column("failed", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("failing, e.g.", overflow="ellipsis", no_wrap=True, ratio=1)
    for g in result.groups:
        mark = "[green]✓[/]" if g.passed else "[red]✗[/]"
        table.add_row(g.name, str(g.total), str(g.failed), mark, escape("; ".join(g.failing)))
    loaded = result.passed or result.first_failure is not None
    if result.passed:
        head = f"[bold green]PASS[/] {result.task}: all {result.cases} cases match the reference"
    elif not loaded and result.codes[:1] == ("forbidden-import",):
        head = f"[bold red]FAIL[/] {result.task}: the file imports what it may not, so none of its cases ran"
    elif not loaded:
        head = f"[bold red]FAIL[/] {result.task}: the file did not load, so none of its cases ran"
    else:
        head = (
            f"[bold red]FAIL[/] {result.task}: {result.failed_cases} of {result.cases} cases "
            f"fail · score {result.score:.2f}"
        )
    console.print(head)
    if result.groups and loaded:
        console.print(table)
    if lines and (result.passed or result.score > 0):  # not for the untouched starter
        lo, hi = TARGET_LINES
        console.print(f"Solution: {lines} line{'s' if lines != 1 else ''} ({lo}–{hi} typical)")
    for d in result.diagnoses:
        console.print(f"[bold yellow]{escape(d.code)}[/]: {escape(d.message)}", soft_wrap=False)
    if result.first_failure is not None:
        render_failure(console, result.first_failure)
    if result.output:
        console.print(
            Panel(
                escape(clip_lines(tidy_output(result.output), console.width - 4)),
                title="printed while loading",
                border_style="dim",
            )
        )
    if overlay and result.sweep is not None:
        _render_overlay(console, result)
    if not result.passed:
        if hints_total and hints_shown < hints_total:
            how = "[bold]h[/]" if watch else f"[bold]lossdrill hint {result.task}[/]"
            console.print(f"Stuck? {how} shows hint {hints_shown + 1} of {hints_total}.")
        elif hints_total:
            how = "[bold]r[/]" if watch else f"[bold]lossdrill reveal {result.task}[/]"
            console.print(f"All {hints_total} hints shown; {how} shows the solution.")


def render_failure(console: Console, f: Failure) -> None:
    title = f"first failure · {f.group} · {f.case}" + (" · shrunk" if f.shrunk else "")
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in f.inputs.items():
        dtype = f.dtypes.get(name)
        suffix = f"  [dim]({dtype})[/]" if dtype and dtype != "float64" else ""
        grid.add_row(escape(name), escape(show_value(value)) + suffix)
    grid.add_row("expected", escape(show_value(f.expected)))
    got = show_value(f.got) if f.got is not None or f.got_type == "NoneType" else f"({f.got_type})"
    grid.add_row("got", Text(got, style="red"))
    # a scalar or one-value mismatch: expected/got say it all
    if not f.reason.startswith(("expected ", "1 of 1 values differ")):
        grid.add_row("why", escape(f.reason))
    if f.output:
        grid.add_row("printed", escape(clip_lines(tidy_output(f.output), console.width - 16)))
    console.print(Panel(grid, title=escape(title), title_align="left", border_style="red"))


_WARNING = re.compile(r"^\S.*\.py:\d+: (\w+Warning: .*)$")


def tidy_output(text: str) -> str:
    """Printed output with Python warnings cut to their message (no library paths)."""
    out: list[str] = []
    skip_source = False
    for line in text.strip().splitlines():
        m = _WARNING.match(line)
        if m:
            out.append(m.group(1))
            skip_source = True
            continue
        if skip_source and line.startswith("  "):
            continue  # the library source line a warning quotes
        skip_source = False
        out.append(line)
    return "\n".join(out)


MAX_OUTPUT_LINES = 8


def clip_lines(text: str, width: int, max_lines: int = MAX_OUTPUT_LINES) -> str:
    """At most ``max_lines`` lines, each cut to ``width`` characters, with a note of the rest."""
    width = max(width, 20)
    lines = text.splitlines()
    shown = [line if len(line) <= width else line[: width - 1] + "…" for line in lines[:max_lines]]
    if len(lines) > max_lines:
        shown.append(f"[... {len(lines) - max_lines} more lines]")
    return "\n".join(shown)


def _float(value: float) -> str:
    text = f"{value:.10g}"
    return text + ".0" if text.lstrip("-").isdigit() else text


def show_value(value: Any) -> str:
    """A short, readable form of an input or output value."""
    try:
        import numpy as np

        if isinstance(value, np.generic) and value.dtype.kind in "iuf":
            return _float(float(value)) if value.dtype.kind == "f" else str(int(value))
        if isinstance(value, np.ndarray) and value.ndim == 0 and value.dtype.kind == "f":
            return _float(float(value))
        if isinstance(value, np.ndarray) and value.size == 0:
            return f"[] (empty, shape {value.shape})" if value.ndim > 1 else "[] (empty)"
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            value = value + 0.0  # -0. reads as 0.
        if isinstance(value, (np.ndarray, np.generic)):
            with np.printoptions(precision=6, suppress=False, threshold=40, edgeitems=4):
                text = np.array2string(np.asarray(value), separator=", ")
            return text
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, float):
        return _float(value)
    text = repr(value)
    return text if len(text) < 300 else text[:297] + "..."


def _render_overlay(console: Console, result: CheckResult) -> None:
    if result.sweep is None:
        return
    try:
        from lossdrill.plotting.overlay import render_overlay
    except ImportError:
        return
    try:
        text = render_overlay(result.sweep, max(40, console.width - 2), color=console.is_terminal)
    except Exception:  # a picture must never break the report
        return
    if text:
        console.print(Text.from_ansi(text) if console.is_terminal else Text(text))


def render_hint(
    console: Console,
    task: str,
    level: int,
    total: int,
    text: str,
    *,
    repeated: bool,
    watch: bool = False,
) -> None:
    note = " (the last one)" if level == total else ""
    console.print(
        Panel(
            Prose(text.strip()),
            title=f"hint {level} of {total}{note}",
            title_align="left",
            border_style="yellow",
        )
    )
    if repeated:
        how = "r" if watch else f"lossdrill reveal {task}"
        console.print(
            f"No more hints: that was the last one again. [bold]{escape(how)}[/] "
            "shows the solution."
        )


def render_reveal(console: Console, item: Any) -> None:
    console.print(
        Panel(
            Prose(item.debrief.rstrip()),
            title=f"debrief · {item.id}",
            title_align="left",
            border_style="green",
        )
    )
    console.print(
        Panel(
            Syntax(item.solution.rstrip(), "python", theme="ansi_dark", word_wrap=True),
            title="reference solution",
            title_align="left",
            border_style="green",
        )
    )


def render_pass(
    console: Console, seconds: float, lines: int, hints: int, *, revealed: bool = False
) -> None:
    minutes, secs = divmod(int(seconds), 60)
    lo, hi = TARGET_LINES
    speed = "under" if seconds < TARGET_MINUTES * 60 else "over"
    helped = (
        "after revealing the solution"
        if revealed
        else f"{hints} hint{'s' if hints != 1 else ''} used"
    )
    console.print(
        f"[bold green]Passed[/] in {minutes}m{secs:02d}s ({speed} the {TARGET_MINUTES}-minute target), "
        f"{lines} line{'s' if lines != 1 else ''} ({lo}–{hi} typical), {helped}."
    )


def render_summary(console: Console, summary: dict[str, Any]) -> None:
    passed = summary.get("passed")
    t = summary.get("seconds_to_pass")
    when = f" in {int(t) // 60}m{int(t) % 60:02d}s" if t is not None else ""
    if summary.get("kind") == "recheck":
        when = " (re-check, untimed)"
    state = f"[green]passed{when}[/]" if passed else "[yellow]not passed yet[/]"
    checks, hints, lines = (int(summary.get(k) or 0) for k in ("checks", "hints", "lines"))
    parts = [f"{checks} check{'s' if checks != 1 else ''}"]
    if summary.get("revealed"):
        parts.append("solution revealed")
    else:
        parts.append(f"{hints} hint{'s' if hints != 1 else ''}")
    if lines:
        parts.append(f"{lines} line{'s' if lines != 1 else ''}")
    console.print(f"Session: {summary.get('task')} {state} · " + " · ".join(parts))
