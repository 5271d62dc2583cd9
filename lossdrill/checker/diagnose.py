"""Name the mistake: sandbox verdicts, then the task's known mutants, then fingerprints.

The order is from the most certain to the least:

1. what the sandbox saw (the file does not parse, the function is missing, raises, hangs,
   runs out of memory, modifies an input, returns the wrong type or shape, fails only on
   the empty batch);
2. the task's bank mutants, each run in the sandbox on the failing cases (and a sample of
   passing ones): a mutant that behaves like the submission names the mistake;
3. fingerprints of the numbers: a constant ratio got/expected of n or 1/n, 2 or ½, −1,
   or failures only on extreme inputs (``unstable``);
4. otherwise ``wrong-result``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lossdrill.checker.cases import Case
from lossdrill.checker.codes import describe
from lossdrill.checker.compare import as_real_array, fmt, outcomes_agree, values_close
from lossdrill.checker.result import Diagnosis, Verdict
from lossdrill.checker.tasks import BINARY, PM1, REAL, SOFTMAX, TaskSpec

HAZARDS = ("timeout", "memory", "crash", "exit", "not-run")
"""Outcomes after which a case is not run again (mutant matching, shrinking, sweeps)."""


@dataclass(frozen=True)
class Run:
    """One case as it went: the case, the reference's value, the sandbox outcome, the verdict."""

    case: Case
    expected: np.ndarray
    outcome: Any
    verdict: Verdict

    @property
    def failed(self) -> bool:
        return not self.verdict.ok


def load_diagnosis(outcome: Any, function: str, source: str = "") -> Diagnosis:
    """The diagnosis of a file that could not be loaded (``source`` adds the line in question)."""
    status, message = outcome.status, outcome.message
    if status == "syntax-error":
        line = _source_line(source, getattr(outcome, "line", None))
        where = f" in “{line}”" if line else ""
        return Diagnosis("syntax-error", f"the file does not parse: {message}{where}")
    if status == "missing-function":
        if message == f"no function named {function}" and not source.strip():
            message = "the file is empty"
        elif message == f"no function named {function}":
            others = _defined_functions(source)
            message = (f"it defines {', '.join(f'{n}()' for n in others)}; the checker calls "
                       f"{function}()" if others else "")
        return Diagnosis("missing-function", f"the file does not define {function}()"
                         + (f": {message}" if message else ""))
    message = message.removeprefix("while loading: ").removesuffix(" while loading")
    if status == "timeout":
        return Diagnosis("timeout", f"loading the file never finished: {message}")
    if status == "memory":
        return Diagnosis("memory", f"loading the file {message}")
    if status in ("exit", "crash") or message.startswith("called sys.exit"):
        return Diagnosis("exception", f"while loading, the file {message}: code at the top "
                         "level runs when the file is loaded; keep it inside the function")
    return Diagnosis("exception", f"loading the file failed: {message}")


def _source_line(source: str, line: int | None) -> str:
    lines = source.splitlines()
    if not line or not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _defined_functions(source: str) -> list[str]:
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))][:3]


def _arg_names(spec: TaskSpec, names: Sequence[str]) -> str:
    out = []
    for name in names:
        if name.startswith("arg") and name[3:].isdigit() and int(name[3:]) < len(spec.args):
            out.append(spec.args[int(name[3:])])
        else:
            out.append(name)
    return " and ".join(dict.fromkeys(out))


def _cases_phrase(runs: Sequence[Run], total: int) -> str:
    names = ", ".join(f"“{name}”" for name in list(dict.fromkeys(r.case.name for r in runs))[:2])
    return f"{len(runs)} of {total} cases, e.g. {names}"


