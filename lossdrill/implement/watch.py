"""Watch mode: the file is checked on every save; ``h`` hint, ``r`` reveal, ``c`` check now,
``q`` quit, and ``n`` next task once the task passes.

:class:`WatchSession` is the engine: it polls the file, reads the prompt's commands, runs
checks, records attempts and hints, and tells a :class:`WatchView` what happened; it prints
nothing itself. Commands are read by a background thread (:class:`PromptLines`) that starts
only once ``$EDITOR`` (``--edit``) has exited, so an editor owns the terminal while it runs.
At a terminal each command is one keypress (no Enter); otherwise whole lines are read, so
scripts keep working.

Honest timings: a session is an *attempt*, its saves are checks of that one attempt (they
share a ``watch_id``), and a check of a source already recorded is not recorded again. The
attempt is ``timed`` when it starts from the starter or from a file that fails; a session
that opens a file which already passes is a ``recheck``: recorded with no time, never a
timed pass (its clock would measure nothing).
"""

from __future__ import annotations

import os
import queue
import select
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Protocol, TextIO, cast

from lossdrill.hints import next_hint, reveal
from lossdrill.implement import digest, read_source, record_attempt
from lossdrill.recording import Recorder

if TYPE_CHECKING:
    from lossdrill.bank.schema import ImplementItem
    from lossdrill.checker.result import CheckResult
    from lossdrill.checker.tasks import TaskSpec

POLL_SECONDS = 0.3
"""How often the file is looked at when nothing is typed."""
SETTLE_SECONDS = 0.05
"""A changed file is read once it has not changed for this long (editors truncate, then write)."""

Stat = tuple[int, int]
"""(mtime in ns, size) of the watched file."""


@dataclass
class WatchState:
    """What a watch session has done so far; its summary is recorded and shown at the end."""

    task: str
    checks: int = 0
    passed: bool = False
    seconds_to_pass: float | None = None
    """Seconds from the start of the session to the first pass."""
    lines: int = 0
    """Solution lines of the last checked file."""
    hints: int = 0
    """Hints shown so far (a revealed solution counts as all of them)."""
    revealed: bool = False
    last_stat: Stat | None = None
    """The file's (mtime, size) when it was last read."""
    last_digest: str | None = None
    """The SHA-256 of the text last read; None before the first read."""
    kind: str = "timed"
    """``timed``, or ``recheck`` once the session's first check passed a file it did not
    write (see the module's docstring)."""
    recorded_digest: str | None = None
    """The digest of the last recorded check (an unchanged source is not recorded again)."""
    next_task: bool = False
    """The learner asked for the next task (``n`` after a pass)."""

    def summary(self) -> dict[str, object]:
        return {
            "task": self.task,
            "checks": self.checks,
            "passed": self.passed,
            "seconds_to_pass": self.seconds_to_pass,
            "lines": self.lines,
            "hints": self.hints,
            "revealed": self.revealed,
            "kind": self.kind,
        }


class WatchView(Protocol):
    """Where a watch session shows what happened (the command layer renders it)."""

    def watching(self, path: Path) -> None:
        """The loop is waiting for saves and commands."""

    def checking(self, number: int) -> None:
        """Check number ``number`` starts."""

    def gone(self, path: Path) -> None:
        """The file disappeared."""

    def result(self, result: CheckResult, hints: int, hints_total: int, lines: int) -> None: ...

    def passed(self, elapsed: float, lines: int, hints: int, revealed: bool) -> None:
        """The first pass of a timed session."""

    def rechecked(self, lines: int) -> None:
        """The file already passed when the session opened it: a re-check, not a timed pass."""

    def hint(self, level: int, total: int, text: str, repeated: bool) -> None: ...

    def solution(self, item: ImplementItem) -> None:
        """The debrief and the reference solution."""

    def ask_reveal(self) -> None:
        """Ask to confirm a reveal before the task is passed (the answer is the next line)."""

    def not_revealed(self) -> None: ...

    def missing(self, what: str) -> None:
        """The banks have no ``hints`` / ``solution`` for this task."""

    def unknown_command(self, command: str) -> None: ...

    def not_yet_next(self) -> None:
        """``n`` before the task passed."""

    def prompt(self, passed: bool, single_keys: bool) -> None:
        """The visible prompt: the commands, one key each at a terminal (``n`` once passed)."""

    def editor_problem(self, editor: str | None, error: str) -> None:
        """``$EDITOR`` is not set (editor None) or could not be started."""


