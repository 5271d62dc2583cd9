r"""Judge a framework submission: the returned tensor, its gradient, its device, its calls.

The value of every case is compared with the hidden NumPy reference as on the NumPy track;
on top of that, for ``torch`` and ``jax``:

- the function must return a tensor (``torch.Tensor`` / ``jax.Array``), 0-d for a loss, of
  the inputs' floating dtype (float32 in, float32 out) on the inputs' device: a Python
  float or NumPy value is ``graph-broken`` (``.item()``, ``float()``, ``.numpy()``), a
  tensor with no ``grad_fn`` though its inputs require grad is ``graph-broken``
  (``.detach()``, ``torch.tensor(...)`` re-wrapping), another dtype is ``dtype-changed``;
- an in-place change of an input (a mutated array, or autograd's leaf error) is
  ``in-place-on-input``;
- the gradient by the framework's autodiff, for every differentiable argument of the
  record, on float64 random cases away from kinks, must match central finite differences
  of the float64 reference,

      ∂/∂x_i Σ w·f(x) ≈ (F(x + h e_i) − F(x − h e_i)) / 2h,  h = 1e-5·(1 + |x_i|),

  (a case is away from a kink when the estimates with h and 2h agree), else
  ``wrong-gradient``; on the stability cases the gradient must be finite wherever the
  reference's is (``non-finite-gradient``);
- PyTorch: a probe call notes tensors made by a factory without ``device=``
  (``device-mismatch``: on a CUDA input they would stay on the CPU);
- JAX: one case under ``jax.jit`` (``not-jittable``: Python control flow on traced values);
- a call of the library loss the task forbids is ``forbidden-import``: read from the source
  before anything runs, by the same check as on the NumPy track
  (:mod:`lossdrill.checker.imports`, with the record's list and the track's together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lossdrill.checker.cases import Case, Run
from lossdrill.checker.frameworks.runner import TRACK_KEY
from lossdrill.checker.result import Diagnosis, Verdict

GRADIENT_CASES = 10
"""Float64 random cases whose gradient is compared with finite differences."""
MAX_GRADIENT_SIZE = 48
"""Only cases whose differentiable inputs have at most this many elements (the finite
differences cost four reference calls per element)."""
GRAD_RTOL = 1e-4
GRAD_ATOL = 1e-6
"""Gradient tolerance at float64: |g − fd| ≤ atol·max(1, max|fd|) + rtol·|fd|."""

CODES = (
    "graph-broken",
    "wrong-gradient",
    "non-finite-gradient",
    "device-mismatch",
    "dtype-changed",
    "in-place-on-input",
    "not-jittable",
    "forbidden-import",
)
"""The verdict kinds of the framework tracks, each also a diagnosis code."""

TENSOR = {"torch": "torch.Tensor", "jax": "jax.Array"}


@dataclass(frozen=True)
class Track:
    """How a framework check runs: the framework, the device, the task's facts."""

    framework: str
    kinds: tuple[str, ...]
    """Each argument's kind (``label`` arguments become int64 tensors)."""
    differentiable: tuple[int, ...]
    """Positions of the arguments whose gradient is checked."""
    device: str = "cpu"
    forbidden: tuple[str, ...] = ()

    def options(self, **extra: Any) -> dict[str, Any]:
        base: dict[str, Any] = {"kinds": list(self.kinds), "device": self.device}
        # torch: cheap, and it exposes a cut graph; jax: one compiled value-and-grad
        base["grad"] = list(self.differentiable)
        base.update(extra)
        return base


def shapes_of(args: Sequence[Any]) -> tuple:
    """The inputs' shapes and dtypes: what one XLA compilation of a JAX call covers."""
    return tuple((np.shape(a), str(np.asarray(a).dtype)) for a in args)


