"""The checker engine's side of a framework check: the track of a task, the extra runs, the
verdicts and the diagnoses (called from :mod:`lossdrill.checker.engine`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lossdrill.checker.cases import HAZARDS, Case, Run
from lossdrill.checker.frameworks.track import (
    CODES,
    Track,
    gradient_runs,
    judge_call,
    judge_tensor,
    probe_runs,
    shapes_of,
    track_diagnoses,
)
from lossdrill.checker.result import Diagnosis, Verdict
from lossdrill.checker.tasks import TaskSpec


def track_of(spec: TaskSpec, framework: str, device: str = "cpu", forbid: bool = True) -> Track:
    """The track of ``spec`` in ``framework``, from the task's record (as the checker's
    plain-data view of the records carries it: :func:`lossdrill.bank.tasks.checker_view`)."""
    differentiable = tuple(spec.args.index(n) for n in spec.differentiable)
    forbidden = spec.forbidden_on(framework) if forbid else ()
    return Track(framework, spec.kinds, differentiable, device, forbidden)


def judge(check: Any, case: Case, expected: np.ndarray, outcome: Any) -> Verdict:
    track: Track = check.track
    early = judge_call(track, case, outcome, check.spec.args)
    if early is not None:
        return early
    verdict = check._judge_value(case, expected, outcome)
    if verdict.ok and outcome.status == "ok":
        late = judge_tensor(track, case, outcome)
        if late is not None:
            return late
    return verdict


def track_runs(check: Any, cases: Sequence[Case], value_runs: Sequence[Run]) -> list[Run]:
    """The framework's own runs: gradients, the device or jit probe (forbidden calls are
    found before anything runs, with the task's own list: :mod:`lossdrill.checker.imports`).

    None after a value case hung or crashed: the value cases name that, and each gradient
    call would cost another time-out (an endless loop took 100 s on the torch track)."""
    if any(r.outcome.status in HAZARDS for r in value_runs):
        return []
    track: Track = check.track
    spec: TaskSpec = check.spec
    runs = gradient_runs(track, cases, spec.reference(), check.raw_sandbox, spec.args)
    runs += probe_runs(track, cases, check.raw_sandbox)
    if track.device == "cuda":
        cuda = type(track)(
            track.framework, track.kinds, track.differentiable, "cuda", track.forbidden
        )
        from lossdrill.checker.frameworks.track import TrackSandbox

        box = TrackSandbox(check.raw_sandbox, cuda.options())
        on_cuda = [Case("cuda", c.name, c.args, c.kwargs) for c in cases]
        expected = [check._expected(c) for c in on_cuda]
        outcomes = box.call_many("submission", [(c.args, c.kwargs) for c in on_cuda])
        saved, check.track = check.track, cuda
        try:
            runs += [
                Run(c, e, o, judge(check, c, e, o))
                for c, e, o in zip(on_cuda, expected, outcomes, strict=False)
            ]
        finally:
            check.track = saved
    return runs


def diagnose_track(spec: TaskSpec, runs: Sequence[Run], sandbox: Any) -> list[Diagnosis]:
    """Framework diagnoses first; the value failures left are named as on the NumPy track
    (without the bank's mutants, which are NumPy code)."""
    from lossdrill.checker.diagnosis import diagnose

    out = track_diagnoses(runs)
    value_runs = [
        r
        for r in runs
        if r.verdict.kind not in CODES and r.case.group not in ("gradients", "framework")
    ]
    if any(r.failed for r in value_runs):
        seen = {d.code for d in out}
        out += [d for d in diagnose(spec, value_runs, lambda: (), sandbox) if d.code not in seen]
    elif not out:  # only a gradient call failed: named by how it ended
        first = next(r.verdict for r in runs if r.failed)
        code = first.kind if first.kind in ("timeout", "memory") else "exception"
        out = [Diagnosis(code, first.message)]
    return out


JAX_NEW_SHAPES = 4
"""The JAX track's random cases: those whose input shapes, dtypes and hyperparameter names
already occur in the other groups, and cases of at most this many new ones (XLA compiles
once per such signature; each compile costs a few hundred milliseconds)."""


def _signature(case: Case) -> tuple:
    """What one XLA compilation covers: the inputs' shapes and dtypes and which
    hyperparameters are passed (their values are traced)."""
    return shapes_of(case.args), tuple(sorted(case.kwargs))


def track_cases(
    track: Track, cases: list[Case], expected: list[Any]
) -> tuple[list[Case], list[Any]]:
    """The cases a framework track runs (every case, except JAX's random cases)."""
    if track.framework != "jax":
        return cases, expected
    seen = {_signature(c) for c in cases if c.group != "random"}
    budget = JAX_NEW_SHAPES
    kept_cases, kept_expected = [], []
    for c, e in zip(cases, expected, strict=False):
        if c.group == "random":
            sig = _signature(c)
            if sig not in seen:
                if budget == 0:
                    continue
                budget -= 1
                seen.add(sig)
        kept_cases.append(c)
        kept_expected.append(e)
    return kept_cases, kept_expected
