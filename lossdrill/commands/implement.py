"""``lossdrill implement TASK``: write a loss function and have it checked on every save.

``--check`` checks a file once (``--json`` prints the DESIGN machine interface) and exits
0 on a pass, 1 on a failure, 2 on a usage error. Without it: the task is shown, a starter
is written (an existing file is never overwritten), ``$EDITOR`` opens on request, and the
file is watched; each save is checked. Commands typed at the prompt: ``h`` hint, ``r``
reveal, ``c`` check now, ``q`` quit.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from lossdrill.commands.preamble import (
    open_recorder,
    print_notice,
    recorder_with_notice,
    unknown_task_message,
)
from lossdrill.implement import record_attempt
from lossdrill.paths import work_dir


class UsageError(Exception):
    """Bad input from the user: an unknown task, a missing file."""


def run(
    task: str,
    file: str | None,
    check: bool,
    as_json: bool,
    edit: bool,
    seed: int | None,
    banks: list[str],
    home: str | None,
    framework: str | None = None,
    device: str = "cpu",
) -> int:
    from lossdrill.checker.frameworks import sandbox_options
    from lossdrill.checker.frameworks.choice import TrackUnavailable, chosen, require

    track = chosen(framework, home)
    try:
        require(track, device)
    except TrackUnavailable as exc:
        return _fail(str(exc), as_json, task, code=2)
    # The worker starts first: it imports NumPy while this process loads the rest.
    try:
        from lossdrill.checker.sandbox import SandboxError, take

        sandbox = take(**sandbox_options(track))  # usually already started by the CLI
    except Exception as exc:  # noqa: BLE001 - reported in plain words
        return _fail(f"cannot start the checker's worker process: {exc}", as_json, task, code=3)
    try:
        if check:
            return _check_once(task, file, as_json, seed, banks, home, sandbox, track, device)
        return _watch(task, file, edit, seed, banks, home, sandbox, track, device)
    except UsageError as exc:
        return _fail(str(exc), as_json, task, code=2)
    except SandboxError as exc:
        return _fail(f"the checker's worker process failed: {exc}", as_json, task, code=3)
    finally:
        sandbox.close()


def _fail(message: str, as_json: bool, task: str, *, code: int) -> int:
    if as_json:
        print(json.dumps({"task": task, "error": message}))
    else:
        from rich.markup import escape

        from lossdrill.ui.console import make_console

        # escaped: a message may hold brackets (pip install 'lossdrill[torch]')
        make_console(stderr=True).print(f"[red]error:[/] {escape(message)}", markup=True,
                                        highlight=False, soft_wrap=True)
    return code


def _spec(task: str) -> Any:
    from lossdrill.checker.tasks import TASKS

    spec = TASKS.get(task)
    if spec is None:
        raise UsageError(unknown_task_message(task, TASKS))
    return spec


def _path(task: str, file: str | None, home: str | None, framework: str = "numpy") -> Path:
    """``--file``, else the task's file in the work folder (one per track)."""
    if file:
        return Path(file).expanduser()
    suffix = "" if framework == "numpy" else f"_{framework}"
    return work_dir(home) / f"{task}{suffix}.py"


def _read(path: Path) -> str:
    from lossdrill.checker.source import read_submission

    try:
        return read_submission(path)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a folder, not a Python file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None


class _LazyBank:
    """Loads the banks only when the checker asks (for a failing submission's mutants)."""

    def __init__(self, extra: list[str]) -> None:
        self.extra = extra
        self.bank: Any = None

    def __call__(self) -> Any:
        if self.bank is None:
            from lossdrill.bank.loader import load_banks

            self.bank = load_banks(self.extra)
        return self.bank


# --------------------------------------------------------------------------- --check


def _check_once(task: str, file: str | None, as_json: bool, seed: int | None, banks: list[str],
                home: str | None, sandbox: Any, framework: str = "numpy", device: str = "cpu") -> int:
    from lossdrill.checker.engine import run_check
    from lossdrill.checker.source import solution_lines

    spec = _spec(task)
    path = _path(task, file, home, framework)
    if not path.exists():
        hint = "" if file else f" (run `lossdrill implement {task}` to get a starter, or pass --file)"
        raise UsageError(f"no such file: {path}{hint}")
    source = _read(path)
    bank = _LazyBank(banks)
    recorder = open_recorder(home)  # while the worker may still be importing NumPy
    print_notice(recorder)
    try:
        # the overlay sweep is drawn only in the rich report; --json leaves it out (speed)
        result = run_check(task, source, seed=seed, bank=bank, sandbox=sandbox,
                           filename=str(path), sweep=not as_json, framework=framework,
                           device=device)
        lines = solution_lines(source, spec.function)
        session = recorder.start_session("implement")
        record_attempt(recorder, session, task, result, 0.0, lines, recorder.hints_shown(task))
        hints = recorder.hints_shown(task)
        recorder.end_session(session, {"task": task, "passed": result.passed, "checks": 1,
                                       "mode": "check"})
    finally:
        recorder.close()
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), allow_nan=False) + "\n")
    else:
        from lossdrill.ui.console import make_console
        from lossdrill.ui.implement_view import render_result

        item = bank().implement(task) if not result.passed else None
        if item is not None and framework != "numpy":
            from lossdrill.checker.frameworks.content import track_item

            item = track_item(item, framework, spec.signature())
        render_result(make_console(), result, hints_shown=hints,
                      hints_total=len(item.hints) if item else 0, lines=lines)
    return 0 if result.passed else 1