class TrackSandbox:
    """A sandbox whose calls carry the track's options (the worker takes them out)."""

    def __init__(self, sandbox: Any, options: dict[str, Any]) -> None:
        self.sandbox = sandbox
        self.options = options
        self.gradient_shapes: set[tuple] | None = None
        """JAX: the input shapes the gradient runs use. A value case of another shape
        compiles the forward pass only (a third of a value-and-gradient compilation for a
        scan such as CTC's); one of these shapes compiles the value and the gradient once,
        for both runs. None: every call takes the gradient."""

    def load(self, *args: Any, **kwargs: Any) -> Any:
        return self.sandbox.load(*args, **kwargs)

    def call(self, slot: str, args: tuple, kwargs: dict, timeout: float | None = None) -> Any:
        return self.call_many(slot, [(args, kwargs)], timeout)[0]

    def call_many(
        self, slot: str, calls: Sequence[tuple[tuple, dict]], timeout: float | None = None
    ) -> list[Any]:
        shapes = self.gradient_shapes
        forward = {**self.options, "grad": []}
        tagged = [
            (
                tuple(a),
                {
                    **kw,
                    TRACK_KEY: self.options
                    if shapes is None or shapes_of(a) in shapes
                    else forward,
                },
            )
            for a, kw in calls
        ]
        return self.sandbox.call_many(slot, tagged, timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.sandbox, name)


@dataclass(frozen=True)
class GradientOutcome:
    """A gradient case's outcome, shaped like the sandbox's: ``value`` is the gradient."""

    status: str = "ok"
    value: Any = None
    value_type: str = "gradient"
    message: str = ""
    output: str = ""
    mutated: tuple[str, ...] = ()
    line: int | None = None
    track: dict | None = None
    extra: dict = field(default_factory=dict)


# ----------------------------------------------------------------------- the value cases


def want_dtype(case: Case, kinds: Sequence[str]) -> str:
    """The dtype a framework function must return for ``case``: float32 when any input is
    float32 (integer inputs arrive in that dtype too, class indices as int64), else float64."""
    for a, kind in zip(case.args, kinds, strict=False):
        if kind != "label" and np.asarray(a).dtype == np.float32:
            return "float32"
    return "float64"


def judge_call(track: Track, case: Case, outcome: Any, arg_names: Sequence[str]) -> Verdict | None:
    """A framework verdict on a call before its value is compared; None: compare the value."""
    tensor = TENSOR[track.framework]
    if outcome.status == "exception":
        message = outcome.message or ""
        if "leaf Variable that requires grad" in message or "modified by an inplace" in message:
            return Verdict(
                "in-place-on-input",
                f"changed an input tensor in place ({message}); "
                "compute into a new tensor (x = x.clamp(...), not x.clamp_(...))",
            )
        if "expected device" in message or "same device" in message:
            return Verdict("device-mismatch", f"mixed devices: {message}")
        return None
    if outcome.status != "ok":
        return None
    report = outcome.track or {}
    if report.get("jit_error") and report.get("kind") == "tensor":
        return Verdict(
            "not-jittable",
            "fails under jax.jit: Python control flow (if, while, "
            "float(), int()) on a traced value; use jnp.where or lax.cond. "
            + report["jit_error"].splitlines()[0],
        )
    if outcome.mutated:
        names = " and ".join(dict.fromkeys(_names(outcome.mutated, arg_names)))
        return Verdict(
            "in-place-on-input",
            f"modified the input {names} in place (an in-place "
            "method such as add_/clamp_, or an indexed assignment): the caller's "
            "tensor changed",
        )
    kind = report.get("kind", "")
    if kind and kind != "tensor":
        if (kind in ("float", "int") or kind.startswith("numpy.")) and case.is_empty:
            return Verdict(
                "graph-broken",
                f"returned a {outcome.value_type} for the empty batch, "
                f"not a {tensor}: return a 0-d tensor that depends on the input "
                "(the empty loss's .sum() is 0 and keeps the graph)",
            )
        if kind in ("float", "int") or kind.startswith("numpy."):
            return Verdict(
                "graph-broken",
                f"returned a {outcome.value_type}, not a {tensor}: "
                ".item(), float() or .numpy() takes the value out of the graph, so "
                "no gradient can flow back; return the 0-d tensor itself",
            )
        return Verdict("wrong-type", f"returned a {kind}; return a {tensor}")
    if (
        track.framework == "torch"
        and report.get("grad_args")
        and not case.is_empty
        and not report.get("requires_grad", True)
    ):
        return Verdict(
            "graph-broken",
            "the returned tensor does not depend on the inputs in "
            "autograd's eyes (no grad_fn): .detach(), .numpy() or re-wrapping with "
            "torch.tensor(...) cut the graph",
        )
    return None


