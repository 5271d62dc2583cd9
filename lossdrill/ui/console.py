"""The rich console and the answer source used by every interactive drill.

Interactive when standard input is a terminal; otherwise answers are read one per line
from standard input, so a whole session can be scripted. ``NO_COLOR`` is honoured by
rich itself.
"""

from __future__ import annotations

import os
import select
import signal
import sys
from typing import Any, TextIO

from rich.console import Console

MAX_ANSWER_CHARS = 10_000
"""A scripted answer line longer than this is cut (``quiz < /dev/zero`` must not fill memory)."""


class _Console(Console):
    """A rich console that never fails on markup: a stray ``[/]`` in user text (a path, a
    topic) is printed as written instead of raising ``MarkupError``."""

    def print(self, *objects: Any, **kwargs: Any) -> None:
        from rich.errors import MarkupError

        try:
            super().print(*objects, **kwargs)
        except MarkupError:
            kwargs["markup"] = False
            super().print(*objects, **kwargs)


def make_console(stderr: bool = False) -> Console:
    """The console every command prints with. Emoji codes stay as written: ``:x:`` in a
    learner's code or a bank's text is not a cross mark (and rich's 3,600-name emoji table
    is never loaded)."""
    return _Console(highlight=False, emoji=False, stderr=stderr)


class EndOfInput(Exception):
    """The learner ended the session: Ctrl-C, Ctrl-D or the end of scripted input."""


class AnswerSource:
    """Reads one answer at a time, from a terminal or from scripted standard input."""

    def __init__(self, console: Console, stream: TextIO | None = None) -> None:
        self.console = console
        self.stream = stream if stream is not None else sys.stdin
        try:
            self.interactive = self.stream.isatty()
        except (AttributeError, ValueError):
            self.interactive = False

    def ask(self, prompt: str = "> ") -> str:
        """One answer line, stripped. Raises :class:`EndOfInput` on Ctrl-C, Ctrl-D or EOF."""
        if self.interactive:
            try:
                line = self._read_terminal_line(f"[bold cyan]{prompt}[/]")
            except (KeyboardInterrupt, EOFError):
                self.console.print()
                raise EndOfInput from None
            if line == "":
                self.console.print()
                raise EndOfInput
            return line.strip()
        self.console.print(f"[bold cyan]{prompt}[/]", end="")
        try:
            line = self.stream.readline(MAX_ANSWER_CHARS) if self.stream is not None else ""
            if len(line) >= MAX_ANSWER_CHARS and not line.endswith("\n"):
                for _ in range(100):  # drop the rest of an overlong line, a piece at a time
                    rest = self.stream.readline(MAX_ANSWER_CHARS)
                    if not rest or rest.endswith("\n"):
                        break
                else:  # a megabyte without a line break is not an answer: end the session
                    line = ""
        except KeyboardInterrupt:
            self.console.print()
            raise EndOfInput from None
        if line == "":
            self.console.print()
            raise EndOfInput
        answer = line.rstrip("\r\n").strip()
        self.console.print(answer, markup=False, highlight=False)
        return answer

    def _read_terminal_line(self, prompt: str) -> str:
        """Show ``prompt`` and read a line; Ctrl-C at any moment raises KeyboardInterrupt once.

        ``Console.input`` has two races with Ctrl-C: an interrupt landing while rich writes
        the prompt leaves the prompt in rich's buffer (printed again by the next print), and
        one landing just before ``input()`` blocks is only noticed after the next Enter.
        Here Ctrl-C only sets a flag while the prompt is printed, and the wait for a line
        also watches the signal wake-up pipe, so no interrupt is lost or half-handled.
        """
        try:
            if sys.platform == "win32":  # select() only watches sockets there
                raise OSError
            fd = self.stream.fileno()
            previous = signal.getsignal(signal.SIGINT) or signal.default_int_handler
            interrupted: list[int] = []
            signal.signal(signal.SIGINT, lambda signum, frame: interrupted.append(signum))
        except (AttributeError, OSError, ValueError):  # no file descriptor, not the main thread
            return self.console.input(prompt) + "\n"
        wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        old_wakeup = -1
        try:
            old_wakeup = signal.set_wakeup_fd(wake_w)
            self.console.print(prompt, end="")
            while not interrupted:
                ready, _, _ = select.select([fd, wake_r], [], [])
                if fd in ready:
                    break
                os.read(wake_r, 512)
            if not interrupted:
                line = self.stream.readline()
            if interrupted:
                if callable(
                    previous
                ):  # the handler in place before: lossdrill's notes the ^C (exit 130)
                    previous(signal.SIGINT, None)
                raise KeyboardInterrupt
            return line
        finally:
            signal.set_wakeup_fd(old_wakeup)
            signal.signal(signal.SIGINT, previous)
            os.close(wake_r)
            os.close(wake_w)
