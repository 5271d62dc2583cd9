"""The reference out of reach, read from the source: imports of ``lossdrill`` and of the
library functions a task forbids (the ones that *are* the answer).

The check is static (:mod:`ast`, nothing runs): every ``import`` and ``from ... import``,
``importlib.import_module("...")`` and ``__import__("...")`` with a literal name, and every
dotted use of an imported name (``special.log_softmax`` after ``from scipy import special``)
is resolved to its full dotted name and compared with the task's ``forbidden`` patterns
(:func:`fnmatch.fnmatchcase`, so ``torch.nn.functional.*`` forbids the whole module's
functions and ``torch.nn.*Loss`` every loss class); a pattern ``Tensor.name`` matches the
method ``name`` called on any value (a framework track's ``x.sigmoid()``). Any
``lossdrill`` module is always forbidden. The worker blocks ``lossdrill`` imports at run
time as well; this check names the line. On a framework track the task's list and the
track's list apply together, through this one check.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from fnmatch import fnmatchcase

PRODUCT = "lossdrill"
"""The product itself: no module of it may be imported by the learner's code."""
METHOD_PREFIX = "Tensor."
"""A forbidden pattern ``Tensor.sigmoid`` names a method: reading the attribute ``sigmoid``
of any value that is not an imported module (``x.sigmoid()``) matches it."""


@dataclass(frozen=True)
class ForbiddenUse:
    """One forbidden import or use, with the line it is on."""

    name: str
    """The full dotted name (``scipy.special.log_softmax``, ``lossdrill.references``)."""
    line: int
    pattern: str
    """The forbidden pattern it matches (``lossdrill`` for the product)."""


def forbidden_uses(source: str, forbidden: tuple[str, ...] | list[str] = ()) -> list[ForbiddenUse]:
    """Every import or dotted use in ``source`` that the product or ``forbidden`` rules out,
    in line order, one per (name, line). A file that does not parse has none (the sandbox
    reports the syntax error), and so has one too deep or too large for this process to
    parse (the sandboxed worker gives it its verdict, and its import block still holds)."""
    try:
        return _forbidden_uses(source, forbidden)
    except (RecursionError, MemoryError):
        return []


def _forbidden_uses(source: str, forbidden: tuple[str, ...] | list[str]) -> list[ForbiddenUse]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []  # too deep for the parser: the sandbox gives its verdict
    aliases: dict[str, str] = {}  # local name -> full dotted name
    starred: list[str] = []  # modules imported with ``from m import *``
    found: dict[tuple[str, int], ForbiddenUse] = {}

    def hit(name: str, line: int) -> None:
        pattern = _match(name, forbidden)
        if pattern and (name, line) not in found:
            found[(name, line)] = ForbiddenUse(name, line, pattern)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                hit(a.name, node.lineno)
                if a.asname:
                    aliases[a.asname] = a.name
                else:
                    top = a.name.split(".")[0]
                    aliases.setdefault(top, top)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            hit(module, node.lineno)
            for a in node.names:
                if a.name == "*":
                    starred.append(module)
                    continue
                full = f"{module}.{a.name}" if module else a.name
                hit(full, node.lineno)
                aliases[a.asname or a.name] = full
        elif isinstance(node, ast.Call) and node.args:
            first = node.args[0]
            callee = _dotted(node.func)
            if (
                callee in ("__import__", "importlib.import_module", "import_module")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                hit(first.value, node.lineno)
    # dotted uses of imported names: special.log_softmax, F.cross_entropy, np.foo is harmless
    methods = any(p.startswith(METHOD_PREFIX) for p in forbidden)
    for node in ast.walk(tree):
        if isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node)
            head, _, rest = dotted.partition(".")
            if dotted and head in aliases:
                hit(aliases[head] + (f".{rest}" if rest else ""), node.lineno)
            elif (
                isinstance(node, ast.Attribute) and methods and not isinstance(node.ctx, ast.Store)
            ):
                hit(METHOD_PREFIX + node.attr, node.lineno)  # x.sigmoid(), (a - b).softmax(1)
            elif isinstance(node, ast.Name):
                for module in starred:  # a name that may come from a star import
                    hit(f"{module}.{node.id}", node.lineno)
    return sorted(found.values(), key=lambda u: (u.line, u.name))


def _match(name: str, forbidden: tuple[str, ...] | list[str]) -> str:
    if name == PRODUCT or name.startswith(PRODUCT + "."):
        return PRODUCT
    for pattern in forbidden:
        if fnmatchcase(name, pattern):
            return pattern
    return ""


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` for a chain of attributes on a name; empty for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def describe_uses(uses: list[ForbiddenUse], source: str = "") -> str:
    """``lossdrill.references on line 2 (`import lossdrill.references`), ... (lossdrill
    itself: ...)``: the most specific name on each line, with the line's text when
    ``source`` is given, the reason once per kind."""
    lines = source.splitlines()

    def at(u: ForbiddenUse) -> str:
        text = lines[u.line - 1].strip() if 0 < u.line <= len(lines) else ""
        return f"{u.name} on line {u.line}" + (f" (`{text[:80]}`)" if text else "")

    by_line: dict[int, ForbiddenUse] = {}
    for u in uses:
        if u.line not in by_line or len(u.name) > len(by_line[u.line].name):
            by_line[u.line] = u
    shown = sorted(by_line.values(), key=lambda u: u.line)
    parts = []
    for product in (True, False):
        mine = [u for u in shown if (u.pattern == PRODUCT) == product]
        if not mine:
            continue
        where = ", ".join(at(u) for u in mine[:3])
        more = f" and {len(mine) - 3} more" if len(mine) > 3 else ""
        why = (
            "lossdrill itself: the hidden references are not yours to import"
            if product
            else "a library function that is this task's answer"
        )
        parts.append(f"{where}{more} ({why})")
    return "; ".join(parts)
