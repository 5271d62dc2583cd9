"""The rich console and the answer source used by every interactive drill.

Interactive when standard input is a terminal; otherwise answers are read one per line
from standard input, so a whole session can be scripted. ``NO_COLOR`` is honoured by
rich itself.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console


def make_console(stderr: bool = False) -> Console:
    return Console(highlight=False, stderr=stderr)


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
                return self.console.input(f"[bold cyan]{prompt}[/]").strip()
            except (KeyboardInterrupt, EOFError):
                self.console.print()
                raise EndOfInput from None
        self.console.print(f"[bold cyan]{prompt}[/]", end="")
        try:
            line = self.stream.readline()
        except KeyboardInterrupt:
            self.console.print()
            raise EndOfInput from None
        if line == "":
            self.console.print()
            raise EndOfInput
        answer = line.rstrip("\r\n").strip()
        self.console.print(answer, markup=False, highlight=False)
        return answer