# --------------------------------------------------------------------------- watch mode


class _View:
    """Renders a watch session with the implement view."""

    def __init__(self, console: Any, task: str) -> None:
        self.console = console
        self.task = task

    def watching(self, path: Path) -> None:
        from rich.markup import escape

        self.console.print(f"[dim]Watching {escape(str(path))}.[/]", soft_wrap=True)

    def help(self) -> None:
        from lossdrill.ui.implement_view import render_watch_help

        render_watch_help(self.console)

    def checking(self, number: int) -> None:
        self.console.rule(f"check #{number} · {time.strftime('%H:%M:%S')}")

    def gone(self, path: Path) -> None:
        self.console.print(f"[red]{path} is gone[/]; save it again to continue.")

    def result(self, result: Any, hints: int, hints_total: int, lines: int) -> None:
        from lossdrill.ui.implement_view import render_result

        render_result(self.console, result, hints_shown=hints, hints_total=hints_total, lines=lines,
                      watch=True)

    def passed(self, elapsed: float, lines: int, hints: int, revealed: bool) -> None:
        from lossdrill.ui.implement_view import render_pass

        render_pass(self.console, elapsed, lines, hints, revealed=revealed)

    def hint(self, level: int, total: int, text: str, repeated: bool) -> None:
        from lossdrill.ui.implement_view import render_hint

        render_hint(self.console, self.task, level, total, text, repeated=repeated, watch=True)

    def solution(self, item: Any) -> None:
        from lossdrill.ui.implement_view import render_reveal

        render_reveal(self.console, item)

    def ask_reveal(self) -> None:
        self.console.print("You have not passed yet. Reveal the solution? \\[y/N]")

    def not_revealed(self) -> None:
        self.console.print("Not revealed.")

    def missing(self, what: str) -> None:
        self.console.print(f"[yellow]This task has no {what} in the banks.[/]")

    def unknown_command(self, command: str) -> None:
        self.console.print(f"Unknown command {command!r}.")

    def editor_problem(self, editor: str | None, error: str) -> None:
        if editor is None:
            self.console.print("[yellow]$EDITOR is not set;[/] open the file in your editor yourself.")
        else:
            self.console.print(f"[yellow]could not start {editor!r}: {error}[/]")


def _watch(task: str, file: str | None, edit: bool, seed: int | None, banks: list[str],
           home: str | None, sandbox: Any, framework: str = "numpy", device: str = "cpu") -> int:
    from lossdrill.bank.loader import load_banks
    from lossdrill.checker.engine import run_check
    from lossdrill.checker.source import solution_lines
    from lossdrill.implement import starter
    from lossdrill.implement.watch import WatchSession, digest
    from lossdrill.ui.console import make_console
    from lossdrill.ui.implement_view import render_summary, render_task

    console = make_console()
    err = make_console(stderr=True)
    spec = _spec(task)
    bank = load_banks(banks)
    item = bank.implement(task)
    if framework != "numpy":
        from lossdrill.checker.frameworks.content import track_item

        item = track_item(item, framework, spec.signature())
    path = _path(task, file, home, framework)
    existing = path.exists()
    if existing and path.is_dir():
        raise UsageError(f"{path} is a folder, not a Python file")
    text = starter(spec, item, framework)
    if not existing:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as out:  # "x": never overwrite
                out.write(text)
        except FileExistsError:
            existing = True
        except OSError as exc:
            raise UsageError(f"cannot write the starter to {path}: {exc}") from None
    render_task(console, spec, item, str(path), existing=existing)
    if framework != "numpy":
        from lossdrill.checker.frameworks.content import track_lines

        for line in track_lines(item, framework, device):
            console.print(line, markup=False, highlight=False)

    def check(source: str, filename: str) -> Any:
        try:
            return run_check(task, source, seed=seed, bank=bank, sandbox=sandbox, filename=filename,
                             framework=framework, device=device)
        finally:
            # a fresh worker for the next check: nothing this file did to the worker's NumPy
            # or globals carries over; it starts while the learner edits
            sandbox.close()
            sandbox.start()

    recorder = recorder_with_notice(home, err)
    session = WatchSession(
        spec, item, path, check=check, solution_lines=lambda source: solution_lines(source, spec.function),
        recorder=recorder, view=_View(console, task), starter_digest=digest(text),
    )
    try:
        session.run(edit=edit)
    except KeyboardInterrupt:
        console.print()
    finally:
        recorder.close()
        render_summary(console, session.state.summary())
    return 0