def verdict_diagnoses(spec: TaskSpec, runs: Sequence[Run]) -> list[Diagnosis]:
    """What the sandbox and the type/shape checks saw, most serious first."""
    failed = [r for r in runs if r.failed]
    total = len(runs)
    out: list[Diagnosis] = []
    empty = _empty_batch_failures(failed)
    by_kind: dict[str, list[Run]] = {}
    for r in failed:
        if r not in empty:
            by_kind.setdefault(r.verdict.kind, []).append(r)

    skipped = len(by_kind.get("not-run", ()))
    rest = f"; the other {skipped} cases were not run" if skipped else ""
    if "timeout" in by_kind:
        rs = by_kind["timeout"]
        out.append(Diagnosis(
            "timeout",
            f"{rs[0].outcome.message or 'did not return in time'} on {_cases_phrase(rs, total)}: "
            f"look for an endless loop or a loop far too slow for the batch{rest}",
        ))
        rest = ""
    if "memory" in by_kind:
        rs = by_kind["memory"]
        out.append(Diagnosis(
            "memory",
            f"{rs[0].outcome.message} on {_cases_phrase(rs, total)}: a huge temporary array "
            f"is usually the cause{rest}",
        ))
        rest = ""
    for kind in ("exit", "crash"):
        if kind in by_kind:
            rs = by_kind[kind]
            out.append(Diagnosis(
                "exception", f"{rs[0].outcome.message} on {_cases_phrase(rs, total)}{rest}"
            ))
            rest = ""
    if "exception" in by_kind:
        rs = by_kind["exception"]
        messages: dict[str, list[Run]] = {}
        for r in rs:
            messages.setdefault(r.outcome.message, []).append(r)
        first, group = next(iter(messages.items()))
        others = len(messages) - 1
        extra = f" ({others} other kind{'s' if others > 1 else ''} of error too)" if others else ""
        todo = ""
        if first.startswith("NotImplementedError"):
            todo = " — the starter's placeholder: write the body"
        elif first.startswith("TypeError") and ("argument" in first):
            todo = f" — the signature must be {spec.signature()}"
        out.append(Diagnosis(
            "exception", f"raised {first} on {_cases_phrase(group, total)}{extra}{todo}"
        ))
    if "mutates-input" in by_kind:
        rs = by_kind["mutates-input"]
        names = _arg_names(spec, rs[0].outcome.mutated)
        out.append(Diagnosis(
            "mutates-input",
            f"modifies its input {names} in place (an in-place operator such as -= or *=, "
            "or writing into a slice); compute into a new array instead",
        ))
    if "wrong-type" in by_kind:
        rs = by_kind["wrong-type"]
        out.append(Diagnosis("wrong-type", f"{rs[0].verdict.message}, on {_cases_phrase(rs, total)}"))
    if "wrong-shape" in by_kind:
        rs = by_kind["wrong-shape"]
        out.append(Diagnosis("wrong-shape", f"{rs[0].verdict.message}, on {_cases_phrase(rs, total)}"))
    if empty:
        out.append(_empty_batch(spec, empty[0]))
    return out


def _failure_key(r: Run) -> tuple[str, str]:
    return r.verdict.kind, r.outcome.message or r.verdict.message


def _empty_batch_failures(failed: Sequence[Run]) -> list[Run]:
    """Failures on empty batches that are particular to them.

    An empty case that fails the way non-empty cases fail too (the starter's
    NotImplementedError, a wrong signature, a list returned everywhere) is explained by
    that failure, not by the empty batch.
    """
    elsewhere = {_failure_key(r) for r in failed if not r.case.is_empty}
    return [
        r for r in failed
        if r.case.is_empty and r.verdict.kind not in HAZARDS
        and _failure_key(r) not in elsewhere
        and not (r.outcome.message or "").startswith("NotImplementedError")
    ]


def _empty_batch(spec: TaskSpec, r: Run) -> Diagnosis:
    want = "0.0" if spec.output == "loss" else "an empty array"
    fix = ("return 0.0 when the batch is empty" if spec.output == "loss"
           else "array operations give an empty array for an empty input; no special case needed")
    if r.outcome.status == "ok":
        got = as_real_array(r.outcome.value)
        if got is not None and got.ndim == 0:
            what = f"returned {fmt(got)}" if spec.output == "loss" else (
                f"returned the single number {fmt(got)}")
            if np.isnan(got):
                what += " (np.mean of an empty array is nan)"
        else:
            what = r.verdict.message or f"returned a {r.outcome.value_type}"
            what = what.split(";")[0]
    else:
        what = f"raised {r.outcome.message}" if r.verdict.kind == "exception" else (
            r.verdict.message or r.outcome.message)
        if "ZeroDivision" in what:
            what += ", dividing by the length of the empty batch"
    return Diagnosis("empty-batch", f"an empty batch must give {want}, but your function "
                     f"{what}: {fix}")


