"""A submission's source: read with bounds, and facts about it read without running it.

:func:`read_submission` reads ``--file`` without hanging or filling memory (a FIFO, a
device, a huge file); :func:`solution_lines` counts the solution's lines with bounded work.
"""

from __future__ import annotations

import ast
import io
import os
import stat
import tokenize
from pathlib import Path

MAX_SOURCE_BYTES = 1024 * 1024
"""A solution file larger than this is refused (a solution is a few kilobytes)."""


class SourceError(OSError):
    """The submission cannot be read: the message says why, in plain words."""


def read_submission(path: str | Path) -> str:
    """The text of the learner's file, read with bounds.

    UTF-8 with an optional byte-order mark (as Python itself reads source); undecodable
    bytes become U+FFFD. A FIFO or socket is refused (reading one could wait forever); a
    device is read without blocking and only up to :data:`MAX_SOURCE_BYTES` (``/dev/zero``
    is refused at once, ``/dev/null`` is an empty file). Raises :class:`SourceError`,
    :class:`FileNotFoundError` or :class:`IsADirectoryError`.
    """
    path = Path(path)
    info = os.stat(path)  # FileNotFoundError for a missing path or a symlink loop's end
    if stat.S_ISDIR(info.st_mode):
        raise IsADirectoryError(f"{path} is a folder, not a Python file")
    if stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode):
        raise SourceError(
            f"{path} is a {'FIFO' if stat.S_ISFIFO(info.st_mode) else 'socket'}, not a Python file"
        )
    if stat.S_ISREG(info.st_mode) and info.st_size > MAX_SOURCE_BYTES:
        raise SourceError(
            f"{path} is {info.st_size / 1e6:.1f} MB; a solution file may be at most"
            f" {MAX_SOURCE_BYTES // 1024} KB"
        )
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    chunks: list[bytes] = []
    size = 0
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode) and stat.S_ISFIFO(os.fstat(fd).st_mode):
            raise SourceError(f"{path} is a FIFO, not a Python file")
        while size <= MAX_SOURCE_BYTES:
            try:
                chunk = os.read(fd, min(1 << 16, MAX_SOURCE_BYTES + 1 - size))
            except BlockingIOError:
                break  # a device with nothing to read now: what came so far
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > MAX_SOURCE_BYTES:
        raise SourceError(
            f"{path} gives more than {MAX_SOURCE_BYTES // 1024} KB: not a solution file"
        )
    return b"".join(chunks).decode("utf-8-sig", errors="replace")


def solution_lines(source: str, function: str) -> int:
    """Non-blank, non-comment lines of ``function``'s body (its docstring left out).

    The lecture's target is 5–8 lines. 0 when the source does not parse or lacks the function.
    """
    if len(source) > MAX_SOURCE_BYTES:
        return 0
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0
    node = next(
        (
            n
            for n in ast.walk(tree)
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == function
        ),
        None,
    )
    if node is None or not node.body:
        return 0
    body = list(node.body)
    first = body[0]
    skip: set[int] = set()
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        skip = set(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    start = body[0].lineno
    end = max((n.end_lineno or n.lineno) for n in body)
    code_lines = _code_lines(source)
    return sum(1 for ln in range(start, end + 1) if ln in code_lines and ln not in skip)


def _code_lines(source: str) -> set[int]:
    """Line numbers holding at least one token that is not a comment or layout."""
    layout = {
        tokenize.COMMENT,
        tokenize.NL,
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENDMARKER,
    }
    lines: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in layout:
                lines.update(range(tok.start[0], tok.end[0] + 1))
    except (tokenize.TokenError, SyntaxError, RecursionError, MemoryError):
        pass
    return lines
