"""Single keypresses from a terminal, for prompts that take one key (ratings, reveal).

The terminal is put in cbreak mode only while a key is awaited, and always restored:
Ctrl-C still interrupts (the terminal's ISIG stays on) and Ctrl-D ends input. When
standard input is not a terminal, callers read whole lines instead (scripts keep working).
"""

from __future__ import annotations

import os
import select
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

CTRL_D = "\x04"
BACKSPACES = ("\x7f", "\x08")
ENTER = ("\r", "\n")


def is_terminal(stream: TextIO | None = None) -> bool:
    stream = stream if stream is not None else sys.stdin
    try:
        return stream.isatty() and sys.platform != "win32"
    except (AttributeError, ValueError):
        return False


@contextmanager
def single_keys(stream: TextIO | None = None) -> Iterator[None]:
    """Cbreak mode (keys arrive one by one, not echoed) for the duration, then restored.

    Enter it before printing the prompt: keys typed ahead are kept (TCSANOW, no flush).
    """
    import termios
    import tty

    fd = (stream if stream is not None else sys.stdin).fileno()
    saved = termios.tcgetattr(fd)
    tty.setcbreak(fd, termios.TCSANOW)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)


@contextmanager
def sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C while a prompt is written (a half-written prompt would be written again
    by the next print); it is delivered when the block ends."""
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    except (AttributeError, OSError, ValueError):
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def read_key(stream: TextIO | None = None) -> str:
    """One keypress, in :func:`single_keys` mode (Enter is ``"\\n"``; an escape sequence
    is ``"\\x1b"``). Raises EOFError on Ctrl-D or the end of input."""
    fd = (stream if stream is not None else sys.stdin).fileno()
    data = os.read(fd, 1)
    if data == b"\x1b":  # an escape sequence (arrow, function key): read it all, ignore it
        while select.select([fd], [], [], 0.02)[0]:
            os.read(fd, 16)
    elif data and data[0] >= 0xC0:  # the rest of a UTF-8 character
        more = 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3
        data += os.read(fd, more)
    if not data or data == CTRL_D.encode():
        raise EOFError
    key = data.decode("utf-8", "replace")
    return "\n" if key in ENTER else key


def read_key_or_line(prompt_echo, stream: TextIO | None = None) -> tuple[str, str]:
    """Wait for one key; if it is printable text, keep reading a line from there.

    Returns ``("key", k)`` for Enter or a space pressed on an empty line, or
    ``("line", text)`` once Enter ends typed text. ``prompt_echo(text)`` writes what the
    user types (there is no echo in cbreak mode); backspace and Ctrl-U edit the line.
    """
    text = ""
    while True:
        key = read_key(stream)
        if key == "\n":
            return ("line", text) if text else ("key", "\n")
        if key == " " and not text:
            return "key", " "
        if key in BACKSPACES:
            if text:
                text = text[:-1]
                prompt_echo("\b \b")
            continue
        if key == "\x15":  # Ctrl-U
            prompt_echo("\b \b" * len(text))
            text = ""
            continue
        if key == "\x1b" or not key.isprintable():
            continue
        text += key
        prompt_echo(key)