def fingerprint(spec: TaskSpec, runs: Sequence[Run]) -> list[Diagnosis]:
    """Codes read off the numbers of the failing cases."""
    failed = [r for r in runs if r.failed and not r.case.is_empty]
    mismatched = [r for r in failed if r.verdict.kind == "mismatch"]
    if not mismatched or len(mismatched) != len(failed):
        return []
    groups = {r.case.group for r in mismatched}
    random_passes = all(not r.failed for r in runs if r.case.group == "random")
    if groups == {"stability"} and random_passes:
        return [_unstable(spec, mismatched)]
    if random_passes and all(_nonfinite_where_finite(r) for r in mismatched):
        r = mismatched[0]
        return [Diagnosis(
            "unstable",
            f"gives {_special(as_real_array(r.outcome.value))} where the result is finite, on "
            f"{_cases_phrase(mismatched, len(runs))}: guard 0·log 0, log of 0 and overflowing exp",
        )]
    ratio = _constant_ratio(mismatched)
    if ratio is not None:
        if abs(ratio + 1) < 1e-6:
            return [Diagnosis("wrong-sign", "every value has the opposite sign of the expected one")]
        if abs(ratio - 2) < 1e-6:
            return [Diagnosis("missing-half", "every value is exactly twice the expected one: "
                              "a factor ½ is missing")]
        if abs(ratio - 0.5) < 1e-6:
            return [Diagnosis("missing-half", "every value is exactly half the expected one: "
                              "an extra factor ½")]
    reduction = _reduction_ratio(mismatched)
    if reduction is not None:
        return [Diagnosis("wrong-reduction", reduction)]
    for factor, words in ((2.0, "the factor ½ is missing"), (0.5, "there is an extra factor ½")):
        if _reduction_ratio(mismatched, factor) is not None:
            return [
                Diagnosis("wrong-reduction", f"the result is {factor:g}·n times the expected one, "
                          "where n is the batch size (or a dimension): a sum where a mean is due"),
                Diagnosis("missing-half", f"besides the sum, {words}"),
            ]
    return []


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
                    return [Diagnosis(code, message), Diagnosis("missing-half", f"besides that, {words}")]
    if spec.family is SOFTMAX and all(_normalised_elsewhere(spec, r) for r in failed):
        return [Diagnosis("wrong-axis", "the result is normalised along another axis (or over "
                          "the whole array); the contract normalises each row, along the last axis")]
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
        out.append((
            code,
            f"right with the default {p.name}={p.default:g}, wrong with any other: "
            f"your function ignores {p.name}",
            with_kwargs(lambda kw, n=p.name: (kw.pop(n), kw)[1] if n in kw else None),
        ))
        if p.name in ("q", "alpha"):
            out.append((
                "swapped-arguments",
                f"{p.name} and 1 − {p.name} are used in each other's place",
                with_kwargs(lambda kw, p=p: {**kw, p.name: 1 - kw.get(p.name, p.default)}),
            ))
        if p.name == "temperature":
            out.append((
                "missing-temperature",
                "the logits are multiplied by the temperature; they must be divided by it",
                with_kwargs(lambda kw, p=p: {**kw, p.name: 1 / kw.get(p.name, p.default)}),
            ))
        neutral = NEUTRAL.get(p.name)
        if neutral is not None and neutral != p.default:
            out.append((
                code,
                f"{p.name} has no effect: your function computes the loss with "
                f"{p.name}={neutral:g} whatever {p.name} is",
                with_kwargs(lambda kw, n=p.name, v=neutral: {**kw, n: v}),
            ))
    kinds = spec.family.kinds
    for i, kind in enumerate(kinds):
        if kind == REAL and spec.args[i] == spec.scale_arg:
            out.append(("wrong-sign", f"the sign of {spec.args[i]} is flipped inside the formula",
                        with_args(lambda a, i=i: _set(a, i, -np.asarray(a[i])))))
    if len(kinds) == 1:
        for factor, words in ((2.0, "twice"), (0.5, "half")):
            out.append(("missing-half",
                        f"your function computes it at {words} the input: a factor ½ or 2 is off",
                        with_args(lambda a, f=factor: _set(a, 0, f * np.asarray(a[0], dtype=float)))))
    out += TASK_HYPOTHESES.get(spec.id, [])
    for i, kind in enumerate(kinds):
        name = spec.args[i]
        if kind == BINARY:
            out.append(("label-convention", f"{name} is read with the opposite meaning (1 for 0)",
                        with_args(lambda a, i=i: _set(a, i, 1 - np.asarray(a[i])))))
        if kind == PM1:
            out.append(("label-convention", f"{name} is read with the opposite meaning (−1 for +1)",
                        with_args(lambda a, i=i: _set(a, i, -np.asarray(a[i])))))
            out.append(("label-convention",
                        f"{name} is already ±1 but is converted again as if it were 0/1 (2y − 1)",
                        with_args(lambda a, i=i: _set(a, i, 2 * np.asarray(a[i]) - 1))))
            out.append(("label-convention", f"{name} is turned into 0/1 labels; the contract uses ±1",
                        with_args(lambda a, i=i: _set(a, i, (np.asarray(a[i]) + 1) / 2))))
    for i in range(len(kinds)):
        for j in range(i + 1, len(kinds)):
            if kinds[i] == kinds[j] and kinds[i] not in (BINARY, PM1):
                out.append((
                    "swapped-arguments",
                    f"{spec.args[i]} and {spec.args[j]} are used in each other's place",
                    with_args(lambda a, i=i, j=j: _swap(a, i, j)),
                ))
    if spec.family is SOFTMAX:
        def other_axis(case: Case) -> Any:
            x = np.asarray(case.args[0])
            return None if x.ndim < 2 else np.swapaxes(ref(np.swapaxes(x, 0, -1)), 0, -1)

        def whole_array(case: Case) -> Any:
            x = np.asarray(case.args[0])
            return None if x.ndim < 2 else np.reshape(ref(np.reshape(x, (1, -1))), x.shape)

        out.append(("wrong-axis", "normalises along the first axis; the contract says the last",
                    other_axis))
        out.append(("wrong-axis", "normalises over the whole array; the contract says each row",
                    whole_array))
    return out


