"""``lossdrill implement TASK``: write a loss function and have it checked on every save.

``--check`` checks a file once (``--json`` prints the DESIGN machine interface) and exits
0 on a pass, 1 on a failure, 2 on a usage error. Without it: the task is shown, a starter
is written (an existing file is never overwritten), ``$EDITOR`` opens on request, and the
file is watched; each save is checked. Commands typed at the prompt: ``h`` hint, ``r``
reveal, ``c`` check now, ``q`` quit.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from lossdrill.commands.preamble import open_recorder, recorder_with_notice, unknown_task_message
from lossdrill.paths import work_dir
from lossdrill.recording import ImplementAttempt

POLL_SECONDS = 0.3


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
    try:
        return path.read_text(encoding="utf-8", errors="replace")
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


def _record(recorder: Any, session: str, task: str, result: Any, elapsed: float, lines: int) -> None:
    recorder.record_implement_attempt(
        ImplementAttempt(
            session_id=session,
            task=task,
            passed=result.passed,
            score=result.score,
            groups=tuple((g.name, g.total, g.failed) for g in result.groups),
            diagnoses=result.codes,
            elapsed_s=elapsed,
            hints_used=recorder.hints_shown(task),
            lines=lines,
            framework=getattr(result, "framework", "numpy"),
        )
    )


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
    notice = getattr(recorder, "notice", None)
    if notice:
        sys.stderr.write(f"lossdrill: {notice}\n")
    try:
        # the overlay sweep is drawn only in the rich report; --json leaves it out (speed)
        result = run_check(task, source, seed=seed, bank=bank, sandbox=sandbox,
                           filename=str(path), sweep=not as_json, framework=framework,
                           device=device)
        lines = solution_lines(source, spec.function)
        session = recorder.start_session("implement")
        _record(recorder, session, task, result, 0.0, lines)
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


def _starter(spec: Any, item: Any | None) -> str:
    if item is not None and item.starter.strip():
        return item.starter if item.starter.endswith("\n") else item.starter + "\n"
    return (f"import numpy as np\n\n\ndef {spec.signature()}:\n"
            f"    raise NotImplementedError\n")


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()


class _Commands:
    """Lines typed at the prompt, read by a background thread so the file can be watched."""

    def __init__(self) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, name="lossdrill-commands", daemon=True).start()

    def _read(self) -> None:
        try:
            while True:
                line = sys.stdin.readline()
                if line == "":
                    break
                self.lines.put(line.strip())
        except (OSError, ValueError):
            pass
        self.lines.put(None)

    def get(self, timeout: float | None) -> str | None | bool:
        """A line, None at the end of input, or False when nothing came within ``timeout``."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return False


def _open_editor(path: Path, console: Any) -> None:
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        console.print("[yellow]$EDITOR is not set;[/] open the file in your editor yourself.")
        return
    try:
        subprocess.call([*shlex.split(editor), str(path)])
    except (OSError, ValueError) as exc:
        console.print(f"[yellow]could not start {editor!r}: {exc}[/]")


