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
    "log": "log", "log2": "log2", "log10": "log10", "log1p": "log1p", "exp": "exp",
    "expm1": "expm1", "sqrt": "sqrt", "tanh": "tanh", "cosh": "cosh", "sinh": "sinh",
    "abs": "abs", "maximum": "maximum", "minimum": "minimum", "sum": "sum", "mean": "mean",
    "clip": "clip", "sign": "sign", "array": "asarray", "dot": "dot", "logaddexp": "logaddexp",
}
_CONSTANTS = {"pi": math.pi, "e": math.e, "inf": math.inf}

_ALLOWED_NODES = (
    ast.Expression, ast.Constant, ast.Name, ast.Load, ast.Call, ast.keyword, ast.List,
    ast.Tuple, ast.BinOp, ast.UnaryOp, ast.Subscript, ast.Slice,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub, ast.UAdd, ast.Mod, ast.FloorDiv,
)


class FormulaError(ValueError):
    """A formula that does not parse, names something unknown, or fails to evaluate."""


def known_names() -> set[str]:
    from lossdrill.references import REFERENCES

    return set(_MATH_NAMES) | set(_CONSTANTS) | set(REFERENCES)


def parse(expr: str) -> ast.Expression:
    """Check syntax and allowed constructs (no attributes, no comprehensions, no lambdas)."""
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"formula does not parse: {exc.msg}") from None
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
    try:
        value = eval(compile(tree, "<formula>", "eval"), {"__builtins__": {}}, ns)  # noqa: S307
        result = float(value)
    except Exception as exc:  # any failure of the author's expression is a bank error
        raise FormulaError(f"formula fails: {type(exc).__name__}: {exc}") from None
    if not math.isfinite(result):
        raise FormulaError(f"formula gives {result}, not a finite number")
    return result