NEUTRAL = {"epsilon": 0.0, "temperature": 1.0, "gamma": 0.0, "margin": 0.0, "smooth": 0.0,
           "pos_weight": 1.0}
"""The value that switches a hyperparameter off: a solution that ignores it behaves so."""


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


_NOT_LOGITS = "the logits are used as if they were probabilities (no sigmoid/softmax)"
TASK_HYPOTHESES: dict[str, list[tuple[str, str, Any]]] = {
    "focal": [("constant-alpha", "every example is weighted by alpha; the contract uses alpha_t "
               "(alpha for y=1, 1 − alpha for y=0)", _focal_constant_alpha)],
    "bce": [("probabilities-not-logits", _NOT_LOGITS, _bce_on_probabilities(e)) for e in EPSILONS],
    "cce": [("probabilities-not-logits", _NOT_LOGITS, _cce_on_probabilities(e)) for e in EPSILONS],
    "bce-grad": [("probabilities-not-logits", _NOT_LOGITS, _grad_on_probabilities)],
    "cce-grad": [("probabilities-not-logits", _NOT_LOGITS, _grad_on_probabilities)],
    "huber": [("ignores-parameter", "the linear part is |e| − ½, right only for δ = 1; beyond "
               "δ it is δ·(|e| − ½δ)", _huber_linear_without_delta)],
    "dice": [("wrong-result", "smooth is added to the denominator only; it belongs in the "
              "numerator too: 1 − (2·Σ y·p + s) / (Σ y + Σ p + s)", _dice_smooth_below_only)],
    "poisson-nll": [("probabilities-not-logits", "the log-rate is used as if it were the rate "
                     "(no exp)", _poisson_on_rates(e)) for e in EPSILONS],
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


def _unstable(spec: TaskSpec, runs: Sequence[Run]) -> Diagnosis:
    label, _ = spec.extremeness(runs[0].case)
    sizes = [spec.extremeness(r.case)[1] for r in runs]
    r = min(runs, key=lambda run: spec.extremeness(run.case)[1])
    got = as_real_array(r.outcome.value)
    shown = fmt(got) if got is not None and got.ndim == 0 else _special(got)
    if np.all(np.isfinite(r.expected)):
        right = "the right value is finite" if r.expected.ndim == 0 else "finite values are right"
    else:
        right = f"{fmt(r.expected)} is right" if r.expected.ndim == 0 else "other values are right"
    where = f"for {label} of {min(sizes):g} and beyond" if min(sizes) > 10 else "on extreme inputs"
    return Diagnosis(
        "unstable",
        f"right on moderate inputs, but unstable {where}: on “{r.case.name}” it gives "
        f"{shown} where {right}. Use a stable form (log-sum-exp with the max "
        "shifted out, np.logaddexp, log1p(exp(-|z|))) instead of exp or log of a probability",
    )


def _special(values: np.ndarray | None) -> str:
    if values is None:
        return "something that is not a number"
    if np.isnan(values).any():
        return "nan"
    if np.isinf(values).any():
        return "inf"
    return "inaccurate values"


def _nonfinite_where_finite(r: Run) -> bool:
    got = as_real_array(r.outcome.value)
    if got is None or got.shape != r.expected.shape:
        return False
    return bool(np.any(~np.isfinite(got) & np.isfinite(r.expected)))


def _ratios(r: Run) -> np.ndarray | None:
    got = as_real_array(r.outcome.value)
    if got is None or got.shape != r.expected.shape:
        return None
    exp = r.expected
    mask = np.isfinite(exp) & np.isfinite(got) & (np.abs(exp) > 1e-12)
    if not mask.any():
        return None
    return got[mask] / exp[mask]


def _constant_ratio(runs: Sequence[Run]) -> float | None:
    values = []
    for r in runs:
        ratio = _ratios(r)
        if ratio is None:
            return None
        values.append(ratio)
    allr = np.concatenate(values)
    c = float(np.median(allr))
    if c == 0 or not np.allclose(allr, c, rtol=1e-6, atol=0):
        return None
    return c


def _sizes(case: Case) -> set[int]:
    shapes = [np.shape(a) for a in case.args]
    out: set[int] = set()
    for shape in shapes:
        if shape:
            out.add(int(shape[0]))
            out.add(int(shape[-1]))
            out.add(int(np.prod(shape)))
            out.add(2 * int(shape[0]))  # two views per row (nt-xent)
            if len(shape) > 1:
                out.add(int(np.prod(shape[1:])))
    out.discard(0)
    out.discard(1)
    return out


def _reduction_ratio(runs: Sequence[Run], factor: float = 1.0) -> str | None:
    """Each failing case off by a factor that is one of its sizes (n, k, n·k) or its inverse
    (times ``factor``: 2 when a ½ is missing as well)."""
    bigger = smaller = 0
    for r in runs:
        ratio = _ratios(r)
        if ratio is None or not np.allclose(ratio, ratio[0], rtol=1e-6):
            return None
        c = float(ratio[0]) / factor
        if factor != 1.0 and abs(c - 1) < 1e-6:
            continue  # a batch of one: only the factor shows
        sizes = _sizes(r.case)
        if any(abs(c - s) < 1e-6 * s for s in sizes):
            bigger += 1
        elif any(abs(c * s - 1) < 1e-6 for s in sizes):
            smaller += 1
        else:
            return None
    if factor != 1.0 and not (bigger or smaller):
        return None
    if bigger and not smaller:
        return ("the result is n times too large, where n is the batch size (or a dimension): "
                "a sum where a mean is due")
    if smaller and not bigger:
        return ("the result is 1/n of the expected one, where n is the batch size (or a "
                "dimension): a mean over the wrong axis or an extra division by n")
    return "the result is off by a factor of the batch size or a dimension: the reduction is wrong"


def match_mutants(
    spec: TaskSpec,
    runs: Sequence[Run],
    mutants: Sequence[Any],
    sandbox: Any,
    *,
    max_failing: int = 16,
    max_passing: int = 16,
) -> list[Diagnosis]:
    """Codes of the bank mutants that behave like the submission on its failing cases.

    A mutant must agree with the submission on every sampled failing case; among those,
    the ones agreeing on the most sampled passing cases are the most specific.
    """
    failing = [r for r in runs if r.failed and r.verdict.kind not in HAZARDS and not r.case.is_empty]
    if not failing or not mutants:
        return []
    failing = _spread(failing, max_failing)
    passing = _spread([r for r in runs if not r.failed], max_passing)
    sample = failing + passing
    calls = [(r.case.args, r.case.kwargs) for r in sample]
    scored: list[tuple[int, Any]] = []
    for mutant in mutants:
        slot = f"mutant:{mutant.name}"
        loaded = sandbox.load(slot, mutant.code, spec.function, f"<mutant {mutant.name}>")
        if loaded.status != "ok":
            continue
        outcomes = sandbox.call_many(slot, calls, timeout=1.0)
        agree = [
            outcomes_agree(r.outcome, o, spec.tol32 if r.case.float32() else spec.tol64)
            for r, o in zip(sample, outcomes, strict=False)
        ]
        if all(agree[: len(failing)]):
            scored.append((sum(agree[len(failing):]), mutant))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    out: dict[str, Diagnosis] = {}
    for score, mutant in scored:
        if score == best and mutant.diagnosis not in out:
            name = mutant.name.replace("-", " ")
            note = MUTANT_NOTES.get((spec.id, mutant.name))
            if note:
                what = f": {note}"
            elif mutant.diagnosis == "wrong-result":
                what = "; compare each term with the definition in the prompt"
            else:
                what = f": {describe(mutant.diagnosis)}"
            out[mutant.diagnosis] = Diagnosis(
                mutant.diagnosis,
                f"your function behaves exactly like the known mistake “{name}”{what}",
            )
    return list(out.values())


MUTANT_NOTES: dict[tuple[str, str], str] = {
    ("bce", "lecture-formula"): "the log term of the lecture's formula is wrong (log 2 for "
    "z ≥ 0, an extra −z for z < 0); the stable form is max(z, 0) − z·y + log1p(e^(−|z|))",
    ("multiclass-hinge", "counts-true-class"): "the sum includes j = y, which adds "
    "max(0, margin) = margin to every row; it runs over j ≠ y only",
    ("mae-grad", "minus-one-at-ties"): "at ŷ = y the gradient is −1; the contract uses "
    "sign(0) = 0 (np.sign)",
    ("huber", "smooth-l1-scaling"): "this is PyTorch's smooth-L1 scaling (½e²/δ, then "
    "|e| − ½δ); Huber is ½e² for |e| ≤ δ and δ·(|e| − ½δ) beyond",
    ("dice", "squared-denominator"): "the denominator sums squares (Σy² + Σp², the V-Net "
    "variant); the contract sums the values: Σy + Σp",
}
"""Plain words for bank mutants whose code (``wrong-result``) says little by itself."""


def _spread(runs: Sequence[Run], limit: int) -> list[Run]:
    """At most ``limit`` runs, taken round-robin over the groups so each group is represented."""
    by_group: dict[str, list[Run]] = {}
    for r in runs:
        by_group.setdefault(r.case.group, []).append(r)
    out: list[Run] = []
    queues = [list(v) for v in by_group.values()]
    while len(out) < limit and any(queues):
        for q in queues:
            if q and len(out) < limit:
                out.append(q.pop(0))
    return out


def wrong_result(runs: Sequence[Run], *, skip_empty: bool = False) -> Diagnosis:
    """``N of M cases differ``; ``skip_empty``: the empty batch is named on its own."""
    failed = [r for r in runs if r.failed and not (skip_empty and r.case.is_empty)]
    offsets = []
    for r in failed:
        got = as_real_array(r.outcome.value) if r.outcome.status == "ok" else None
        if got is None or got.shape != r.expected.shape or not np.all(np.isfinite(got)):
            offsets = []
            break
        offsets.append(got - r.expected)
    message = f"{len(failed)} of {len(runs)} cases differ from the reference"
    if offsets:
        d = np.concatenate([np.ravel(o) for o in offsets])
        if d.size and np.allclose(d, d[0], rtol=1e-6, atol=1e-9) and abs(d[0]) > 1e-9:
            message += f"; every value is off by the same constant {d[0]:+.6g}"
    groups = sorted({r.case.group for r in failed})
    message += f" (failing groups: {', '.join(groups)})"
    return Diagnosis("wrong-result", message)