class PromptLines:
    """Commands typed at the prompt, read by a background thread so the file can be watched.

    At a terminal (``single_keys``) each keypress is a command, read in cbreak mode that is
    left again by :meth:`stop` (the terminal is restored); Enter on its own is ``""``, and
    an Enter typed right after a key (the habit of line input) belongs to that key. Otherwise each
    line is a command. The thread always ends by posting end-of-input when the input ends:
    closed (``sys.stdin`` is None), at its end, Ctrl-D, or failing to read.
    """

    def __init__(
        self,
        stream: IO[str] | None = None,
        *,
        use_stdin: bool = True,
        single_keys: bool | None = None,
    ) -> None:
        from lossdrill.ui.keys import is_terminal

        self.lines: queue.Queue[str | None] = queue.Queue()
        self._stream = stream if stream is not None or not use_stdin else sys.stdin
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.single_keys = (
            self._stream is not None and is_terminal(cast(TextIO, self._stream))
            if single_keys is None
            else single_keys
        )

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            target = self._read_keys if self.single_keys else self._read
            self._thread = threading.Thread(target=target, name="lossdrill-commands", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop reading keys and give the terminal back as it was (single keys only: a line
        reader blocked in ``readline`` is left to the end of input)."""
        self._stop.set()
        if self.single_keys and self._thread is not None:
            self._thread.join(timeout=1.0)

    def _read(self) -> None:
        try:
            stream = self._stream
            while stream is not None:
                line = stream.readline()
                if line == "":
                    break
                self.lines.put(line.strip())
        except Exception:  # noqa: BLE001 - any failure to read is the end of input
            pass
        finally:
            self.lines.put(None)

    def _read_keys(self) -> None:
        from lossdrill.ui.keys import read_key, single_keys

        stream = cast(TextIO, self._stream)
        ended = False
        after_key = False
        try:
            fd = stream.fileno()
            with single_keys(stream):
                while not self._stop.is_set():
                    if not select.select([fd], [], [], 0.1)[0]:
                        continue
                    try:
                        key = read_key(stream)
                    except EOFError:
                        ended = True
                        return
                    if key == "\n":
                        if not after_key:  # Enter after a key ends that key's "line"
                            self.lines.put("")
                        after_key = False
                    elif key.isprintable() and key.strip():
                        self.lines.put(key)
                        after_key = True
                    else:
                        after_key = False
        except Exception:  # noqa: BLE001 - any failure to read is the end of input
            ended = True
        finally:
            if ended:
                self.lines.put(None)

    def get(self, timeout: float | None) -> str | None | bool:
        """A line, None at the end of input, or False when nothing came within ``timeout``."""
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return False


def run_editor(path: Path) -> tuple[str | None, str]:
    """Open ``path`` in ``$VISUAL`` or ``$EDITOR`` and wait for it: (editor, problem or "").

    The editor owns the terminal until it exits: nothing reads stdin meanwhile, Ctrl-C and
    Ctrl-\\ go to the editor only (this process ignores them while it waits), and the
    terminal's settings are restored afterwards, whatever the editor left behind. A GUI
    editor that returns at once is fine too: the file is watched afterwards.
    """
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        return None, "not set"
    saved = _terminal_settings()
    handlers = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGQUIT)}
    try:
        subprocess.call([*shlex.split(editor), str(path)], preexec_fn=_default_signals)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return editor, str(exc)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
        _restore_terminal(saved)
    return editor, ""


def _default_signals() -> None:
    """In the editor's process: Ctrl-C and Ctrl-\\ act as usual."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def _terminal_settings() -> list | None:
    try:
        import termios

        return termios.tcgetattr(sys.stdin.fileno()) if sys.stdin and sys.stdin.isatty() else None
    except (ImportError, OSError, ValueError, AttributeError):
        return None


def _restore_terminal(saved: list | None) -> None:
    if saved is None:
        return
    try:
        import termios

        termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, saved)
    except (ImportError, OSError, ValueError, AttributeError):
        pass


def _stat(path: Path) -> Stat | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


