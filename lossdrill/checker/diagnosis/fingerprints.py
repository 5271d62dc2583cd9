"""Codes read off the numbers: a constant ratio got/expected of n or 1/n, 2 or ½, −1, or
failures only on extreme inputs (``unstable``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lossdrill.checker.cases import Case, Run
from lossdrill.checker.compare import as_real_array, fmt
from lossdrill.checker.diagnosis.verdicts import cases_phrase
from lossdrill.checker.result import Diagnosis
from lossdrill.checker.tasks import TaskSpec


def fingerprint(spec: TaskSpec, runs: Sequence[Run]) -> list[Diagnosis]:
    """Codes read off the numbers of the failing cases."""
    failed = [r for r in runs if r.failed and not r.case.is_empty]
    mismatched = [r for r in failed if r.verdict.kind == "mismatch"]
    if not mismatched or len(mismatched) != len(failed):
        return []
    rule = _broken_rule(spec, mismatched)
    if rule is not None:
        return [rule]
    groups = {r.case.group for r in mismatched}
    random_passes = all(not r.failed for r in runs if r.case.group == "random")
    if groups == {"stability"} and random_passes:
        return [_unstable(spec, mismatched)]
    # an index (ignore_index, blank) selects, it computes nothing: nan only at its domain's
    # ends is the index mishandled (JAX's gather gives nan out of range), not instability
    ends = _hyperparameter_ends(spec, runs, mismatched, index_only=True)
    if ends is not None:
        return [ends]
    if random_passes and all(_nonfinite_where_finite(r) for r in mismatched):
        r = mismatched[0]
        return [
            Diagnosis(
                "unstable",
                f"gives {_special(as_real_array(r.outcome.value))} where the result is finite, on "
                f"{cases_phrase(mismatched, len(runs))}: guard 0·log 0, log of 0 and overflowing exp",
            )
        ]
    ends = _hyperparameter_ends(spec, runs, mismatched)
    if ends is not None:
        return [ends]
    ratio = _constant_ratio(mismatched)
    if ratio is not None:
        if abs(ratio + 1) < 1e-6:
            return [
                Diagnosis("wrong-sign", "every value has the opposite sign of the expected one")
            ]
        if abs(ratio - 2) < 1e-6 and any("2N" in text for _, text in spec.rules):
            return [
                Diagnosis(
                    "wrong-reduction",
                    "every value is exactly twice the expected one: "
                    "the mean is over the N pairs where the contract averages over all "
                    "2N views (or a factor ½ is missing)",
                )
            ]
        if abs(ratio - 2) < 1e-6:
            return [
                Diagnosis(
                    "missing-half",
                    "every value is exactly twice the expected one: a factor ½ is missing",
                )
            ]
        if abs(ratio - 0.5) < 1e-6:
            return [
                Diagnosis(
                    "missing-half",
                    "every value is exactly half the expected one: an extra factor ½",
                )
            ]
    reduction = _reduction_ratio(mismatched)
    if reduction is not None:
        return [Diagnosis("wrong-reduction", reduction)]
    count = _wrong_count(mismatched)
    if count is not None:
        return [Diagnosis("wrong-reduction", count)]
    for factor, words in ((2.0, "the factor ½ is missing"), (0.5, "there is an extra factor ½")):
        if _reduction_ratio(mismatched, factor) is not None:
            return [
                Diagnosis(
                    "wrong-reduction",
                    f"the result is {factor:g}·n times the expected one, "
                    "where n is the batch size (or a dimension): a sum where a mean is due",
                ),
                Diagnosis("missing-half", f"besides the sum, {words}"),
            ]
    return []


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
        return (
            "the result is n times too large, where n is the batch size (or a dimension): "
            "a sum where a mean is due"
        )
    if smaller and not bigger:
        return (
            "the result is 1/n of the expected one, where n is the batch size (or a "
            "dimension): a mean over the wrong axis or an extra division by n"
        )
    return "the result is off by a factor of the batch size or a dimension: the reduction is wrong"


def broken_rule(spec: TaskSpec, runs: Sequence[Run]) -> list[Diagnosis]:
    """``ignores-rule`` when every failing non-empty case is a literal case of one rule and
    each failed by a wrong value."""
    failed = [r for r in runs if r.failed and not r.case.is_empty]
    if not failed or any(r.verdict.kind != "mismatch" for r in failed):
        return []
    found = _broken_rule(spec, failed)
    return [found] if found else []


def _broken_rule(spec: TaskSpec, failed: Sequence[Run]) -> Diagnosis | None:
    """Every failing case is a literal case of one rule of the record: quote the rule."""
    literal = {rule_id for rule_id, _ in spec.rule_cases}
    ids = {rid for r in failed for rid in r.case.rules if rid in literal}
    if len(ids) != 1 or not all(set(r.case.rules) & ids for r in failed):
        return None
    rule_id = next(iter(ids))
    r = failed[0]
    got = as_real_array(r.outcome.value)
    shown = fmt(got) if got is not None and got.ndim == 0 else _special(got)
    want = fmt(r.expected) if r.expected.ndim == 0 else "other values"
    return Diagnosis(
        "ignores-rule",
        f"the contract says: “{spec.rule_text(rule_id)}” On “{r.case.name}” your function "
        f"gives {shown} where {want} is right",
    )


def _hyperparameter_ends(
    spec: TaskSpec, runs: Sequence[Run], failed: Sequence[Run], index_only: bool = False
) -> Diagnosis | None:
    """Every failing case passes a hyperparameter beyond the values that pass (α = 0,
    q = 0.99, τ = 1e-4) and every case passing it inside them is right: the value is
    replaced (``alpha or 0.25``) or clamped. ``index_only``: only index hyperparameters."""
    for p in spec.params:
        if index_only and p.type != "index":
            continue
        bad = {r.case.kwargs.get(p.name) for r in failed}
        if None in bad:
            continue
        good = {r.case.kwargs[p.name] for r in runs if p.name in r.case.kwargs} - bad
        if not good - {p.default}:  # only the default right: the parameter is ignored
            continue
        lo, hi = min(good), max(good)
        if all(v < lo or v > hi for v in bad):
            shown = " and ".join(f"{p.name}={v:g}" for v in sorted(bad)[:3])  # type: ignore[type-var]
            zero = " (0 is falsy: `x or default` replaces it)" if 0.0 in bad else ""
            return Diagnosis(
                "ignores-parameter",
                f"right for {p.name} from {lo:g} to {hi:g}, wrong beyond: {shown}{zero}. The "
                f"domain is the contract's ({spec.param_domain(p.name)}); do not replace or clamp {p.name}",
            )
    return None


_COUNTS = {
    "1": lambda shape: 1,
    "n": lambda shape: shape[0],
    "n − 1": lambda shape: shape[0] - 1,
    "n + 1": lambda shape: shape[0] + 1,
    "2n": lambda shape: 2 * shape[0],
    "2n − 1": lambda shape: 2 * shape[0] - 1,
    "k": lambda shape: shape[-1],
    "k − 1": lambda shape: shape[-1] - 1,
    "all elements": lambda shape: int(np.prod(shape)),
    "all elements − 1": lambda shape: int(np.prod(shape)) - 1,
}
"""Counts a mean may be taken over, from the first argument's shape (n rows, k classes)."""


def _wrong_count(runs: Sequence[Run]) -> str | None:
    """Every failing case is exactly the mean over one count where another is due: the ratio
    got/expected is (right count)/(wrong count) for one pair of :data:`_COUNTS` on every case."""
    pairs = [(a, b) for a in _COUNTS for b in _COUNTS if a != b]
    alive = set(pairs)
    for r in runs:
        ratio = _ratios(r)
        shape = np.shape(r.case.args[0])
        if ratio is None or not shape or not np.allclose(ratio, ratio[0], rtol=1e-6):
            return None
        c = float(ratio[0])
        keep = set()
        for a, b in alive:
            right, wrong = _COUNTS[a](shape), _COUNTS[b](shape)
            if right > 0 and wrong > 0 and abs(c - right / wrong) <= 1e-6 * abs(c):
                keep.add((a, b))
        alive = keep
        if not alive:
            return None
    a, b = min(alive, key=lambda ab: (ab[1] == "1", pairs.index(ab)))
    if b == "1":
        return (
            "the result is a sum where a mean over " + a + " is due: "
            "divide by the count the contract averages over"
        )
    return (
        f"the result is the mean over {b} where the contract averages over {a} "
        "(n rows, k classes): divide by the right count"
    )
