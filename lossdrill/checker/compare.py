"""Compare what the learner's function returned with the reference's value.

The reference is the expected value. A loss must be a real scalar (Python float or int,
NumPy scalar, 0-d array); an element-wise function must return an array of the
expected shape. NaN must meet NaN and an infinity the same infinity; finite values must
satisfy ``|got - expected| <= atol + rtol * |expected|`` with the float64 or float32
tolerance of the task.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from lossdrill.checker.result import Tolerance, Verdict

SANDBOX_STATUS = {
    "exception": "raised an exception",
    "timeout": "did not return in time",
    "memory": "ran out of memory",
    "crash": "crashed the worker process",
    "exit": "exited the process",
}


def type_name(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"ndarray{value.shape}" if value.ndim else "ndarray()"
    return type(value).__name__


def as_real_array(value: Any) -> np.ndarray | None:
    """``value`` as a float64 array, or None when it is not a real number or array of them."""
    if isinstance(value, (bool, np.bool_, str, bytes)) or value is None:
        return None
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf":
            return None
        return value.astype(np.float64)
    if isinstance(value, (numbers.Real, np.integer, np.floating)):
        return np.asarray(float(value))
    return None


def check_value(value: Any, expected: np.ndarray, output: str, tol: Tolerance) -> Verdict:
    """The verdict on one returned value (the call itself went fine)."""
    if output == "loss":
        if isinstance(value, np.ndarray) and value.ndim > 0 and value.dtype.kind in "iuf":
            return Verdict(
                "wrong-shape",
                f"returned an array of shape {value.shape}; a loss is a single number "
                "(did you forget to reduce over the batch?)",
            )
        got = as_real_array(value)
        if got is None:
            return Verdict("wrong-type", _type_message(value, "a loss is a float"))
    else:
        if isinstance(value, np.ndarray):
            got = as_real_array(value)
            if got is None:
                return Verdict(
                    "wrong-type", f"returned an array of dtype {value.dtype}; expected real numbers"
                )
            if got.shape != expected.shape:
                return Verdict(
                    "wrong-shape",
                    f"returned shape {got.shape}; expected {expected.shape} (the input's shape)",
                )
        else:
            got = as_real_array(value) if expected.ndim == 0 else None
            if got is None:
                return Verdict("wrong-type", _type_message(value, "return a NumPy array"))
    if values_close(got, expected, tol):
        return Verdict("ok")
    return Verdict("mismatch", mismatch_message(got, expected, tol))


def _type_message(value: Any, want: str) -> str:
    if value is None:
        return f"returned None (is a return statement missing?); {want}"
    return f"returned a {type(value).__name__}; {want}"


def values_close(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> bool:
    """Same shape, same NaN and infinity pattern, finite values within tolerance."""
    got = np.asarray(got, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if got.shape != expected.shape:
        return False
    if got.ndim == 0:  # the common case (a loss), without the array machinery
        g, e = float(got), float(expected)
        if math.isnan(e) or math.isnan(g):
            return math.isnan(e) and math.isnan(g)
        if math.isinf(e) or math.isinf(g):
            return g == e
        return abs(g - e) <= tol.atol + tol.rtol * abs(e)
    g_nan, e_nan = np.isnan(got), np.isnan(expected)
    if not np.array_equal(g_nan, e_nan):
        return False
    g_inf, e_inf = np.isinf(got), np.isinf(expected)
    if not np.array_equal(g_inf, e_inf):
        return False
    if np.any(got[g_inf] != expected[e_inf]):
        return False
    finite = np.isfinite(expected)
    diff = np.abs(got[finite] - expected[finite])
    return bool(np.all(diff <= tol.atol + tol.rtol * np.abs(expected[finite])))


def mismatch_message(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> str:
    """``N of M values differ; at index i: ...``, counting and locating with the case's
    tolerance, so a value that passes is never named."""
    if got.ndim == 0:
        return f"expected {fmt(expected)}, got {fmt(got)}"
    bad = ~_close_mask(got, expected, tol)
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    where = idx[0] if len(idx) == 1 else idx
    return (
        f"{int(bad.sum())} of {bad.size} values differ; at index {where}: "
        f"expected {fmt(expected[idx])}, got {fmt(got[idx])}"
    )


def _close_mask(got: np.ndarray, expected: np.ndarray, tol: Tolerance) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        same_special = (np.isnan(got) & np.isnan(expected)) | (np.isinf(got) & (got == expected))
        near = np.abs(got - expected) <= tol.atol + tol.rtol * np.abs(expected)
    return same_special | np.nan_to_num(near, nan=False)


def fmt(value: Any) -> str:
    """A number as a person reads it: ``0.2005``, ``1.207e+10``, ``nan``, ``-inf``."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        return repr(value)
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return f"{x:.6g}"


def exception_type(message: str) -> str:
    """The exception's type in an ``exception`` outcome's message: the worker writes
    ``Type: detail (line N)`` or ``Type (line N)``: the part before the first ``:`` and
    `` (``. A call of ``sys.exit`` (``called sys.exit(2)``) keeps its whole message."""
    return message.split(":")[0].split(" (")[0]


def outcomes_agree(a: Any, b: Any, tol: Tolerance) -> bool:
    """Two call outcomes (submission and mutant) behave the same on one case."""
    if a.status != b.status:
        return False
    if a.status == "exception":
        return exception_type(a.message) == exception_type(b.message)
    if a.status != "ok":
        return True
    if bool(a.mutated) != bool(b.mutated):
        return False
    ga, gb = as_real_array(a.value), as_real_array(b.value)
    if ga is None or gb is None:
        return type(a.value) is type(b.value)
    return values_close(ga, gb, tol) and values_close(gb, ga, tol)
