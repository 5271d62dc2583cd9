"""Check one submission of one implement task: run, compare, diagnose, shrink.

``run_check("focal", source)`` loads the source into a sandbox worker, calls the
learner's function on every case of the task, compares each result with the hidden
reference, and for a failing submission names the mistake, shrinks the first failure
and samples a one-dimensional sweep for the plot overlay. It returns a
:class:`~lossdrill.checker.result.CheckResult` and prints nothing.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from lossdrill.checker.case_cache import cases_and_expected
from lossdrill.checker.cases import GROUPS, HAZARDS, Case, Run
from lossdrill.checker.compare import (
    SANDBOX_STATUS,
    as_real_array,
    check_value,
    type_name,
    values_close,
)
from lossdrill.checker.diagnosis import diagnose, load_diagnosis
from lossdrill.checker.forbidden import forbidden_import, forbidden_in_calls
from lossdrill.checker.imports import describe_uses, forbidden_uses
from lossdrill.checker.protocols import CallOutcomeLike, SandboxLike
from lossdrill.checker.result import (
    CheckResult,
    Diagnosis,
    Failure,
    GroupResult,
    Sweep,
    Verdict,
)
from lossdrill.checker.shrink import shrink
from lossdrill.checker.tasks import TASKS, TaskSpec

FIRST_CHUNK = 2
"""Cases sent in the first round trip; if none of them hangs, the rest go in one batch."""
MAX_HAZARDS = 3
"""After this many hangs/crashes the remaining cases are not run (each can cost seconds)."""


class UnknownTask(KeyError):
    """No implement task has this id."""

    def __init__(self, task_id: str) -> None:
        super().__init__(task_id)
        self.task_id = task_id

    def __str__(self) -> str:
        known = ", ".join(sorted(TASKS))
        return f"unknown task {self.task_id!r}; known tasks: {known}"


class _NotRun:
    """Stands in for a call outcome of a case that was skipped."""

    status = "not-run"
    value = None
    value_type = ""
    message = "not run: the function hung or crashed on earlier cases"
    output = ""
    mutated: tuple[str, ...] = ()
    line = None


BankLike = Any
"""A :class:`~lossdrill.bank.schema.Bank`, a callable returning one, or None (load the defaults)."""


def run_check(
    task_id: str,
    source: str,
    *,
    seed: int | None = None,
    bank: BankLike = None,
    sandbox: SandboxLike | None = None,
    filename: str = "solution.py",
    sweep: bool = True,
    framework: str = "numpy",
    device: str = "cpu",
    forbid: bool = True,
) -> CheckResult:
    """Check ``source`` against task ``task_id``. Raises :class:`UnknownTask`.

    ``framework`` ``torch`` or ``jax`` checks a framework track (:mod:`.frameworks.track`);
    its sandbox must have been made for that framework. ``forbid=False`` lets a fix call
    the library loss (bug hunts: the exercise is the bug, not writing the loss)."""
    spec = TASKS.get(task_id)
    if spec is None:
        raise UnknownTask(task_id)
    track = None
    if framework != "numpy":
        from lossdrill.checker.frameworks.check import track_of

        track = track_of(spec, framework, device, forbid)
    if sandbox is None:
        from lossdrill.checker.frameworks import sandbox_options
        from lossdrill.checker.sandbox import Sandbox

        with Sandbox(**sandbox_options(framework)) as own:
            return _Check(spec, own, bank, seed, sweep, track, forbid).run(source, filename)
    return _Check(spec, sandbox, bank, seed, sweep, track, forbid).run(source, filename)


class _Check:
    def __init__(
        self,
        spec: TaskSpec,
        sandbox: SandboxLike,
        bank: BankLike,
        seed: int | None,
        sweep: bool,
        track: Any = None,
        forbid: bool = True,
    ) -> None:
        self.spec = spec
        self.track = track
        """A framework track (:class:`~lossdrill.checker.frameworks.track.Track`), or None."""
        self.forbidden: tuple[str, ...] = (
            ((*spec.forbidden, *track.forbidden) if track is not None else spec.forbidden)
            if forbid
            else ()
        )
        """The task's forbidden library functions (its record's list and, on a framework
        track, the track's): one static check (:mod:`.imports`) before anything runs.
        ``lossdrill`` itself is always forbidden; bug hunts (``forbid=False``) may call the
        library loss."""
        self.raw_sandbox = sandbox
        self.track_box: Any = None
        """The :class:`~lossdrill.checker.frameworks.track.TrackSandbox` of a framework track."""
        if track is not None:
            from lossdrill.checker.frameworks.track import TrackSandbox

            sandbox = self.track_box = TrackSandbox(sandbox, track.options())
        self.sandbox = sandbox
        self.bank = bank
        self.seed = spec.default_seed() if seed is None else seed
        self.want_sweep = sweep
        self.started = time.perf_counter()

    # ----------------------------------------------------------------- the run
    def run(self, source: str, filename: str) -> CheckResult:
        spec = self.spec
        # computed before the load, while a freshly started worker may still import NumPy
        cases, expected = cases_and_expected(
            f"{spec.id}-{spec.record_key}", self.seed, self._build_cases
        )
        if self.track is not None:
            from lossdrill.checker.frameworks.check import track_cases

            cases, expected = track_cases(self.track, cases, expected)
            if self.track.framework == "jax":
                from lossdrill.checker.frameworks.track import gradient_cases, shapes_of

                self.track_box.gradient_shapes = {
                    shapes_of(c.args) for c in gradient_cases(cases, self.track, 0)
                }
        uses = forbidden_uses(source, self.forbidden)
        if uses:  # the reference (or the library's answer) out of reach: nothing is run
            groups = _groups([(c, False) for c in cases])
            return self._result(
                False,
                groups,
                [
                    Diagnosis(
                        "forbidden-import",
                        f"the file uses {describe_uses(uses, source)}; write it yourself",
                    )
                ],
                None,
            )
        loaded = self.sandbox.load("submission", source, spec.function, filename)
        if loaded.status != "ok":
            groups = _groups([(c, False) for c in cases])
            found = forbidden_import(loaded, source) or load_diagnosis(
                loaded, spec.function, source
            )
            return self._result(False, groups, [found], None, output=loaded.output)
        outcomes = self._call(cases)
        runs = [
            Run(c, e, o, self._judge(c, e, o))
            for c, e, o in zip(cases, expected, outcomes, strict=False)
        ]
        if self.track is not None:
            from lossdrill.checker.frameworks.check import track_runs

            runs += track_runs(self, cases, runs)
        groups = _groups([(r.case, r.verdict.ok) for r in runs])
        if all(r.verdict.ok for r in runs):
            return self._result(True, groups, [], None, output=loaded.output)
        diagnoses = forbidden_in_calls([r.outcome for r in runs], source) or self._diagnose(runs)
        failure = self._first_failure(runs)
        sweep = self._sweep(runs, failure) if self.want_sweep else None
        return self._result(False, groups, diagnoses, failure, output=loaded.output, sweep=sweep)

    def _result(
        self,
        passed: bool,
        groups: list[GroupResult],
        diagnoses: list[Diagnosis],
        failure: Failure | None,
        *,
        output: str = "",
        sweep: Sweep | None = None,
    ) -> CheckResult:
        score = float(np.mean([1 - g.failed / g.total for g in groups])) if groups else 0.0
        if not passed and any(
            d.code in ("syntax-error", "missing-function", "forbidden-import") for d in diagnoses
        ):
            score = 0.0
        return CheckResult(
            task=self.spec.id,
            function=self.spec.function,
            passed=passed,
            score=score,
            seed=self.seed,
            groups=tuple(groups),
            diagnoses=tuple(diagnoses),
            first_failure=failure,
            tolerance64=self.spec.tol64,
            tolerance32=self.spec.tol32,
            elapsed_s=time.perf_counter() - self.started,
            output=output,
            sweep=sweep,
            framework=self.track.framework if self.track is not None else "numpy",
        )

    # ----------------------------------------------------------------- calling
    def _build_cases(self) -> tuple[list[Case], list[np.ndarray]]:
        cases = self.spec.cases(self.seed)
        return cases, [self._expected(c) for c in cases]

    def _expected(self, case: Case) -> np.ndarray:
        with np.errstate(all="ignore"):
            value = self.spec.reference()(*case.args, **case.kwargs)
        return np.asarray(value, dtype=np.float64)

    def _call(self, cases: Sequence[Case], slot: str = "submission") -> list[CallOutcomeLike]:
        """Outcomes of every case; after repeated hangs or crashes the rest is skipped.

        Two cases go first; if neither hangs or crashes, the rest go in one round trip.
        Otherwise cases go one at a time until :data:`MAX_HAZARDS` of them did, so an
        endless loop costs a few seconds, not one timeout per case.
        """
        calls = [(c.args, c.kwargs) for c in cases]
        out = list(self.sandbox.call_many(slot, calls[:FIRST_CHUNK]))
        hazards = sum(o.status in HAZARDS for o in out)
        if hazards == 0:
            if len(calls) > FIRST_CHUNK:
                out += self.sandbox.call_many(slot, calls[FIRST_CHUNK:])
            return out
        for i in range(len(out), len(calls)):
            if hazards >= MAX_HAZARDS:
                out += [_NotRun()] * (len(calls) - i)
                break
            outcome = self.sandbox.call_many(slot, calls[i : i + 1])[0]
            hazards += outcome.status in HAZARDS
            out.append(outcome)
        return out

    def _judge(self, case: Case, expected: np.ndarray, outcome: CallOutcomeLike) -> Verdict:
        if self.track is not None:
            from lossdrill.checker.frameworks.check import judge

            return judge(self, case, expected, outcome)
        return self._judge_value(case, expected, outcome)

    def _judge_value(self, case: Case, expected: np.ndarray, outcome: CallOutcomeLike) -> Verdict:
        if outcome.status == "not-run":
            return Verdict("not-run", outcome.message)
        if outcome.status != "ok":
            return Verdict(
                outcome.status, outcome.message or SANDBOX_STATUS.get(outcome.status, "")
            )
        if outcome.mutated:
            names = " and ".join(
                n for n in self.spec.args if n in self.spec.arg_names(outcome.mutated)
            )
            names = names or "an input"
            tol = self.spec.tol32 if case.float32() else self.spec.tol64
            if check_value(outcome.value, expected, self.spec.output, tol).ok:
                return Verdict(
                    "mutates-input",
                    f"returned the right value, but modified {names} "
                    "in place: the caller's array changed",
                )
            return Verdict("mutates-input", f"modified {names} in place")
        value = outcome.value
        if value is None and outcome.value_type not in ("", "NoneType"):
            note = f" ({outcome.message})" if outcome.message else ""
            return Verdict(
                "wrong-type",
                f"returned a {outcome.value_type}{note}; "
                + ("a loss is a float" if self.spec.output == "loss" else "return a NumPy array"),
            )
        tol = self.spec.tol32 if case.float32() else self.spec.tol64
        return check_value(value, expected, self.spec.output, tol)

    def _evaluate(self, cases: Sequence[Case]) -> list[Run]:
        expected = [self._expected(c) for c in cases]
        outcomes = self.sandbox.call_many(
            "submission", [(c.args, c.kwargs) for c in cases], timeout=1.0
        )
        return [
            Run(c, e, o, self._judge(c, e, o))
            for c, e, o in zip(cases, expected, outcomes, strict=False)
        ]

    # ----------------------------------------------------------------- diagnosis
    def _diagnose(self, runs: list[Run]) -> list[Diagnosis]:
        if self.track is not None:
            from lossdrill.checker.frameworks.check import diagnose_track

            return diagnose_track(self.spec, runs, self.sandbox)
        return diagnose(self.spec, runs, self._mutants, self.sandbox)

    def _mutants(self) -> Sequence[Any]:
        bank = self.bank
        try:
            if bank is None:
                from lossdrill.bank.loader import load_banks

                bank = load_banks()
            elif callable(bank) and not hasattr(bank, "implement"):
                bank = bank()
            item = bank.implement(self.spec.id)
        except Exception:  # a broken bank must not break a check; mutants are a bonus
            return ()
        return item.mutants if item is not None else ()

    # ----------------------------------------------------------------- first failure
    def _first_failure(self, runs: list[Run]) -> Failure:
        failed = [r for r in runs if r.failed]
        order = {g: i for i, g in enumerate(GROUPS)}
        failed.sort(key=lambda r: (r.case.is_empty, order.get(r.case.group, 99)))
        first = failed[0]
        if first.case.group not in GROUPS:  # a framework check (gradient, probe): as it is
            return _failure(self.spec, first, False)
        small, shrunk = shrink(self.spec, first, self._evaluate)
        return _failure(self.spec, small, shrunk)

    # ----------------------------------------------------------------- sweep
    def _sweep(self, runs: list[Run], failure: Failure | None) -> Sweep | None:
        """The submission against the reference along the task's sweep.

        Where the task can be swept at more than one label (binary tasks: y = 1 and
        y = 0), the sweep is drawn at the label of the minimal failure when the curves
        part there, otherwise at the label where they part most; the x range is widened
        to reach the minimal failure when it lies outside (logits of 50 on a
        ±40 sweep).
        """
        spec = self.spec.sweep
        if spec is None or any(r.verdict.kind in HAZARDS for r in runs):
            return None
        point = spec.locate(failure.inputs) if spec.locate and failure is not None else None
        xs = _widened(spec.xs, point[1] if point else None)
        labels: list[float | None] = list(spec.labels) or [None]
        if point is not None and point[0] in labels:
            labels.remove(point[0])
            labels.insert(0, point[0])
        best: tuple[int, Sweep] | None = None
        for label in labels:
            x_label, build = spec.at(label)
            sweep = self._sweep_at(x_label, spec.y_label, xs, build)
            parted = _parted(sweep, self.spec.tol64)
            if best is None or parted > best[0]:
                best = (parted, sweep)
            if parted and label == labels[0]:
                break
        if best is None or best[0] == 0 or not any(np.isfinite(best[1].got)):
            return None  # the curves do not part, or there is no curve of yours to draw
        return best[1]

    def _sweep_at(self, x_label: str, y_label: str, xs: Sequence[float], build: Any) -> Sweep:
        inputs = [build(x) for x in xs]
        expected = []
        for args in inputs:
            with np.errstate(all="ignore"):
                e = np.asarray(self.spec.reference()(*args), dtype=np.float64)
            expected.append(float(np.ravel(e)[0]))
        outcomes = self.sandbox.call_many("submission", [(a, {}) for a in inputs], timeout=0.5)
        got = []
        for o in outcomes:
            v = as_real_array(o.value) if o.status == "ok" else None
            got.append(float(np.ravel(v)[0]) if v is not None and v.size else float("nan"))
            if o.status in HAZARDS:
                break
        got += [float("nan")] * (len(expected) - len(got))
        return Sweep(
            task=self.spec.id,
            x_label=x_label,
            y_label=y_label,
            xs=tuple(xs),
            expected=tuple(expected),
            got=tuple(got),
        )


def _widened(xs: Sequence[float], x: float | None) -> tuple[float, ...]:
    """``xs``, or as many points over a range reaching ``x`` (up to 1e4) when it lies outside."""
    lo, hi = xs[0], xs[-1]
    if x is None or not np.isfinite(x) or lo <= x <= hi or abs(x) > 1e4:
        return tuple(xs)
    step = 10.0 ** np.floor(np.log10(abs(x)))
    edge = float(np.ceil(abs(x) * 1.2 / step) * step)
    if lo == -hi:
        lo, hi = -edge, edge
    elif x > hi:
        hi = edge
    else:
        lo = -edge
    return tuple(float(v) for v in np.linspace(lo, hi, len(xs)))


def _parted(sweep: Sweep, tol: Any) -> int:
    """How many points of the sweep differ (a missing value counts where one is due)."""
    n = 0
    for e, g in zip(sweep.expected, sweep.got, strict=False):
        if not values_close(np.asarray(g), np.asarray(e), tol):
            n += 1
    return n


def _groups(results: Sequence[tuple[Case, bool]], examples: int = 3) -> list[GroupResult]:
    totals: dict[str, list[int]] = {}
    failing: dict[str, list[str]] = {}
    for case, ok in results:
        t = totals.setdefault(case.group, [0, 0])
        t[0] += 1
        if not ok:
            t[1] += 1
            names = failing.setdefault(case.group, [])
            if len(names) < examples:
                names.append(case.name)
    order = [*GROUPS, *(g for g in totals if g not in GROUPS)]  # framework groups last
    return [
        GroupResult(g, totals[g][0], totals[g][1], tuple(failing.get(g, ())))
        for g in order
        if g in totals
    ]


def _failure(spec: TaskSpec, run: Run, shrunk: bool) -> Failure:
    case = run.case
    inputs: dict[str, Any] = dict(zip(spec.args, case.args, strict=False))
    inputs.update(case.kwargs)
    dtypes = {name: str(np.asarray(a).dtype) for name, a in zip(spec.args, case.args, strict=False)}
    o = run.outcome
    if o.status == "ok":
        got: Any = o.value
        got_type = type_name(o.value) if o.value is not None else (o.value_type or "NoneType")
    else:
        got, got_type = None, o.status
    expected: Any = run.expected
    if expected.ndim == 0:
        expected = float(expected)
    return Failure(
        group=case.group,
        case=case.name,
        inputs=inputs,
        expected=expected,
        got=got,
        got_type=got_type,
        reason=run.verdict.message or SANDBOX_STATUS.get(run.verdict.kind, run.verdict.kind),
        dtypes=dtypes,
        shrunk=shrunk,
        output=getattr(o, "output", "") or "",
    )
