"""``lossdrill implement [TASK]``: write a loss function and have it checked on every save.

``--check`` checks a file once (``--json`` prints the DESIGN machine interface, and implies
``--check``) and exits 0 on a pass, 1 on a failure, 2 on a usage error. Without it: the
task is shown, a starter is written (an existing file is never overwritten), ``$EDITOR``
opens on request, and the file is watched; each save is checked. Keys (one keypress at a
terminal, a line each otherwise): ``h`` hint, ``r`` reveal, ``c`` check now, ``q`` quit,
``n`` the next task once this one passes. Without TASK the next task is chosen
(:mod:`lossdrill.implement.choose`). The file is ``<data>/work/TASK.py``, ``./TASK.py``
with ``--here``, a new ``TASK-N.py`` beside it with ``--fresh``, or ``--file``.
"""

from __future__ import annotations

import json
import sys
import threading
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
    task: str | None,
    file: str | None,
    check: bool,
    as_json: bool,
    edit: bool,
    seed: int | None,
    banks: list[str],
    home: str | None,
    here: bool = False,
    fresh: bool = False,
    framework: str | None = None,
    device: str = "cpu",
) -> int:
    from lossdrill.checker.frameworks import sandbox_options
    from lossdrill.checker.frameworks.choice import TrackUnavailable, require
    from lossdrill.checker.frameworks.choice import chosen as chosen_track

    check = check or as_json  # --json is the machine interface of a single check
    track = chosen_track(framework, home)
    try:
        require(track, device)
    except TrackUnavailable as exc:
        return _fail(str(exc), as_json, task or "", code=2)
    if task is None:
        if check or file:
            return _fail(
                "name the task to check, e.g. `lossdrill implement mse --check`",
                as_json,
                "",
                code=2,
            )
        from lossdrill.implement.choose import next_task

        chosen = next_task(home, banks)
        if chosen is None:
            print(
                "Every task has passed. Name one to practise again (`lossdrill list` shows"
                " them), or run `lossdrill today`."
            )
            return 0
        print(f"No task named: starting {chosen.task} ({chosen.why}).")
        task = chosen.task
    # The worker starts first: it imports NumPy while this process loads the rest.
    try:
        from lossdrill.checker.sandbox import SandboxError, take

        sandbox = take(**sandbox_options(track))  # usually already started by the CLI
    except Exception as exc:  # noqa: BLE001 - reported in plain words
        return _fail(f"cannot start the checker's worker process: {exc}", as_json, task, code=3)
    try:
        where = _Where(file, home, here, fresh, track)
        if check:
            return _check_once(task, where, as_json, seed, banks, home, sandbox, track, device)
        return _watch_tasks(task, where, edit, seed, banks, home, sandbox, track, device)
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

        make_console(stderr=True).print(
            f"[red]error:[/] {escape(message)}", markup=True, highlight=False, soft_wrap=True
        )
    return code


def _spec(task: str) -> Any:
    from lossdrill.checker.tasks import TASKS

    spec = TASKS.get(task)
    if spec is None:
        raise UsageError(unknown_task_message(task, TASKS))
    return spec


class _Where:
    """Where a task's file is: ``--file``, else ``TASK.py`` in the current folder
    (``--here``) or the data folder's ``work/``; ``--fresh``: a new ``TASK-N.py`` there. A
    framework track has its own file (``TASK_torch.py``)."""

    def __init__(
        self, file: str | None, home: str | None, here: bool, fresh: bool, framework: str = "numpy"
    ) -> None:
        self.file, self.home, self.here, self.fresh = file, home, here, fresh
        self.framework = framework

    def path(self, task: str) -> Path:
        if self.file:
            return Path(self.file).expanduser()
        folder = Path.cwd() if self.here else work_dir(self.home)
        stem = task if self.framework == "numpy" else f"{task}_{self.framework}"
        path = folder / f"{stem}.py"
        n = 2
        while self.fresh and path.exists():
            path = folder / f"{stem}-{n}.py"
            n += 1
        return path

    def for_next_task(self) -> _Where:
        """The next task's file: never the file given for this one."""
        return _Where(None, self.home, self.here, False, self.framework)


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
    """The task's implement item, read only when asked (a failing submission's mutants and
    hints): :meth:`implement` is all the checker and the report use of a bank."""

    def __init__(self, extra: list[str]) -> None:
        self.extra = extra
        self.items: dict[str, Any] = {}

    def implement(self, task: str) -> Any:
        if task not in self.items:
            from lossdrill.bank.loader import find_implement

            self.items[task] = find_implement(task, self.extra)
        return self.items[task]


# --------------------------------------------------------------------------- --check


