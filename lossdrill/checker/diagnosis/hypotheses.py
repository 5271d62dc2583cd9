"""Known mistakes re-enacted with the reference: an ignored or swapped hyperparameter, two
arguments used in each other's place, labels read with another convention, a sign flipped,
a softmax over the wrong axis, and the task's own mistakes (:data:`TASK_HYPOTHESES`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lossdrill.checker.cases import Case, Run
from lossdrill.checker.compare import as_real_array, values_close
from lossdrill.checker.families import BINARY, DIST, ONEHOT, PM1, REAL, SOFTMAX
from lossdrill.checker.result import Diagnosis
from lossdrill.checker.tasks import TaskSpec


def explain(spec: TaskSpec, runs: Sequence[Run]) -> list[Diagnosis]:
    """Known mistakes re-enacted with the reference: an ignored or swapped hyperparameter,
    two arguments used in each other's place, labels read with another convention, a sign
    flipped, a softmax over the wrong axis. A hypothesis names the mistake when the
    reference, run on the changed inputs, gives what the submission gave on *every*
    failing case.
    """
    failed = [r for r in runs if r.failed and not r.case.is_empty]
    if not failed or any(r.verdict.kind != "mismatch" for r in failed):
        return []
    failed = failed[:40]
    hypotheses = _hypotheses(spec)
    for code, message, alternative in hypotheses:
        if all(_explains(spec, r, alternative) for r in failed):
            return [Diagnosis(code, message)]
    if spec.output == "loss":  # two mistakes at once: one of the above, and a factor ½
        for factor, words in ((2.0, "a factor ½ is missing"), (0.5, "there is an extra factor ½")):
            for code, message, alternative in hypotheses:
                if code == "missing-half":
                    continue
                scaled = _scaled(alternative, factor)
                if all(_explains(spec, r, scaled) for r in failed):
                    return [
                        Diagnosis(code, message),
                        Diagnosis("missing-half", f"besides that, {words}"),
                    ]
    if spec.family is SOFTMAX and all(_normalised_elsewhere(spec, r) for r in failed):
        return [
            Diagnosis(
                "wrong-axis",
                "the result is normalised along another axis (or over "
                "the whole array); the contract normalises each row, along the last axis",
            )
        ]
    return []


def explains_empty(spec: TaskSpec, runs: Sequence[Run], diagnosis: Diagnosis) -> bool:
    """The hypothesis behind ``diagnosis`` (from :func:`explain`) also gives what the
    submission gave on every failing empty batch: the empty batch fails for the same reason
    (smooth missing from dice's numerator gives 1 on an empty batch), not for want of a guard.
    """
    empty = [r for r in runs if r.failed and r.case.is_empty]
    if not empty or any(r.verdict.kind != "mismatch" for r in empty):
        return False
    for code, message, alternative in _hypotheses(spec):
        if (code, message) == (diagnosis.code, diagnosis.message):
            return all(_explains(spec, r, alternative) for r in empty)
    return False


def _normalised_elsewhere(spec: TaskSpec, run: Run) -> bool:
    """The output sums to 1 (softmax) or log-sums to 0 (log-softmax), but not along the last axis."""
    got = as_real_array(run.outcome.value)
    if got is None or got.ndim < 2 or got.shape != run.expected.shape:
        return False
    with np.errstate(all="ignore"):
        probs = np.exp(got) if spec.id == "log-softmax" else got

    def one(total: np.ndarray) -> bool:
        return bool(np.allclose(total, 1.0, rtol=1e-6, atol=1e-8))

    if one(probs.sum(axis=-1)):
        return False
    return one(probs.sum(axis=0)) or one(probs.sum())


def _scaled(alternative: Any, factor: float) -> Any:
    def scaled(case: Case) -> Any:
        value = alternative(case)
        return None if value is None else factor * np.asarray(value, dtype=np.float64)

    return scaled


def _explains(spec: TaskSpec, run: Run, alternative: Any) -> bool:
    try:
        with np.errstate(all="ignore"):
            value = alternative(run.case)
    except Exception:  # the changed inputs make no sense for this case
        return False
    if value is None:
        return False
    got = as_real_array(run.outcome.value)
    value = np.asarray(value, dtype=np.float64)
    tol = spec.tol32 if run.case.float32() else spec.tol64
    return got is not None and values_close(got, value, tol)


def _hypotheses(spec: TaskSpec) -> list[tuple[str, str, Any]]:
    ref = spec.reference()
    out: list[tuple[str, str, Any]] = []

    def with_kwargs(change: Any) -> Any:
        def alternative(case: Case) -> Any:
            kwargs = change(dict(case.kwargs))
            return None if kwargs is None else ref(*case.args, **kwargs)

        return alternative

    def with_args(change: Any) -> Any:
        def alternative(case: Case) -> Any:
            args = change(list(case.args))
            return None if args is None else ref(*args, **case.kwargs)

        return alternative

    for p in spec.params:
        code = "missing-temperature" if p.name == "temperature" else "ignores-parameter"
        out.append(
            (
                code,
                f"right with the default {p.name}={p.default:g}, wrong with any other: "
                f"your function ignores {p.name}",
                with_kwargs(lambda kw, n=p.name: (kw.pop(n), kw)[1] if n in kw else None),
            )
        )
        if p.name in ("q", "alpha"):
            out.append(
                (
                    "swapped-arguments",
                    f"{p.name} and 1 − {p.name} are used in each other's place",
                    with_kwargs(lambda kw, p=p: {**kw, p.name: 1 - kw.get(p.name, p.default)}),
                )
            )
        if p.name == "temperature":
            out.append(
                (
                    "missing-temperature",
                    "the logits are multiplied by the temperature; they must be divided by it",
                    with_kwargs(lambda kw, p=p: {**kw, p.name: 1 / kw.get(p.name, p.default)}),
                )
            )
        neutral = p.neutral
        if neutral is not None and neutral != p.default:
            out.append(
                (
                    code,
                    f"{p.name} has no effect: your function computes the loss with "
                    f"{p.name}={neutral:g} whatever {p.name} is",
                    with_kwargs(lambda kw, n=p.name, v=neutral: {**kw, n: v}),
                )
            )
    kinds = spec.family.kinds
    for i, kind in enumerate(kinds):
        if kind == REAL and spec.args[i] == spec.scale_arg:
            out.append(
                (
                    "wrong-sign",
                    f"the sign of {spec.args[i]} is flipped inside the formula",
                    with_args(lambda a, i=i: _set(a, i, -np.asarray(a[i]))),
                )
            )
    if len(kinds) == 1:
        for factor, words in ((2.0, "twice"), (0.5, "half")):
            out.append(
                (
                    "missing-half",
                    f"your function computes it at {words} the input: a factor ½ or 2 is off",
                    with_args(lambda a, f=factor: _set(a, 0, f * np.asarray(a[0], dtype=float))),
                )
            )
    out += TASK_HYPOTHESES.get(spec.id, [])
    for i, kind in enumerate(kinds):
        name = spec.args[i]
        if kind == BINARY:
            out.append(
                (
                    "label-convention",
                    f"{name} is read with the opposite meaning (1 for 0)",
                    with_args(lambda a, i=i: _set(a, i, 1 - np.asarray(a[i]))),
                )
            )
        if kind == PM1:
            out.append(
                (
                    "label-convention",
                    f"{name} is read with the opposite meaning (−1 for +1)",
                    with_args(lambda a, i=i: _set(a, i, -np.asarray(a[i]))),
                )
            )
            out.append(
                (
                    "label-convention",
                    f"{name} is already ±1 but is converted again as if it were 0/1 (2y − 1)",
                    with_args(lambda a, i=i: _set(a, i, 2 * np.asarray(a[i]) - 1)),
                )
            )
            out.append(
                (
                    "label-convention",
                    f"{name} is turned into 0/1 labels; the contract uses ±1",
                    with_args(lambda a, i=i: _set(a, i, (np.asarray(a[i]) + 1) / 2)),
                )
            )
    for i in range(len(kinds)):
        for j in range(i + 1, len(kinds)):
            if kinds[i] == kinds[j] and kinds[i] not in (BINARY, PM1):
                out.append(
                    (
                        "swapped-arguments",
                        f"{spec.args[i]} and {spec.args[j]} are used in each other's place",
                        with_args(lambda a, i=i, j=j: _swap(a, i, j)),
                    )
                )
    if spec.family is SOFTMAX:

        def other_axis(case: Case) -> Any:
            x = np.asarray(case.args[0])
            return None if x.ndim < 2 else np.swapaxes(ref(np.swapaxes(x, 0, -1)), 0, -1)

        def middle_axis(case: Case) -> Any:
            x = np.asarray(case.args[0])
            return None if x.ndim < 3 else np.swapaxes(ref(np.swapaxes(x, -2, -1)), -2, -1)

        out.append(
            (
                "wrong-axis",
                "normalises along the second-to-last axis (axis=1 of a 3-D "
                "input); the contract says the last",
                middle_axis,
            )
        )

        def whole_array(case: Case) -> Any:
            x = np.asarray(case.args[0])
            return None if x.ndim < 2 else np.reshape(ref(np.reshape(x, (1, -1))), x.shape)

        out.append(
            (
                "wrong-axis",
                "normalises along the first axis; the contract says the last",
                other_axis,
            )
        )
        out.append(
            (
                "wrong-axis",
                "normalises over the whole array; the contract says each row",
                whole_array,
            )
        )

    # every argument transposed: a sum, max or softmax over the rows instead of the classes
    def transposed(case: Case) -> Any:
        arrays = [np.asarray(a) for a in case.args]
        if any(a.ndim != 2 for a in arrays) or any(a.shape[0] == a.shape[1] for a in arrays):
            return None
        value = ref(*[a.T for a in arrays], **case.kwargs)
        return np.asarray(value).T if spec.output == "elementwise" else value

    if (
        len(kinds) > 1
        and all(k in (ONEHOT, DIST, REAL) for k in kinds)
        and spec.family is not SOFTMAX
    ):
        out.append(
            (
                "wrong-axis",
                "sums, maxes or normalises along the first axis (the rows); "
                "the contract works along the last axis (the classes)",
                transposed,
            )
        )
    # one argument converted to another's dtype: float predictions rounded to integer targets
    for i in range(len(kinds)):
        for j in range(len(kinds)):
            if i != j:
                out.append(
                    (
                        "dtype-cast",
                        f"{spec.args[j]} is converted to the dtype of "
                        f"{spec.args[i]} (float values truncated to integers); convert "
                        "every argument to float instead",
                        with_args(lambda a, i=i, j=j: _cast_like(a, i, j)),
                    )
                )
    # equality with a tolerance where the contract means exactly equal
    if spec.output == "elementwise" and len(kinds) == 2 and kinds == (REAL, REAL):

        def approximate(case: Case) -> Any:
            a, b = (np.asarray(x, dtype=np.float64) for x in case.args)
            close = np.isclose(a, b) & (a != b)
            if not close.any():
                return None
            return np.where(close, ref(a, a, **case.kwargs), ref(a, b, **case.kwargs))

        out.append(
            (
                "approximate-equality",
                "values that differ by a tiny amount (1e-9, 1e-12) "
                "are treated as equal (np.isclose); the contract means exactly equal: use ==",
                approximate,
            )
        )
    return out


def _cast_like(args: list[Any], i: int, j: int) -> list[Any] | None:
    a, b = np.asarray(args[i]), np.asarray(args[j])
    if a.dtype.kind not in "iu" or b.dtype.kind != "f" or np.array_equal(b, np.trunc(b)):
        return None
    args[j] = b.astype(a.dtype)
    return args


def _mean(values: Any) -> float:
    values = np.asarray(values, dtype=np.float64)
    return float(values.mean()) if values.size else 0.0


def _focal_constant_alpha(case: Case) -> Any:
    from lossdrill.references import REFERENCES

    focal = REFERENCES["focal_loss"]
    y, z = (np.ravel(np.asarray(a, dtype=np.float64)) for a in case.args)
    alpha = case.kwargs.get("alpha", 0.25)
    gamma = case.kwargs.get("gamma", 2.0)
    if y.size == 0:
        return 0.0
    # the reference weighs y=0 by 1-alpha; asking it for 1-alpha there gives alpha everywhere
    pos, neg = y == 1, y != 1
    total = 0.0
    if pos.any():
        total += focal(y[pos], z[pos], alpha=alpha, gamma=gamma) * pos.sum()
    if neg.any():
        total += focal(y[neg], z[neg], alpha=1 - alpha, gamma=gamma) * neg.sum()
    return total / y.size


def _args(case: Case) -> list[np.ndarray]:
    return [np.asarray(a, dtype=np.float64) for a in case.args]


EPSILONS = (0.0, 1e-15, 1e-12, 1e-8, 1e-7)
"""Clips people put on probabilities before a log (0: none)."""


def _clipped(p: np.ndarray, eps: float, upper: bool = True) -> np.ndarray:
    if not eps:
        return p
    return np.clip(p, eps, 1 - eps if upper else None)


def _bce_on_probabilities(eps: float) -> Any:
    def alternative(case: Case) -> Any:
        y, p = _args(case)
        p = _clipped(p, eps)
        return _mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))

    return alternative


def _cce_on_probabilities(eps: float) -> Any:
    def alternative(case: Case) -> Any:
        y, p = _args(case)
        p = np.clip(p, eps, 1.0) if eps else p
        return _mean(-(y * np.log(p)).sum(axis=-1))

    return alternative


def _grad_on_probabilities(case: Case) -> Any:
    y, p = _args(case)
    return p - y


def _poisson_on_rates(eps: float) -> Any:
    def alternative(case: Case) -> Any:
        y, rate = _args(case)
        rate = _clipped(rate, eps, upper=False)
        return _mean(rate - y * np.log(rate))

    return alternative


def _huber_linear_without_delta(case: Case) -> Any:
    y, yhat = _args(case)
    delta = case.kwargs.get("delta", 1.0)
    a = np.abs(yhat - y)
    return _mean(np.where(a <= delta, 0.5 * a**2, a - 0.5))


def _dice_smooth_below_only(case: Case) -> Any:
    y, p = _args(case)
    smooth = case.kwargs.get("smooth", 1.0)
    return 1 - 2 * np.sum(y * p) / (np.sum(y) + np.sum(p) + smooth)


def _unit(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


def _row_ce(s: np.ndarray, pos: np.ndarray) -> float:
    """−mean over rows of log softmax(s)[row, pos[row]], stable per row."""
    m = np.max(s, axis=1, keepdims=True)
    lse = (m + np.log(np.sum(np.exp(s - m), axis=1, keepdims=True)))[:, 0]
    return float(np.mean(lse - s[np.arange(len(s)), pos]))


def _tau_on_positive(task: str, scale_negatives: bool) -> Any:
    """τ divides only the positive pair's similarity (``scale_negatives`` False: the other
    similarities are left unscaled)."""

    def alternative(case: Case) -> Any:
        a, b = (np.asarray(x, dtype=np.float64) for x in case.args)
        if a.size == 0:
            return 0.0
        tau = float(case.kwargs.get("temperature", {"infonce": 0.1, "clip": 0.07}.get(task, 0.5)))
        if task == "nt-xent":
            z = _unit(np.concatenate([a, b]))
            s = z @ z.T
            m = len(z)
            pos = (np.arange(m) + m // 2) % m
            np.fill_diagonal(s, -np.inf)
            s[np.arange(m), pos] /= tau
            return _row_ce(s, pos)
        s = _unit(a) @ _unit(b).T
        n = len(s)
        s[np.arange(n), np.arange(n)] /= tau
        one = _row_ce(s, np.arange(n))
        return one if task == "infonce" else 0.5 * (one + _row_ce(s.T.copy(), np.arange(n)))

    del scale_negatives
    return alternative


def _log_softmax_first_axis(z: np.ndarray) -> np.ndarray:
    m = np.max(z, axis=0, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=0, keepdims=True))


def _cce_first_axis(case: Case) -> Any:
    y, z = _args(case)
    if z.ndim != 2 or z.size == 0:
        return None
    return float(np.mean(-np.sum(y * _log_softmax_first_axis(z), axis=0)))


def _cce_grad_first_axis(case: Case) -> Any:
    y, z = _args(case)
    if z.ndim != 2 or z.size == 0:
        return None
    return np.exp(_log_softmax_first_axis(z)) - y


_FIRST_AXIS = "the softmax (and the sum) run along the first axis, over the rows; the contract's classes are the last axis"
_TAU_POSITIVE = "the temperature divides only the positive pair's similarity; every logit of the row must be divided by τ"
_NOT_LOGITS = "the logits are used as if they were probabilities (no sigmoid/softmax)"
TASK_HYPOTHESES: dict[str, list[tuple[str, str, Any]]] = {
    "focal": [
        (
            "constant-alpha",
            "every example is weighted by alpha; the contract uses alpha_t "
            "(alpha for y=1, 1 − alpha for y=0)",
            _focal_constant_alpha,
        )
    ],
    "bce": [("probabilities-not-logits", _NOT_LOGITS, _bce_on_probabilities(e)) for e in EPSILONS],
    "cce": [("probabilities-not-logits", _NOT_LOGITS, _cce_on_probabilities(e)) for e in EPSILONS]
    + [("wrong-axis", _FIRST_AXIS, _cce_first_axis)],
    "bce-grad": [("probabilities-not-logits", _NOT_LOGITS, _grad_on_probabilities)],
    "cce-grad": [
        ("probabilities-not-logits", _NOT_LOGITS, _grad_on_probabilities),
        ("wrong-axis", _FIRST_AXIS, _cce_grad_first_axis),
    ],
    "huber": [
        (
            "ignores-parameter",
            "the linear part is |e| − ½, right only for δ = 1; beyond δ it is δ·(|e| − ½δ)",
            _huber_linear_without_delta,
        )
    ],
    "infonce": [("missing-temperature", _TAU_POSITIVE, _tau_on_positive("infonce", False))],
    "clip": [("missing-temperature", _TAU_POSITIVE, _tau_on_positive("clip", False))],
    "nt-xent": [("missing-temperature", _TAU_POSITIVE, _tau_on_positive("nt-xent", False))],
    "dice": [
        (
            "wrong-result",
            "smooth is added to the denominator only; it belongs in the "
            "numerator too: 1 − (2·Σ y·p + s) / (Σ y + Σ p + s)",
            _dice_smooth_below_only,
        )
    ],
    "poisson-nll": [
        (
            "probabilities-not-logits",
            "the log-rate is used as if it were the rate (no exp)",
            _poisson_on_rates(e),
        )
        for e in EPSILONS
    ],
}
"""Mistakes of one task that the reference cannot re-enact by changing its inputs."""


def _set(args: list[Any], i: int, value: Any) -> list[Any]:
    args[i] = value
    return args


def _swap(args: list[Any], i: int, j: int) -> list[Any] | None:
    if np.shape(args[i]) != np.shape(args[j]):
        return None
    args[i], args[j] = args[j], args[i]
    return args