def judge_tensor(track: Track, case: Case, outcome: Any) -> Verdict | None:
    """After the value passed: the tensor's dtype and device."""
    report = outcome.track or {}
    if report.get("kind") != "tensor":
        return None
    want = want_dtype(case, track.kinds)
    got = report.get("dtype", "")
    if got and got != want and not case.is_empty:
        extra = (
            " (a float64 constant tensor, or torch.from_numpy / np arrays, upcast it)"
            if want == "float32" and got == "float64"
            else ""
        )
        return Verdict(
            "dtype-changed",
            f"{want} in, {got} out{extra}: build constants with "
            "the input's dtype (dtype=x.dtype) or use Python numbers",
        )
    device = report.get("device", "")
    expected_device = "cuda" if track.device == "cuda" else "cpu"
    if device and device != expected_device:
        return Verdict(
            "device-mismatch",
            f"the input was on {expected_device}, the result came back on {device}",
        )
    return None


def _names(mutated: Sequence[str], arg_names: Sequence[str]) -> list[str]:
    out = []
    for name in mutated:
        if name.startswith("arg") and name[3:].isdigit() and int(name[3:]) < len(arg_names):
            out.append(arg_names[int(name[3:])])
        else:
            out.append(name)
    return out


# ----------------------------------------------------------------------- gradients


def weights(shape: tuple[int, ...]) -> np.ndarray:
    """The cotangent of an element-wise output (the runner uses the same)."""
    size = int(np.prod(shape)) if shape else 1
    return np.linspace(0.5, 1.5, size).reshape(shape) if size else np.zeros(shape)


def fd_gradient(
    reference: Any,
    case: Case,
    position: int,
    finite_only: bool = False,
    only: Sequence[tuple[int, ...]] | None = None,
) -> tuple[np.ndarray, bool]:
    """Central finite differences of the float64 reference w.r.t. one argument, and whether
    the point is away from a kink (estimates with h and 2h agree).

    ``finite_only`` (the stability cases, where only the gradient's finiteness is judged):
    one estimate (h), at most :data:`MAX_GRADIENT_SIZE` elements spread evenly over the
    input, nan (not judged) elsewhere; 400 frames of CTC cost 8,000 reference calls in full.
    ``only``: with ``finite_only``, exactly these elements."""
    args = [np.asarray(a) for a in case.args]
    args = [
        a.astype(np.float64) if a.dtype.kind in "biuf" and i == position else a
        for i, a in enumerate(args)
    ]
    x0 = args[position]

    def f(x: np.ndarray) -> float:
        full = list(args)
        full[position] = x
        with np.errstate(all="ignore"):
            v = np.asarray(reference(*full, **case.kwargs), dtype=np.float64)
        return float(np.sum(weights(v.shape) * v)) if v.ndim else float(v)

    g = np.zeros_like(x0, dtype=np.float64)
    g2 = np.zeros_like(g)
    indices = list(np.ndindex(x0.shape)) if only is None else [tuple(i) for i in only]
    if finite_only:
        g[...] = np.nan
        if only is None and len(indices) > MAX_GRADIENT_SIZE:
            spread = np.linspace(0, len(indices) - 1, MAX_GRADIENT_SIZE).round().astype(int)
            indices = [indices[i] for i in dict.fromkeys(spread.tolist())]
    for idx in indices:
        h = 1e-5 * (1.0 + abs(float(x0[idx])))
        for step, out in ((h, g), (2 * h, g2))[: 1 if finite_only else 2]:
            up, down = x0.copy(), x0.copy()
            up[idx] += step
            down[idx] -= step
            out[idx] = (f(up) - f(down)) / (2 * step)
    scale = max(1.0, float(np.max(np.abs(g)))) if g.size and np.all(np.isfinite(g)) else 1.0
    smooth = bool(np.all(np.isfinite(g)) and np.allclose(g, g2, rtol=1e-3, atol=1e-6 * scale))
    return g, smooth