def _check_once(
    task: str,
    where: _Where,
    as_json: bool,
    seed: int | None,
    banks: list[str],
    home: str | None,
    sandbox: Any,
    framework: str = "numpy",
    device: str = "cpu",
) -> int:
    from lossdrill.checker.engine import run_check
    from lossdrill.checker.source import solution_lines
    from lossdrill.implement import digest

    spec = _spec(task)
    path = where.path(task)
    if not path.exists():
        hint = (
            ""
            if where.file
            else f" (run `lossdrill implement {task}` to get a starter, or pass --file)"
        )
        raise UsageError(f"no such file: {path}{hint}")
    source = _read(path)
    bank = _LazyBank(banks)
    recorder = open_recorder(home)  # while the worker may still be importing NumPy
    print_notice(recorder)
    try:
        # the overlay sweep is drawn only in the rich report; --json leaves it out (speed)
        result = run_check(
            task,
            source,
            seed=seed,
            bank=bank,
            sandbox=sandbox,
            filename=str(path),
            sweep=not as_json,
            framework=framework,
            device=device,
        )
        lines = solution_lines(source, spec.function)
        source_digest = digest(source)
        unchanged = recorder.last_digest(task) == source_digest
        if not unchanged:  # checking an unchanged file again is not a new attempt
            session = recorder.start_session("implement")
            record_attempt(
                recorder,
                session,
                task,
                result,
                0.0,
                lines,
                recorder.hints_shown(task),
                kind="check",
                digest=source_digest,
            )
            recorder.end_session(
                session, {"task": task, "passed": result.passed, "checks": 1, "mode": "check"}
            )
        hints = recorder.hints_shown(task)
    finally:
        recorder.close()
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), allow_nan=False) + "\n")
    else:
        from lossdrill.ui.console import make_console
        from lossdrill.ui.implement_view import render_result

        item = bank.implement(task) if not result.passed else None
        if item is not None and framework != "numpy":
            from lossdrill.checker.frameworks.content import track_item

            item = track_item(item, framework, spec.signature())
        console = make_console()
        render_result(
            console,
            result,
            hints_shown=hints,
            hints_total=len(item.hints) if item else 0,
            lines=lines,
        )
        if unchanged:
            console.print("[dim]Unchanged since the last recorded check: not recorded again.[/]")
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

    def prompt(self, passed: bool, single_keys: bool) -> None:
        from lossdrill.ui.implement_view import render_watch_help

        render_watch_help(self.console, passed=passed, single_keys=single_keys)

    def rechecked(self, lines: int) -> None:
        from lossdrill.ui.implement_view import render_recheck

        render_recheck(self.console, self.task, lines)

    def not_yet_next(self) -> None:
        self.console.print("[bold]n[/] (next task) works once this task passes.")

    def checking(self, number: int) -> None:
        self.console.rule(f"check #{number} · {time.strftime('%H:%M:%S')}")

    def gone(self, path: Path) -> None:
        self.console.print(f"[red]{path} is gone[/]; save it again to continue.")

    def result(self, result: Any, hints: int, hints_total: int, lines: int) -> None:
        from lossdrill.ui.implement_view import render_result

        render_result(
            self.console,
            result,
            hints_shown=hints,
            hints_total=hints_total,
            lines=lines,
            watch=True,
        )

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
            self.console.print(
                "[yellow]$EDITOR is not set;[/] open the file in your editor yourself."
            )
        else:
            self.console.print(f"[yellow]could not start {editor!r}: {error}[/]")


def _warm_next_line() -> None:
    """Import what the ``Next:`` line needs (the engine, FSRS) while the learner works, so
    quitting does not wait for it."""
    try:
        from lossdrill.schedule import state  # noqa: F401
        from lossdrill.schedule.memory import item_scheduler

        item_scheduler(None)
    except Exception:  # noqa: BLE001 - only a head start; next_line reports nothing either
        pass


def _watch_tasks(
    task: str,
    where: _Where,
    edit: bool,
    seed: int | None,
    banks: list[str],
    home: str | None,
    sandbox: Any,
    framework: str = "numpy",
    device: str = "cpu",
) -> int:
    """Watch ``task``; after ``n`` (next task) watch the next one, and so on. Ends with the
    ``Next:`` line."""
    from rich.markup import escape

    from lossdrill.implement.choose import next_task
    from lossdrill.implement.watch import PromptLines
    from lossdrill.schedule.choose import next_line
    from lossdrill.ui.console import make_console

    console = make_console()
    prompt = PromptLines()  # one reader for every task of the run
    threading.Thread(target=_warm_next_line, name="lossdrill-warm", daemon=True).start()
    done: list[str] = []
    while True:
        state = _watch(task, where, edit, seed, banks, home, sandbox, prompt, framework, device)
        done.append(task)
        if not state.next_task:
            break
        chosen = next_task(home, banks, exclude=done)
        if chosen is None:
            console.print("Every task has passed: well done.")
            break
        console.print(f"Next task: [bold]{escape(chosen.task)}[/] ({chosen.why}).")
        task, where = chosen.task, where.for_next_task()
    console.print(
        f"Next: {escape(next_line(home, banks, after='implement'))}",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def _watch(
    task: str,
    where: _Where,
    edit: bool,
    seed: int | None,
    banks: list[str],
    home: str | None,
    sandbox: Any,
    prompt: Any,
    framework: str = "numpy",
    device: str = "cpu",
) -> Any:
    from lossdrill.bank.loader import load_banks
    from lossdrill.checker.engine import run_check
    from lossdrill.checker.source import solution_lines
    from lossdrill.implement import digest, starter
    from lossdrill.implement.watch import WatchSession
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
    path = where.path(task)
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
            return run_check(
                task,
                source,
                seed=seed,
                bank=bank,
                sandbox=sandbox,
                filename=filename,
                framework=framework,
                device=device,
            )
        finally:
            # a fresh worker for the next check: nothing this file did to the worker's NumPy
            # or globals carries over; it starts while the learner edits
            sandbox.close()
            sandbox.start()

    recorder = recorder_with_notice(home, err)
    session = WatchSession(
        spec,
        item,
        path,
        check=check,
        solution_lines=lambda source: solution_lines(source, spec.function),
        recorder=recorder,
        view=_View(console, task),
        starter_digest=digest(text),
        prompt=prompt,
    )
    try:
        session.run(edit=edit)
    except KeyboardInterrupt:  # the CLI still exits 130 (it noted the Ctrl-C)
        console.print()
    finally:
        recorder.close()
        render_summary(console, session.state.summary())
    return session.state
