"""Expressions that compute the expected answer of a numeric item.

A formula is a single Python expression over numbers, lists, the functions below and
every hidden reference function (by its task function name: ``huber_loss``, ``softmax``,
``binary_ce_with_logits``, ...). Examples::

    binary_ce_with_logits([1.0], [0.0])        # BCE at p = 0.5, i.e. log 2
    huber_loss([0.0], [2.5], delta=1.0)
    softmax([1.0, 2.0, 3.0])[2]
    -log(0.9)

Expected values are therefore computed by code, never typed by hand. Parsing checks the
syntax and names without NumPy; evaluation imports NumPy and the references.
"""

from __future__ import annotations

import ast
import math
from functools import lru_cache
from typing import Any

_MATH_NAMES = {
    "log": "log",
    "log2": "log2",
    "log10": "log10",
    "log1p": "log1p",
    "exp": "exp",
    "expm1": "expm1",
    "sqrt": "sqrt",
    "tanh": "tanh",
    "cosh": "cosh",
    "sinh": "sinh",
    "abs": "abs",
    "maximum": "maximum",
    "minimum": "minimum",
    "sum": "sum",
    "mean": "mean",
    "clip": "clip",
    "sign": "sign",
    "array": "asarray",
    "dot": "dot",
    "logaddexp": "logaddexp",
}
_CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf}

_ALLOWED_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Call,
    ast.keyword,
    ast.List,
    ast.Tuple,
    ast.BinOp,
    ast.UnaryOp,
    ast.Subscript,
    ast.Slice,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Pow,
    ast.USub,
    ast.UAdd,
    ast.Mod,
    ast.FloorDiv,
)


MAX_FORMULA_CHARS = 2000
"""A longer formula is refused before it is parsed (100,000 ``1+`` would exhaust the parser)."""
MAX_DEPTH = 50
"""Deepest nesting of operations, calls and lists a formula may have."""
MAX_INT_BITS = 4096
"""Largest integer a formula may compute (about 1,230 digits): ``10**10**10`` is refused at once."""
MAX_SEQUENCE = 100_000
"""Longest list a formula may build with ``*``."""


class FormulaError(ValueError):
    """A formula that does not parse, names something unknown, or fails to evaluate."""


def _too_big(what: str) -> FormulaError:
    return FormulaError(f"formula computes {what}: beyond what a formula may compute")


def _int_bits(value: object) -> int | None:
    return abs(value).bit_length() if type(value) is int or type(value) is bool else None


def _guard_pow(base: Any, exponent: Any) -> Any:
    """``base ** exponent``, refused when the result would be a huge integer.

    Bits of ``b ** e`` are about ``e * bits(b)``: checked before Python starts computing.
    """
    bits, ebits = _int_bits(base), _int_bits(exponent)
    if bits is not None and ebits is not None and exponent > 0 and abs(base) > 1:
        if ebits > 32 or bits * exponent > MAX_INT_BITS:
            raise _too_big("an integer power with more than 1,230 digits")
    return base**exponent


def _guard_mul(left: Any, right: Any) -> Any:
    """``left * right``, refused for huge integers and huge repeated lists."""
    lbits, rbits = _int_bits(left), _int_bits(right)
    if lbits is not None and rbits is not None and lbits + rbits > MAX_INT_BITS:
        raise _too_big("an integer with more than 1,230 digits")
    for seq, count in ((left, right), (right, left)):
        if isinstance(seq, (list, tuple)) and _int_bits(count) is not None:
            if len(seq) * max(count, 0) > MAX_SEQUENCE:
                raise _too_big(f"a list of more than {MAX_SEQUENCE:,} entries")
    return left * right


class _Guard(ast.NodeTransformer):
    """Routes ``**`` and ``*`` through the size checks above."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        target = {ast.Pow: "__guard_pow", ast.Mult: "__guard_mul"}.get(type(node.op))
        if target is None:
            return node
        call = ast.Call(
            func=ast.Name(id=target, ctx=ast.Load()), args=[node.left, node.right], keywords=[]
        )
        return ast.copy_location(call, node)


def _depth(node: ast.AST, limit: int) -> int:
    """Nesting depth of ``node``, walked without recursion; stops counting past ``limit``."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(current))
    return deepest


def known_names() -> set[str]:
    from lossdrill.references import REFERENCES

    return set(_MATH_NAMES) | set(_CONSTANTS) | set(REFERENCES)


def parse(expr: str) -> ast.Expression:
    """Check syntax and allowed constructs (no attributes, no comprehensions, no lambdas)."""
    if len(expr) > MAX_FORMULA_CHARS:
        raise FormulaError(
            f"formula is {len(expr):,} characters long; the limit is {MAX_FORMULA_CHARS:,}"
        )
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula does not parse: {exc.msg}") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError("formula is nested too deeply to parse") from None
    # Expression > BinOp > operand... : operator nodes (Add, Load) add one level each.
    if _depth(tree, 2 * MAX_DEPTH) > 2 * MAX_DEPTH:
        raise FormulaError(f"formula is nested more than {MAX_DEPTH} levels deep")
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise FormulaError(f"formula may not use {type(node).__name__}")
        if isinstance(node, ast.Call) and not isinstance(node.func, ast.Name):
            raise FormulaError("formula may only call functions by name")
    return tree


@lru_cache(maxsize=1)
def _namespace() -> dict[str, Any]:
    import numpy as np

    from lossdrill.references import REFERENCES

    ns: dict[str, Any] = {name: getattr(np, target) for name, target in _MATH_NAMES.items()}
    ns.update(_CONSTANTS)
    ns.update(REFERENCES)
    return ns


def evaluate(expr: str) -> float:
    """Evaluate a formula to a float."""
    tree = parse(expr)
    ns = _namespace()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in ns:
            raise FormulaError(f"unknown name {node.id!r} in formula")
    guarded = ast.fix_missing_locations(_Guard().visit(tree))
    names = dict(ns, __guard_pow=_guard_pow, __guard_mul=_guard_mul)
    import warnings

    try:
        # NumPy's warnings (log of 0, overflow, a dropped imaginary part) become part of the
        # verdict below instead of library paths printed on the terminal.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = eval(compile(guarded, "<formula>", "eval"), {"__builtins__": {}}, names)  # noqa: S307
            if (
                isinstance(value, complex)
                or getattr(getattr(value, "dtype", None), "kind", "") == "c"
            ):
                raise FormulaError(f"formula gives the complex number {value}, not a real one")
            result = float(value)
    except FormulaError:
        raise
    except Exception as exc:  # any failure of the author's expression is a bank error
        raise FormulaError(f"formula fails: {type(exc).__name__}: {exc}") from None
    if not math.isfinite(result):
        raise FormulaError(f"formula gives {result}, not a finite number")
    return result