def _watch(task: str, file: str | None, edit: bool, seed: int | None, banks: list[str],
           home: str | None, sandbox: Any, framework: str = "numpy", device: str = "cpu") -> int:
    from lossdrill.bank.loader import load_banks
    from lossdrill.checker.engine import run_check
    from lossdrill.checker.source import solution_lines
    from lossdrill.commands.hint import next_hint
    from lossdrill.commands.reveal import reveal
    from lossdrill.ui.console import make_console
    from lossdrill.ui.implement_view import (
        render_hint,
        render_pass,
        render_result,
        render_reveal,
        render_summary,
        render_task,
        render_watch_help,
    )

    console = make_console()
    err = make_console(stderr=True)
    spec = _spec(task)
    bank = load_banks(banks)
    item = bank.implement(task)
    if framework != "numpy":
        from lossdrill.checker.frameworks.content import starter, track_item

        item = track_item(item, framework, spec.signature())
    path = _path(task, file, home, framework)
    existing = path.exists()
    if existing and path.is_dir():
        raise UsageError(f"{path} is a folder, not a Python file")
    if not existing:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8") as out:  # "x": never overwrite
                out.write(starter(spec.signature(), framework) if framework != "numpy"
                          and item is None else _starter(spec, item))
        except FileExistsError:
            existing = True
        except OSError as exc:
            raise UsageError(f"cannot write the starter to {path}: {exc}") from None
    if framework != "numpy" and item is None:
        starter_text = starter(spec.signature(), framework)
    else:
        starter_text = _starter(spec, item)
    starter_digest = _digest(starter_text)
    render_task(console, spec, item, str(path), existing=existing)
    if framework != "numpy":
        from lossdrill.checker.frameworks.content import track_lines

        for line in track_lines(item, framework, device):
            console.print(line, markup=False, highlight=False)

    recorder = recorder_with_notice(home, err)
    session = recorder.start_session("implement")
    started = time.monotonic()
    hints_total = len(item.hints) if item else 0
    state: dict[str, Any] = {"task": task, "checks": 0, "passed": False, "seconds_to_pass": None,
                             "lines": 0, "hints": 0, "revealed": False, "last": None}
    already_passed = recorder.has_passed(task)

    def check_now() -> None:
        source = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        state["last"] = _stat(path), _digest(source)
        if not path.exists():
            console.print(f"[red]{path} is gone[/]; save it again to continue.")
            return
        console.rule(f"check #{state['checks'] + 1} · {time.strftime('%H:%M:%S')}")
        try:
            result = run_check(task, source, seed=seed, bank=bank, sandbox=sandbox,
                               filename=str(path), framework=framework, device=device)
        finally:
            # a fresh worker for the next check: nothing this file did to the worker's NumPy
            # or globals carries over; it starts while the learner edits
            sandbox.close()
            sandbox.start()
        elapsed = time.monotonic() - started
        lines = solution_lines(source, spec.function)
        state["checks"] += 1
        state["lines"] = lines
        _record(recorder, session, task, result, elapsed, lines)
        hints = recorder.hints_shown(task)
        state["hints"] = hints
        render_result(console, result, hints_shown=hints, hints_total=hints_total, lines=lines,
                      watch=True)
        if result.passed and not state["passed"]:
            state["passed"] = True
            state["seconds_to_pass"] = elapsed
            render_pass(console, elapsed, lines, hints, revealed=state["revealed"])
            if item is not None and not state["revealed"]:  # shown already on `r`
                render_reveal(console, item)
        render_watch_help(console)

    def show_hint() -> None:
        if item is None:
            console.print("[yellow]This task has no hints in the banks.[/]")
            return
        level, text, repeated = next_hint(item, recorder)
        state["hints"] = recorder.hints_shown(task)
        render_hint(console, task, level, hints_total, text, repeated=repeated, watch=True)

    commands = _Commands()

    def show_reveal() -> bool:
        """False when the input ended while asking."""
        if item is None:
            console.print("[yellow]This task has no solution in the banks.[/]")
            return True
        if not state["passed"] and not already_passed:
            console.print("You have not passed yet. Reveal the solution? \\[y/N]")
            answer = commands.get(None)
            if answer is None:
                return False
            if str(answer).lower() not in ("y", "yes"):
                console.print("Not revealed.")
                return True
        reveal(item, recorder)
        state["revealed"] = True
        state["hints"] = recorder.hints_shown(task)
        render_reveal(console, item)
        return True

    try:
        if edit:
            _open_editor(path, console)
        current = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if _digest(current) != starter_digest:
            check_now()
        else:
            state["last"] = _stat(path), _digest(current)
            render_watch_help(console)
        while True:
            line = commands.get(POLL_SECONDS)
            if line is None:
                break
            if line is not False:
                cmd = str(line).strip().lower()
                if cmd in ("q", "quit", "exit"):
                    break
                if cmd in ("h", "hint"):
                    show_hint()
                elif cmd in ("r", "reveal"):
                    if not show_reveal():
                        break
                elif cmd in ("c", "check"):
                    check_now()
                elif cmd in ("", "?", "help"):
                    render_watch_help(console)
                else:
                    console.print(f"Unknown command {cmd!r}.")
                    render_watch_help(console)
                continue
            stat = _stat(path)
            last = state["last"]
            if stat is not None and (last is None or stat != last[0]):
                time.sleep(0.05)  # let an editor finish writing (truncate, then write)
                if _stat(path) != stat:
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                if last is None or _digest(text) != last[1]:
                    check_now()
                else:
                    state["last"] = stat, last[1]
    except KeyboardInterrupt:
        console.print()
    finally:
        summary = {k: v for k, v in state.items() if k != "last"}
        try:
            recorder.end_session(session, summary)
        finally:
            recorder.close()
        render_summary(console, summary)
    return 0
