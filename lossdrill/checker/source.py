"""Facts about a submission's source read without running it: the solution's line count."""

from __future__ import annotations

import ast
import io
import tokenize


def solution_lines(source: str, function: str) -> int:
    """Non-blank, non-comment lines of ``function``'s body (its docstring left out).

    The lecture's target is 5–8 lines. 0 when the source does not parse or lacks the function.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
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
    except (tokenize.TokenError, SyntaxError):
        pass
    return lines