def gradient_cases(cases: Sequence[Case], track: Track, arg_count: int) -> list[Case]:
    """Float64 random cases small enough for finite differences, then the stability cases."""
    picks: list[Case] = []
    for c in cases:
        if c.group != "random" or c.is_empty or want_dtype(c, track.kinds) != "float64":
            continue
        if any(np.asarray(c.args[i]).dtype != np.float64 for i in track.differentiable):
            continue
        if all(np.asarray(c.args[i]).size <= MAX_GRADIENT_SIZE for i in track.differentiable):
            picks.append(c)
        if len(picks) >= 2 * GRADIENT_CASES:
            break
    stability = [
        c
        for c in cases
        if c.group == "stability" and not c.is_empty and want_dtype(c, track.kinds) == "float64"
    ]
    # smallest first: the first failing gradient case is the one shown
    picks.sort(key=lambda c: sum(np.asarray(c.args[i]).size for i in track.differentiable))
    return picks + stability


def gradient_runs(
    track: Track, cases: Sequence[Case], reference: Any, sandbox: Any, arg_names: Sequence[str]
) -> list[Run]:
    """The gradient checks: autodiff in the worker, finite differences here."""
    if not track.differentiable:
        return []
    chosen: list[tuple[Case, list[np.ndarray], bool]] = []
    smooth_count = 0
    for c in gradient_cases(cases, track, len(arg_names)):
        stability = c.group == "stability"
        if not stability and smooth_count >= GRADIENT_CASES:
            continue
        fds, smooth = [], True
        for position in track.differentiable:
            g, ok = fd_gradient(reference, c, position, finite_only=stability)
            fds.append(g)
            smooth = smooth and ok
        if stability or smooth:
            chosen.append((c, fds, stability))
            smooth_count += not stability
    if not chosen:
        return []
    options = {"kinds": list(track.kinds), "grad": list(track.differentiable), "device": "cpu"}
    calls = [(c.args, {**c.kwargs, TRACK_KEY: options}) for c, _, _ in chosen]
    outcomes = sandbox.call_many("submission", calls)
    runs = []
    for (c, fds, stability), o in zip(chosen, outcomes, strict=False):
        if stability and o.status == "ok":
            fds = _fill_nonfinite(reference, c, track, fds, (o.track or {}).get("grads"))
        name = f"gradient, {c.name}"
        case = Case("gradients", name, c.args, c.kwargs)
        expected = fds[0] if len(fds) == 1 else np.concatenate([np.ravel(f) for f in fds])
        verdict, got = _judge_gradient(track, o, fds, stability, arg_names)
        outcome = (
            GradientOutcome(value=got, track=getattr(o, "track", None)) if o.status == "ok" else o
        )
        runs.append(Run(case, expected, outcome, verdict))
    return runs


def _fill_nonfinite(
    reference: Any, case: Case, track: Track, fds: list[np.ndarray], grads: Any
) -> list[np.ndarray]:
    """A sampled stability case: finite differences also at every element where the
    learner's gradient is inf or nan and none was taken, so no such element goes unjudged."""
    if not grads:
        return fds
    out = []
    for position, fd, g in zip(track.differentiable, fds, grads, strict=False):
        g = np.asarray(g, dtype=np.float64)
        if g.shape == fd.shape:
            missing = [tuple(i) for i in np.argwhere(~np.isfinite(g) & np.isnan(fd))]
            if missing:
                extra, _ = fd_gradient(reference, case, position, finite_only=True, only=missing)
                fd = np.where(np.isnan(fd), extra, fd)
        out.append(fd)
    return out


