"""What a check returns: plain data, rendered elsewhere (rich report or JSON).

:meth:`CheckResult.to_json` is the machine interface of DESIGN.md. JSON has no NaN or
infinity, so non-finite floats are written as the strings ``"nan"``, ``"inf"`` and
``"-inf"`` (the output is strict JSON: ``json.dumps(..., allow_nan=False)`` accepts it).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Tolerance:
    """``|got - expected| <= atol + rtol * |expected|``, element-wise."""

    rtol: float
    atol: float

    def describe(self) -> str:
        return f"rtol {self.rtol:g}, atol {self.atol:g}"


@dataclass(frozen=True)
class Verdict:
    """How one case went."""

    kind: str
    """``ok``, ``mismatch``, ``wrong-type``, ``wrong-shape``, ``exception``, ``timeout``,
    ``memory``, ``crash``, ``exit`` or ``mutates-input``."""
    message: str = ""
    """Plain words, e.g. ``returned a list; a loss is a float``."""

    @property
    def ok(self) -> bool:
        return self.kind == "ok"


@dataclass(frozen=True)
class Diagnosis:
    """A named mistake: a code of the diagnosis vocabulary and a message in plain words."""

    code: str
    message: str


@dataclass(frozen=True)
class GroupResult:
    """One case group (edge, dtypes, params, random, stability)."""

    name: str
    total: int
    failed: int
    failing: tuple[str, ...] = ()
    """Names of the first few failing cases (e.g. ``logits of ±800``)."""

    @property
    def passed(self) -> bool:
        return self.failed == 0


@dataclass(frozen=True)
class Failure:
    """The first failing case, shrunk to a small input that fails the same way."""

    group: str
    case: str
    """The name of the original case, e.g. ``logits of -800``."""
    inputs: dict[str, Any]
    """Argument name -> value (NumPy arrays), hyperparameters included."""
    expected: Any
    got: Any
    got_type: str
    """Type name of what the function returned (``float``, ``ndarray``, ``list``, ...)."""
    reason: str
    """Why it failed, in plain words."""
    dtypes: dict[str, str] = field(default_factory=dict)
    """Argument name -> dtype of each array input."""
    shrunk: bool = False
    """The input is smaller or simpler than the original case."""
    output: str = ""
    """What the function printed on this case (truncated)."""


@dataclass(frozen=True)
class Sweep:
    """Submission against reference along one input axis, for the plot overlay.

    ``got`` holds ``nan`` where the submission raised or returned something unusable.
    """

    task: str
    x_label: str
    y_label: str
    xs: tuple[float, ...]
    expected: tuple[float, ...]
    got: tuple[float, ...]


@dataclass(frozen=True)
class CheckResult:
    """Everything a check found out about one submission."""

    task: str
    function: str
    passed: bool
    score: float
    """Mean over the case groups of the fraction of cases passed (0 when nothing ran)."""
    seed: int
    groups: tuple[GroupResult, ...]
    diagnoses: tuple[Diagnosis, ...]
    """Most specific first; empty when the submission passes."""
    first_failure: Failure | None
    tolerance64: Tolerance
    tolerance32: Tolerance
    elapsed_s: float = 0.0
    output: str = ""
    """What the file printed while loading (truncated)."""
    sweep: Sweep | None = None
    """Only for a failing check of a task with a one-dimensional sweep."""
    framework: str = "numpy"
    """The track checked: ``numpy``, ``torch`` or ``jax``."""

    @property
    def cases(self) -> int:
        return sum(g.total for g in self.groups)

    @property
    def failed_cases(self) -> int:
        return sum(g.failed for g in self.groups)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(d.code for d in self.diagnoses)

    def to_json(self) -> dict[str, Any]:
        """The DESIGN machine interface as a JSON-safe dict."""
        out: dict[str, Any] = {
            "task": self.task,
            "framework": self.framework,
            "function": self.function,
            "passed": self.passed,
            "score": round(self.score, 4),
            "seed": self.seed,
            "cases": self.cases,
            "groups": [
                {
                    "name": g.name,
                    "passed": g.passed,
                    "total": g.total,
                    "failed": g.failed,
                    "failing_cases": list(g.failing),
                }
                for g in self.groups
            ],
            "diagnoses": [{"code": d.code, "message": d.message} for d in self.diagnoses],
            "first_failure": None,
            "tolerance": {
                "float64": {"rtol": self.tolerance64.rtol, "atol": self.tolerance64.atol},
                "float32": {"rtol": self.tolerance32.rtol, "atol": self.tolerance32.atol},
            },
            "elapsed_s": round(self.elapsed_s, 3),
        }
        f = self.first_failure
        if f is not None:
            out["first_failure"] = {
                "group": f.group,
                "case": f.case,
                "inputs": {k: jsonable(v) for k, v in f.inputs.items()},
                "dtypes": dict(f.dtypes),
                "expected": jsonable(f.expected),
                "got": jsonable(f.got),
                "got_type": f.got_type,
                "reason": f.reason,
                "shrunk": f.shrunk,
                "output": f.output,
            }
        if self.output:
            out["output"] = self.output
        if self.sweep is not None:
            s = self.sweep
            out["sweep"] = {
                "x_label": s.x_label,
                "y_label": s.y_label,
                "xs": jsonable(list(s.xs)),
                "expected": jsonable(list(s.expected)),
                "got": jsonable(list(s.got)),
            }
        return out


def jsonable(value: Any) -> Any:
    """A JSON-safe copy: arrays to lists, NumPy scalars to Python, nan/inf to strings."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and hasattr(value, "dtype"):
        try:
            return jsonable(tolist())
        except Exception:
            pass
    if isinstance(value, complex):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."