class WatchSession:
    """One watch-mode session of one task.

    ``check(source, filename)`` runs the checker on a submission (the caller owns the
    sandbox); ``solution_lines(source)`` counts its lines.
    """

    def __init__(
        self,
        spec: TaskSpec,
        item: ImplementItem | None,
        path: Path,
        *,
        check: Callable[[str, str], CheckResult],
        solution_lines: Callable[[str], int],
        recorder: Recorder,
        view: WatchView,
        starter_digest: str,
        prompt: PromptLines | None = None,
        poll: float = POLL_SECONDS,
    ) -> None:
        self.spec = spec
        self.item = item
        self.path = path
        self._check = check
        self._lines = solution_lines
        self.recorder = recorder
        self.view = view
        self.starter_digest = starter_digest
        self.prompt = prompt if prompt is not None else PromptLines()
        self.poll = poll
        self.state = WatchState(spec.id)
        self.hints_total = len(item.hints) if item is not None else 0
        self.session = ""
        self.started = 0.0
        self.already_passed = False

    # ----------------------------------------------------------------- the loop
    def run(self, *, edit: bool = False) -> WatchState:
        """Watch until ``q``, the end of input or Ctrl-C (KeyboardInterrupt propagates after
        the session is recorded). The recorder's session is started and ended here."""
        self.session = self.recorder.start_session("implement")
        self.started = time.monotonic()
        self.already_passed = self.recorder.has_passed(self.spec.id)
        try:
            if edit:
                editor, problem = run_editor(self.path)
                if problem:
                    self.view.editor_problem(editor, problem)
            current = read_source(self.path)
            if digest(current) != self.starter_digest:
                self.check_now(opening=True)
            else:
                self.state.last_stat, self.state.last_digest = _stat(self.path), digest(current)
                self._prompt()
            self.prompt.start()  # only now: an editor had the terminal to itself
            self.view.watching(self.path)
            self._loop()
        finally:
            self.prompt.stop()
            self.recorder.end_session(self.session, self.state.summary())
        return self.state

    def _prompt(self) -> None:
        self.view.prompt(self.state.passed or self.already_passed, self.prompt.single_keys)

    def _loop(self) -> None:
        while True:
            line = self.prompt.get(self.poll)
            if line is None:
                return
            if line is not False:
                if not self.command(str(line)):
                    return
                continue
            self._poll_file()

    def command(self, line: str) -> bool:
        """Do one typed command; False when the session should end."""
        cmd = line.strip().lower()
        if cmd in ("q", "quit", "exit"):
            return False
        if cmd in ("n", "next"):
            if self.state.passed or self.already_passed:
                self.state.next_task = True
                return False
            self.view.not_yet_next()
            self._prompt()
            return True
        if cmd in ("h", "hint"):
            self.show_hint()
        elif cmd in ("r", "reveal"):
            return self.show_reveal()
        elif cmd in ("c", "check"):
            self.check_now()
        elif cmd in ("", "?", "help"):
            self._prompt()
        else:
            self.view.unknown_command(cmd)
            self._prompt()
        return True

    def _poll_file(self) -> None:
        stat = _stat(self.path)
        state = self.state
        if stat is None or (state.last_digest is not None and stat == state.last_stat):
            return
        time.sleep(SETTLE_SECONDS)
        if _stat(self.path) != stat:
            return
        text = read_source(self.path)
        if state.last_digest is None or digest(text) != state.last_digest:
            self.check_now()
        else:
            state.last_stat = stat

    # ----------------------------------------------------------------- commands
    def check_now(self, *, opening: bool = False) -> None:
        """Check the file now; ``opening``: the check of the file as the session found it
        (a pass there makes the session a re-check)."""
        state = self.state
        source = read_source(self.path)
        source_digest = digest(source)
        state.last_stat, state.last_digest = _stat(self.path), source_digest
        if not self.path.exists():
            self.view.gone(self.path)
            return
        self.view.checking(state.checks + 1)
        result = self._check(source, str(self.path))
        elapsed = time.monotonic() - self.started
        lines = self._lines(source)
        state.checks += 1
        state.lines = lines
        if opening and result.passed:
            state.kind = "recheck"  # it passed before this session changed anything
        # An unchanged source is not a new check: not the one this session recorded last,
        # nor (on opening) the one recorded last for this task.
        known = self.recorder.last_digest(self.spec.id) if opening else state.recorded_digest
        if source_digest != known:
            hints_used = self.recorder.hints_shown(self.spec.id)
            timed = state.kind == "timed"
            record_attempt(
                self.recorder,
                self.session,
                self.spec.id,
                result,
                elapsed if timed else 0.0,
                lines,
                hints_used,
                kind=state.kind,
                watch_id=self.session,
                digest=source_digest,
            )
            state.recorded_digest = source_digest
        state.hints = self.recorder.hints_shown(self.spec.id)
        self.view.result(result, state.hints, self.hints_total, lines)
        if result.passed and not state.passed:
            state.passed = True
            if state.kind == "recheck":
                self.view.rechecked(lines)
            else:
                state.seconds_to_pass = elapsed
                self.view.passed(elapsed, lines, state.hints, state.revealed)
                if self.item is not None and not state.revealed:  # shown already on `r`
                    self.view.solution(self.item)
        self._prompt()

    def show_hint(self) -> None:
        if self.item is None:
            self.view.missing("hints")
            return
        level, text, repeated = next_hint(self.item, self.recorder)
        self.state.hints = self.recorder.hints_shown(self.spec.id)
        self.view.hint(level, self.hints_total, text, repeated)
        self._prompt()

    def show_reveal(self) -> bool:
        """False when the input ended while asking."""
        if self.item is None:
            self.view.missing("solution")
            return True
        if not self.state.passed and not self.already_passed:
            self.view.ask_reveal()
            answer = self.prompt.get(None)
            if answer is None:
                return False
            if str(answer).lower() not in ("y", "yes"):
                self.view.not_revealed()
                return True
        reveal(self.item, self.recorder)
        self.state.revealed = True
        self.state.hints = self.recorder.hints_shown(self.spec.id)
        self.view.solution(self.item)
        self._prompt()
        return True