def _judge_gradient(
    track: Track, o: Any, fds: list[np.ndarray], stability: bool, arg_names: Sequence[str]
) -> tuple[Verdict, Any]:
    # no gradient taken is never a pass: the group shows it, and the value cases' verdict
    # (the same kind) names it once
    if o.status != "ok":
        kind = (
            o.status
            if o.status in ("exception", "timeout", "memory", "crash", "exit")
            else "exception"
        )
        ended = {"timeout": "ran out of time", "memory": "ran out of memory"}.get(
            o.status, "failed"
        )
        return Verdict(kind, f"no gradient: the call that takes it {ended} ({o.message})"), None
    report = o.track or {}
    if report.get("kind") != "tensor":
        return Verdict(
            "graph-broken",
            f"no gradient: the function returned a {report.get('kind', 'value')}, not a "
            f"{TENSOR[track.framework]}",
        ), None
    error = report.get("grad_error", "")
    if error and report.get("jit_error"):
        return Verdict(
            "not-jittable",
            "no gradient: jax.grad traces the function as jax.jit does, and the trace fails",
        ), None
    if error:
        if "inplace" in error:
            return Verdict(
                "in-place-on-input", f"autograd could not take the gradient: {error}"
            ), None
        if any(w in error for w in ("Tracer", "Concretization")):
            return Verdict(
                "graph-broken",
                "jax.grad cannot see through float(), .item(), "
                f"np.asarray or a Python if on a traced value: {error.splitlines()[0]}",
            ), None
        if "RESOURCE_EXHAUSTED" in error or "allocate" in error:
            return Verdict("memory", f"taking the gradient ran out of memory: {error}"), None
        return Verdict("exception", f"taking the gradient raised {error}"), None
    grads = report.get("grads")
    positions = report.get("grad_args", [])
    if grads is None or list(positions) != list(track.differentiable):
        return Verdict(
            "graph-broken",
            "no gradient reaches the inputs: .detach() or "
            "re-wrapping with torch.tensor(...) cut the graph",
        ), None
    got = grads[0] if len(grads) == 1 else np.concatenate([np.ravel(g) for g in grads])
    for position, g, fd in zip(track.differentiable, grads, fds, strict=False):
        g = np.asarray(g, dtype=np.float64)
        name = arg_names[position]
        finite = np.isfinite(fd)
        if np.any(finite & ~np.isfinite(g)):
            return Verdict(
                "non-finite-gradient",
                f"the gradient with respect to {name} is "
                "inf or nan where the true gradient is finite: take the gradient "
                "of a stable form (softplus, logsumexp), not of log(sigmoid(z))",
            ), got
        if stability:
            continue
        scale = max(1.0, float(np.max(np.abs(fd)))) if fd.size else 1.0
        if g.shape != fd.shape or not np.all(
            np.abs(g - fd) <= GRAD_ATOL * scale + GRAD_RTOL * np.abs(fd)
        ):
            return Verdict(
                "wrong-gradient",
                f"the values are right, but the gradient with "
                f"respect to {name} is wrong: a clamp, a where, a stop_gradient or "
                "a detach blocks it, or a piece of the loss does not depend on "
                f"{name} the way the formula does",
            ), got
    return Verdict("ok"), got


# ----------------------------------------------------------------------- probes


def probe_runs(track: Track, cases: Sequence[Case], sandbox: Any) -> list[Run]:
    """PyTorch: the device probe (JAX runs every case under jax.jit already)."""
    sample = next((c for c in cases if c.group == "random" and not c.is_empty), None)
    if sample is None or track.framework != "torch":
        return []
    name, options = "device probe (tensors made without device=)", track.options(device="probe")
    o = sandbox.call_many("submission", [(sample.args, {**sample.kwargs, TRACK_KEY: options})])[0]
    verdict = Verdict("ok")
    if track.framework == "torch" and o.status == "ok":
        made = (o.track or {}).get("made_on_cpu", "")
        if made:
            verdict = Verdict(
                "device-mismatch",
                f"makes tensors with {made} without device=: on "
                "a CUDA input they stay on the CPU and the next operation fails; "
                "pass device=x.device (and dtype=x.dtype), or use torch.zeros_like",
            )
    return [Run(Case("framework", name, sample.args, sample.kwargs), np.asarray(0.0), o, verdict)]


# ----------------------------------------------------------------------- diagnoses


def track_diagnoses(runs: Sequence[Run]) -> list[Diagnosis]:
    """One diagnosis per framework verdict kind, in :data:`CODES` order."""
    by_kind: dict[str, list[Run]] = {}
    for r in runs:
        if r.failed and r.verdict.kind in CODES:
            by_kind.setdefault(r.verdict.kind, []).append(r)
    out = []
    for code in CODES:
        rs = by_kind.get(code)
        if rs:
            names = ", ".join(f"“{n}”" for n in list(dict.fromkeys(r.case.name for r in rs))[:2])
            out.append(
                Diagnosis(
                    code,
                    f"{rs[0].verdict.message} ({len(rs)} case"
                    f"{'s' if len(rs) > 1 else ''}, e.g. {names})",
                )
            )
    return out
