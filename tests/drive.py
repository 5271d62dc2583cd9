"""Drive the installed ``lossdrill`` command as a user would: in a pseudo-terminal or
through pipes (scripted standard input), reading its output as it comes.

Shared by the end-to-end tests of every interactive drill.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\r")


def lossdrill_command() -> list[str]:
    """The installed console script, next to the running interpreter."""
    script = Path(sys.executable).parent / "lossdrill"
    return [str(script)] if script.exists() else [sys.executable, "-m", "lossdrill"]


def run(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    """Run the installed command to its end through pipes; ``env`` adds to this environment."""
    return subprocess.run(
        [*lossdrill_command(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        **kw,
    )


COMMANDS = [
    "quiz",
    "implement",
    "hint",
    "reveal",
    "bughunt",
    "flashcards",
    "progress",
    "interview",
    "plot",
    "list",
    "validate",
    "export",
]
"""Commands of ``lossdrill`` whose help, errors and conventions the CLI tests walk through."""


def clean(text: str) -> str:
    return ANSI.sub("", text)


# Ctrl-C as a terminal user's command gets it. A test run started in the background by a
# non-interactive shell inherits SIGINT ignored, an ignored signal stays ignored across exec,
# and Python keeps it ignored: every Ctrl-C test would see the command carry on. A handled
# signal is reset to its default on exec, so handling it here is enough (no code has to run
# in the child between fork and exec).
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _controlling_terminal() -> None:
    """In the child: a new session whose controlling terminal is the pty (so ^C is SIGINT)."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class Session:
    """A running ``lossdrill`` with an ``expect``/``send`` interface."""

    def __init__(
        self,
        args: list[str],
        env: dict[str, str] | None = None,
        *,
        tty: bool = True,
        cols: int = 110,
        rows: int = 40,
    ) -> None:
        self.tty = tty
        self.raw = b""
        self.pos = 0
        full_env = {**os.environ, **(env or {})}
        full_env.pop("NO_COLOR", None) if tty else None
        if tty:
            master, slave = pty.openpty()
            fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
            full_env["COLUMNS"], full_env["LINES"] = str(cols), str(rows)
            self.proc = subprocess.Popen(
                lossdrill_command() + args,
                stdin=slave,
                stdout=slave,
                stderr=slave,
                env=full_env,
                preexec_fn=_controlling_terminal,
                close_fds=True,
            )
            os.close(slave)
            self.fd = master
        else:
            full_env["COLUMNS"] = str(cols)
            self.proc = subprocess.Popen(
                lossdrill_command() + args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=full_env,
            )
            self.fd = self.proc.stdout.fileno()

    @property
    def text(self) -> str:
        return clean(self.raw.decode("utf-8", "replace"))

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the pty closes when the process exits
            chunk = b""
        if not chunk:
            raise EOFError
        self.raw += chunk
        return True

    def expect(self, pattern: str, timeout: float = 30.0) -> re.Match:
        """Wait for ``pattern`` (a regex) in the output after the last match."""
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern)
        while True:
            match = regex.search(self.text, self.pos)
            if match:
                self.pos = match.end()
                return match
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(
                    f"timed out waiting for {pattern!r}; output so far:\n{self.text[-3000:]}"
                )
            try:
                self._read(min(remaining, 0.5))
            except EOFError:
                match = regex.search(self.text, self.pos)
                if match:
                    self.pos = match.end()
                    return match
                raise AssertionError(
                    f"process ended before {pattern!r}; output:\n{self.text[-3000:]}"
                ) from None

    def send(self, line: str) -> None:
        data = (line + "\n").encode()
        if self.tty:
            os.write(self.fd, data)
        else:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def send_keys(self, keys: str) -> None:
        """Keystrokes with no Enter (single-key prompts)."""
        if self.tty:
            os.write(self.fd, keys.encode())
        else:
            self.proc.stdin.write(keys.encode())
            self.proc.stdin.flush()

    def close_input(self) -> None:
        if self.tty:
            os.write(self.fd, b"\x04")
        else:
            self.proc.stdin.close()

    def interrupt(self) -> None:
        """Ctrl-C, as the terminal would deliver it."""
        if self.tty:
            os.write(self.fd, b"\x03")
        else:
            self.proc.send_signal(signal.SIGINT)

    def finish(self, timeout: float = 30.0) -> int:
        """Read everything until the process exits; return its exit status."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if not self._read(0.2) and self.proc.poll() is not None:
                    break
            except EOFError:
                break
        try:
            return self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"process did not exit; output:\n{self.text[-3000:]}") from None
        finally:
            if self.tty:
                os.close(self.fd)


def option_number(screen: str, option_text: str) -> str:
    """The number shown before an option's text in the last options table of ``screen``."""
    matches = re.findall(rf"(\d+)/[a-z] {re.escape(option_text)}", screen)
    if not matches:
        raise AssertionError(f"option {option_text!r} not shown in:\n{screen[-2000:]}")
    return matches[-1]
