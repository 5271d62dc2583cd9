"""The PyTorch and JAX tracks of the 17 issue-15 tasks (their records in questions/implement/).

For every task and framework the staged solution is run here, in the test process, the way
the framework checker's worker runs it (tensors of the case's dtype, class indices as int64;
JAX under jax.jit with numeric hyperparameters traced), and compared with the hidden NumPy
reference of lossdrill.references:

- values at float64 on random valid inputs (several hyperparameter settings), and at float32
  (the result stays float32, and is a 0-d tensor for a loss);
- the autodiff gradient (torch.autograd.grad / jax.grad) of every differentiable argument
  against central finite differences of the float64 reference, computed here, on inputs
  where the estimates with steps h and 2h agree (away from kinks);
- extreme inputs (logits of ±1e4, equal rewards, zero variances, an embedding on its class
  centre, −inf log-probabilities, …): the value equals the reference and the gradient is
  finite wherever the finite-difference gradient of the reference is.

Besides, each entry has the record's shape (differentiable names among the NumPy task's
arguments, the same signature as the staged NumPy solution, three hints, a debrief) and no
solution calls a name its own forbidden list names (the checker's own resolver).
"""

from __future__ import annotations

import inspect
import math
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import losses_2026
import numpy as np
import pytest
import yaml
from conftest import framework_module

from lossdrill.checker.imports import forbidden_uses as forbidden_calls

NEW_TASKS = tuple(losses_2026.TASK_FUNCTIONS)
_RECORDS = {
    item["id"]: item
    for path in sorted(
        (Path(__file__).resolve().parents[1] / "questions" / "implement").glob("*.yaml")
    )
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]
    if item["id"] in NEW_TASKS
}
STAGED = {task: _RECORDS[task] for task in NEW_TASKS}
"""The records of the 17 tasks (their NumPy function and solution)."""
TRACKS: dict[str, Any] = {
    task: {"differentiable": item["differentiable"], "tracks": item["tracks"]}
    for task, item in STAGED.items()
}
"""Each record's framework tracks, as written in questions/implement/*.yaml."""
REFERENCES = losses_2026.FUNCTIONS
FRAMEWORKS = ("torch", "jax")

Case = tuple[tuple[Any, ...], dict[str, Any]]

# ----------------------------------------------------------------------------- the cases


def _log_softmax(z: np.ndarray) -> np.ndarray:
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def _masked_ce(rng: np.random.Generator) -> list[Case]:
    logits = 2.0 * rng.standard_normal((2, 3, 4))
    targets = rng.integers(0, 4, (2, 3))
    targets[0, 1] = targets[1, 2] = -100
    zero_ignored = targets.copy()
    zero_ignored[zero_ignored == -100] = 2
    return [((logits, targets), {}), ((logits, zero_ignored), {"ignore_index": 0})]


def _kd(rng: np.random.Generator) -> list[Case]:
    s, t = 2.0 * rng.standard_normal((3, 4)), 2.0 * rng.standard_normal((3, 4))
    return [((s, t), {}), ((s, t), {"temperature": 1.0}), ((s, t), {"temperature": 0.5})]


def _z_loss(rng: np.random.Generator) -> list[Case]:
    z = 3.0 * rng.standard_normal((3, 5))
    return [((z,), {}), ((z,), {"weight": 1.0})]


def _moe(rng: np.random.Generator) -> list[Case]:
    return [((2.0 * rng.standard_normal((6, 4)),), {}), ((rng.standard_normal((2, 3, 3)),), {})]


def _dpo(rng: np.random.Generator) -> list[Case]:
    logps = tuple(-5.0 + 3.0 * rng.standard_normal(5) for _ in range(4))
    return [(logps, {}), (logps, {"beta": 1.0})]


def _ppo(rng: np.random.Generator) -> list[Case]:
    new, old, adv = (
        0.4 * rng.standard_normal(6),
        0.4 * rng.standard_normal(6),
        rng.standard_normal(6),
    )
    return [
        ((new, old, adv), {}),
        ((new, old, adv), {"clip_eps": 0.1}),
        ((new, old, adv), {"clip_eps": 0.5}),
    ]


def _grpo(rng: np.random.Generator) -> list[Case]:
    r = rng.standard_normal((3, 4))
    return [((r,), {}), ((r,), {"eps": 1.0}), ((r[:, :1],), {})]


def _gaussian_nll(rng: np.random.Generator) -> list[Case]:
    y, mu = rng.standard_normal(5), rng.standard_normal(5)
    var = rng.uniform(0.2, 2.0, 5)
    return [
        ((y, mu, var), {}),
        ((y, mu, var), {"full": True}),
        ((y, mu, var), {"full": 1}),
        ((y, mu, var[:1]), {"eps": 0.1}),
    ]


def _vae_kl(rng: np.random.Generator) -> list[Case]:
    return [((rng.standard_normal((3, 4)), rng.standard_normal((3, 4))), {})]


def _tversky(rng: np.random.Generator) -> list[Case]:
    y = rng.integers(0, 2, (3, 4)).astype(float)
    p = rng.uniform(0.05, 0.95, (3, 4))
    return [((y, p), {}), ((y, p), {"alpha": 0.5, "beta": 0.5, "smooth": 0.0})]


def _sgns(rng: np.random.Generator) -> list[Case]:
    u, v = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    return [((u, v, rng.standard_normal((4, 2, 3))), {}), ((u, v, np.zeros((4, 0, 3))), {})]


def _arcface(rng: np.random.Generator) -> list[Case]:
    w = rng.standard_normal((4, 3))
    labels = rng.integers(0, 4, 5)
    x = w[labels] + 0.7 * rng.standard_normal((5, 3))
    return [((x, w, labels), {"scale": 4.0, "margin": 0.3}), ((x, w, labels), {})]


def _batch_hard(rng: np.random.Generator) -> list[Case]:
    labels = rng.permutation(np.array([0, 0, 1, 1, 2, 2, 3]))
    x = rng.standard_normal((7, 2))
    return [((x, labels), {}), ((x, labels), {"margin": 1.0})]


def _ctc(rng: np.random.Generator) -> list[Case]:
    lp = _log_softmax(2.0 * rng.standard_normal((6, 5)))
    return [
        ((lp, rng.integers(1, 5, 3)), {}),
        ((lp, np.array([1, 1, 2])), {}),
        ((lp, rng.integers(0, 4, 2)), {"blank": 4}),
        ((lp, np.zeros(0, dtype=np.int64)), {}),
    ]


def _listnet(rng: np.random.Generator) -> list[Case]:
    return [
        ((rng.standard_normal((3, 5)), rng.standard_normal((3, 5))), {}),
        ((rng.standard_normal(4), 2.0 * rng.standard_normal(4)), {}),
    ]


def _listmle(rng: np.random.Generator) -> list[Case]:
    rel = rng.integers(0, 3, (3, 5)).astype(float)  # ties: kept in index order
    return [
        ((rng.standard_normal((3, 5)), rel), {}),
        ((rng.standard_normal(4), rng.standard_normal(4)), {}),
    ]


def _gan_d(rng: np.random.Generator) -> list[Case]:
    return [((2.0 * rng.standard_normal(5), 2.0 * rng.standard_normal(3)), {})]


SAMPLERS: dict[str, Callable[[np.random.Generator], list[Case]]] = {
    "masked-ce": _masked_ce, "kd": _kd, "z-loss": _z_loss, "moe-balance": _moe, "dpo": _dpo,
    "ppo-clip": _ppo, "grpo-adv": _grpo, "gaussian-nll": _gaussian_nll, "vae-kl": _vae_kl,
    "tversky": _tversky, "sgns": _sgns, "arcface": _arcface, "batch-hard-triplet": _batch_hard,
    "ctc": _ctc, "listnet": _listnet, "listmle": _listmle, "gan-d": _gan_d,
}  # fmt: skip

LABELS = {"masked-ce": {1}, "arcface": {2}, "batch-hard-triplet": {1}, "ctc": {1}}
"""Argument positions that are class indices (int64 tensors, as the checker passes them)."""


def _extreme(task: str) -> list[Case]:
    """Inputs at the contract's extremes; the true gradient is finite at each."""
    big = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]])
    if task == "masked-ce":
        t = np.array([[0, 1], [2, -100]])
        return [
            ((np.stack([big, -big]), t), {}),
            ((np.stack([big, -big]), np.full((2, 2), -100)), {}),
        ]
    if task == "kd":
        return [((big, -big), {"temperature": 1.0}), ((big, big[::-1]), {})]
    if task == "z-loss":
        return [((big,), {}), ((big,), {"weight": 1.0})]
    if task == "moe-balance":
        return [
            ((big,), {}),
            ((np.array([[1e4, 0.0, -1e4], [0.0, 1e4, 3.0], [-1e4, 1.0, 2.0]]),), {}),
        ]
    if task == "dpo":
        h = np.array([1e5, -1e5, 0.0])
        return [
            ((h, np.zeros(3), np.zeros(3), np.zeros(3)), {}),
            ((np.zeros(3), h, h, np.zeros(3)), {"beta": 1.0}),
        ]
    if task == "ppo-clip":
        return [
            (
                (
                    np.array([20.0, -20.0, 19.0, -19.0]),
                    np.zeros(4),
                    np.array([1.0, 1.0, -1.0, -1.0]),
                ),
                {},
            )
        ]
    if task == "grpo-adv":
        return [
            ((np.array([[1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]),), {}),
            ((np.array([[1e6, -1e6, 3.0]]),), {"eps": 1e-8}),
        ]
    if task == "gaussian-nll":
        y = np.array([0.0, 1e3, -2.0, 0.5])
        return [
            ((y, np.zeros(4), np.array([0.0, 1.0, 1e-9, 1e6])), {}),
            ((y, np.ones(4), np.array([0.0, 0.0, 2.0, 3.0])), {"eps": 1e-3, "full": True}),
        ]
    if task == "vae-kl":
        return [
            ((np.array([[0.0, 100.0], [1.0, -3.0]]), np.array([[50.0, -50.0], [-50.0, 50.0]])), {})
        ]
    if task == "tversky":
        z = np.zeros((2, 3))
        return [
            ((z, z), {"smooth": 0.0}),
            ((np.ones((2, 3)), np.ones((2, 3))), {"smooth": 0.0}),
            # a tiny denominator (1e-100: JAX's −a/b² gradient underflows below ~1e-154)
            ((z, np.full((2, 3), 1e-100)), {"smooth": 0.0}),
        ]
    if task == "sgns":
        u = np.array([[100.0, 0.0], [0.0, -100.0]])
        return [((u, -u, np.stack([u, -u], axis=1)), {}), ((u, u, np.stack([-u, u], axis=1)), {})]
    if task == "arcface":
        w = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]])
        x = np.array([[1.0, 0.2], [-0.3, 1.0], [0.5, -1.0]])
        on_centre = np.array([[2.0, 0.0], [0.0, 3.0], [-0.5, 0.0]])  # cos θ_y = 1 exactly
        return [
            ((x, w, np.array([0, 1, 2])), {"scale": 1e4}),
            ((on_centre, w, np.array([0, 1, 2])), {"scale": 64.0}),
            ((x, w, np.array([2, 0, 1])), {"scale": 800.0, "margin": 1.0}),
        ]
    if task == "batch-hard-triplet":
        far = np.array([[1e6, 0.0], [1e6 + 1.0, 0.0], [1e6 + 3.0, 0.0], [1e6 + 3.5, 0.0]])
        duplicate = np.array([[0.0, 0.0], [0.0, 0.0], [0.5, 0.0], [2.0, 1.0]])
        return [
            ((far, np.array([0, 0, 1, 1])), {}),
            ((duplicate, np.array([0, 0, 1, 1])), {}),
            ((duplicate, np.array([0, 1, 2, 3])), {}),
        ]
    if task == "ctc":
        lp = _log_softmax(np.array([[0.0, 1e4, -1e4, 0.0]] * 4 + [[1e4, 0.0, 0.0, -1e4]] * 2))
        with_inf = _log_softmax(np.random.default_rng(3).standard_normal((5, 4)))
        with_inf[:, 3] = -np.inf  # a class no frame can emit
        return [
            ((lp, np.array([1, 1])), {}),
            ((with_inf, np.array([1, 2])), {}),
            ((lp[:2], np.array([1, 1])), {}),
        ]  # no alignment: inf
    if task in ("listnet", "listmle"):
        return [((big, np.array([[1e4, 0.0, -1e4], [3.0, 2.0, 1.0]])), {}), ((-big, big), {})]
    if task == "gan-d":
        return [
            ((np.array([1e4, -1e4, 0.0]), np.array([-1e4, 1e4])), {}),
            ((np.zeros(0), np.array([1e4, 2.0])), {}),
        ]
    raise KeyError(task)


def _empty(task: str) -> Case:
    return {
        "masked-ce": ((np.zeros((0, 3, 4)), np.zeros((0, 3), dtype=np.int64)), {}),
        "kd": ((np.zeros((0, 4)), np.zeros((0, 4))), {}),
        "z-loss": ((np.zeros((0, 4)),), {}),
        "moe-balance": ((np.zeros((0, 4)),), {}),
        "dpo": ((np.zeros(0),) * 4, {}),
        "ppo-clip": ((np.zeros(0),) * 3, {}),
        "grpo-adv": ((np.zeros((0, 4)),), {}),
        "gaussian-nll": ((np.zeros(0),) * 3, {}),
        "vae-kl": ((np.zeros((0, 3)), np.zeros((0, 3))), {}),
        "tversky": ((np.zeros(0), np.zeros(0)), {}),
        "sgns": ((np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 2, 3))), {}),
        "arcface": ((np.zeros((0, 3)), np.eye(3), np.zeros(0, dtype=np.int64)), {}),
        "batch-hard-triplet": ((np.zeros((0, 3)), np.zeros(0, dtype=np.int64)), {}),
        "ctc": ((np.zeros((0, 4)), np.zeros(0, dtype=np.int64)), {}),
        "listnet": ((np.zeros((0, 4)), np.zeros((0, 4))), {}),
        "listmle": ((np.zeros((0, 4)), np.zeros((0, 4))), {}),
        "gan-d": ((np.zeros(0), np.zeros(0)), {}),
    }[task]


# ----------------------------------------------------------------------------- running


def _solution(task: str, framework: str) -> Callable[..., Any]:
    source = TRACKS[task]["tracks"][framework]["solution"]
    module = types.ModuleType(f"track_{framework}_{task.replace('-', '_')}")
    exec(compile(source, f"<{task} {framework} solution>", "exec"), module.__dict__)  # noqa: S102
    return getattr(module, STAGED[task]["function"])


def _reference(task: str, args: tuple, kwargs: dict) -> np.ndarray:
    call = [
        np.asarray(a, dtype=np.float64) if i not in LABELS.get(task, ()) else a
        for i, a in enumerate(args)
    ]
    with np.errstate(all="ignore"):
        return np.asarray(REFERENCES[STAGED[task]["function"]](*call, **kwargs), dtype=np.float64)


def _positions(task: str) -> list[int]:
    names = list(inspect.signature(REFERENCES[STAGED[task]["function"]]).parameters)
    return [names.index(n) for n in TRACKS[task]["differentiable"]]


def _cotangent(shape: tuple[int, ...]) -> np.ndarray:
    size = math.prod(shape)
    return np.linspace(0.5, 1.5, size).reshape(shape) if size else np.zeros(shape)


def _inputs(task: str, args: tuple, dtype: Any) -> list[np.ndarray]:
    out = []
    for i, a in enumerate(args):
        a = np.asarray(a)
        out.append(a.astype(np.int64) if i in LABELS.get(task, ()) else a.astype(dtype))
    return out


def run(
    task: str,
    framework: str,
    args: tuple,
    kwargs: dict,
    dtype: Any = np.float64,
    grad: bool = False,
) -> tuple[np.ndarray, str, tuple, list[np.ndarray] | None]:
    """(value as float64, the result's dtype name, its shape, the gradients of Σ w·f w.r.t.
    the differentiable arguments or None), the solution called on tensors of ``dtype``."""
    fn = _solution(task, framework)
    arrays = _inputs(task, args, dtype)
    positions = _positions(task) if grad else []
    if framework == "torch":
        torch = framework_module("torch")
        tensors = [torch.from_numpy(a.copy()) for a in arrays]
        for i in positions:
            tensors[i].requires_grad_(True)
        out = fn(*tensors, **kwargs)
        assert isinstance(out, torch.Tensor), type(out)
        grads = None
        if positions:
            w = torch.from_numpy(_cotangent(tuple(out.shape))).to(out.dtype)
            got = torch.autograd.grad(
                (out * w).sum(), [tensors[i] for i in positions], allow_unused=True
            )
            grads = [
                np.zeros(tensors[i].shape) if g is None else g.double().numpy()
                for i, g in zip(positions, got, strict=True)
            ]
        for before, t in zip(arrays, tensors, strict=True):  # inputs left as they were
            np.testing.assert_array_equal(before, t.detach().numpy())
        return (
            out.detach().double().numpy(),
            str(out.dtype).replace("torch.", ""),
            tuple(out.shape),
            grads,
        )
    jax = framework_module("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy
    # as the checker's worker: numbers traced, anything else (a bool) compiled in
    traced = {k: v for k, v in kwargs.items() if type(v) in (int, float)}
    static = {k: v for k, v in kwargs.items() if k not in traced}

    def value_and_grads(xs: tuple, kw: dict) -> tuple:
        def scalar(*diff: Any) -> tuple:
            full = list(xs)
            for i, x in zip(positions, diff, strict=True):
                full[i] = x
            o = jnp.asarray(fn(*full, **kw, **static))
            return jnp.sum(o * jnp.asarray(_cotangent(tuple(o.shape)), dtype=o.dtype)), o

        if not positions:
            return jnp.asarray(fn(*xs, **kw, **static)), ()
        (_, o), g = jax.value_and_grad(scalar, argnums=tuple(range(len(positions))), has_aux=True)(
            *[xs[i] for i in positions]
        )
        return o, g

    out, g = jax.jit(value_and_grads)(tuple(jnp.asarray(a) for a in arrays), traced)
    assert isinstance(out, jax.Array), type(out)
    grads = [np.asarray(x, dtype=np.float64) for x in g] if positions else None
    return np.asarray(out, dtype=np.float64), str(out.dtype), tuple(out.shape), grads


def fd_gradient(task: str, args: tuple, kwargs: dict, position: int) -> tuple[np.ndarray, bool]:
    """Central differences of Σ w·reference w.r.t. one argument; whether steps h and 2h agree."""
    base = [np.array(a, dtype=np.float64) if i == position else a for i, a in enumerate(args)]
    x0 = base[position]

    def f(x: np.ndarray) -> float:
        full = list(base)
        full[position] = x
        try:
            v = _reference(task, tuple(full), kwargs)
        except ValueError:  # a step left the domain (a negative variance): no estimate
            return math.nan
        return float(np.sum(_cotangent(v.shape) * v))

    g, g2 = np.zeros_like(x0), np.zeros_like(x0)
    for idx in np.ndindex(x0.shape):
        h = 1e-5 * (1.0 + abs(float(x0[idx])))
        for step, out in ((h, g), (2 * h, g2)):
            up, down = x0.copy(), x0.copy()
            with np.errstate(invalid="ignore"):  # −inf + h
                up[idx] += step
                down[idx] -= step
            out[idx] = (f(up) - f(down)) / (2 * step)
    finite = bool(np.all(np.isfinite(g)))
    scale = max(1.0, float(np.max(np.abs(g)))) if g.size and finite else 1.0
    return g, finite and bool(np.allclose(g, g2, rtol=1e-3, atol=1e-6 * scale))


def _is_loss(task: str) -> bool:
    return task != "grpo-adv"


def _cases(task: str, seeds: range = range(3)) -> list[Case]:
    return [c for seed in seeds for c in SAMPLERS[task](np.random.default_rng(1000 + seed))]


PAIRS = [(task, fw) for task in sorted(TRACKS) for fw in FRAMEWORKS]
IDS = [f"{task}-{fw}" for task, fw in PAIRS]


# ----------------------------------------------------------------------------- the tests


def test_every_staged_task_has_both_tracks() -> None:
    assert set(TRACKS) == set(STAGED) == set(SAMPLERS)
    for task, entry in TRACKS.items():
        assert set(entry) == {"differentiable", "tracks"}, task
        assert set(entry["tracks"]) == set(FRAMEWORKS), task


@pytest.mark.parametrize(("task", "framework"), PAIRS, ids=IDS)
def test_track_has_the_record_format(task: str, framework: str) -> None:
    entry, item = TRACKS[task], STAGED[task]
    text = entry["tracks"][framework]
    assert set(text) == {"solution", "hints", "debrief", "forbidden"}
    assert len(text["hints"]) == 3 and all(isinstance(h, str) and h.strip() for h in text["hints"])
    assert isinstance(text["debrief"], str) and len(text["debrief"].split()) >= 30
    assert isinstance(text["forbidden"], list)
    assert f"import {framework}" in text["solution"]
    # the signature of the NumPy task: the same names and defaults
    numpy_ns: dict[str, Any] = {}
    exec(compile(item["solution"], "<numpy solution>", "exec"), numpy_ns)  # noqa: S102
    want = inspect.signature(numpy_ns[item["function"]])
    got = inspect.signature(_solution(task, framework))
    assert [(p.name, p.default) for p in got.parameters.values()] == [
        (p.name, p.default) for p in want.parameters.values()
    ]
    assert entry["differentiable"] and set(entry["differentiable"]) <= set(want.parameters)
    # the checker's resolver finds none of the forbidden names in the solution
    assert forbidden_calls(text["solution"], text["forbidden"]) == []
    for name in text["forbidden"]:
        assert "." in name and " " not in name, name


def test_forbidden_resolver_sees_the_library_losses() -> None:
    """The forbidden lists catch the library call the task asks for (the checker's resolver)."""
    cases = {
        (
            "masked-ce",
            "torch",
        ): "import torch.nn.functional as F\nF.cross_entropy(x, t, ignore_index=-100)\n",
        (
            "kd",
            "torch",
        ): "from torch.nn import functional as F\nF.kl_div(a, b, reduction='batchmean')\n",
        ("ctc", "torch"): "import torch\ntorch.nn.functional.ctc_loss(a, b, c, d)\n",
        ("ctc", "jax"): "import optax\noptax.ctc_loss(a, b, c, d)\n",
        (
            "gaussian-nll",
            "torch",
        ): "import torch.nn.functional as F\nF.gaussian_nll_loss(m, y, v)\n",
        ("batch-hard-triplet", "torch"): "import torch\ntorch.nn.TripletMarginLoss()(a, p, n)\n",
        ("listnet", "jax"): "import optax\noptax.softmax_cross_entropy(s, r)\n",
    }
    for (task, framework), source in cases.items():
        assert forbidden_calls(source, TRACKS[task]["tracks"][framework]["forbidden"]), task


@pytest.mark.parametrize(("task", "framework"), PAIRS, ids=IDS)
def test_values_match_the_reference_at_float64(task: str, framework: str) -> None:
    for args, kwargs in [*_cases(task), _empty(task)]:
        want = _reference(task, args, kwargs)
        got, dtype, shape, _ = run(task, framework, args, kwargs)
        assert dtype == "float64", (task, kwargs)
        assert shape == (() if _is_loss(task) else want.shape), (task, shape)
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9, err_msg=f"{task} {kwargs}")


@pytest.mark.parametrize(("task", "framework"), PAIRS, ids=IDS)
def test_values_match_the_reference_at_float32(task: str, framework: str) -> None:
    for args, kwargs in _cases(task, range(2)):
        low = tuple(
            a if i in LABELS.get(task, ()) else np.asarray(a, dtype=np.float32)
            for i, a in enumerate(args)
        )
        want = _reference(task, low, kwargs)  # the float32 inputs, computed in float64
        got, dtype, shape, _ = run(task, framework, low, kwargs, dtype=np.float32)
        assert dtype == "float32", (task, kwargs, dtype)
        assert shape == (() if _is_loss(task) else want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6, err_msg=f"{task} {kwargs}")


@pytest.mark.parametrize(("task", "framework"), PAIRS, ids=IDS)
def test_gradient_matches_finite_differences(task: str, framework: str) -> None:
    checked = 0
    for args, kwargs in _cases(task, range(4)):
        fds, smooth = [], True
        for position in _positions(task):
            g, ok = fd_gradient(task, args, kwargs, position)
            fds.append(g)
            smooth = smooth and ok
        if not smooth:
            continue  # at a kink (an argmax or clip boundary): no gradient to compare
        _, _, _, grads = run(task, framework, args, kwargs, grad=True)
        assert grads is not None
        for name, g, fd in zip(TRACKS[task]["differentiable"], grads, fds, strict=True):
            scale = max(1.0, float(np.max(np.abs(fd)))) if fd.size else 1.0
            assert g.shape == fd.shape, (task, name)
            assert np.all(np.abs(g - fd) <= 1e-6 * scale + 1e-4 * np.abs(fd)), (
                task,
                framework,
                name,
                kwargs,
                g,
                fd,
            )
        checked += 1
    assert checked >= 4, f"only {checked} smooth gradient cases for {task}"


@pytest.mark.parametrize(("task", "framework"), PAIRS, ids=IDS)
def test_extreme_inputs_give_the_value_and_a_finite_gradient(task: str, framework: str) -> None:
    for args, kwargs in _extreme(task):
        want = _reference(task, args, kwargs)
        got, _, _, grads = run(task, framework, args, kwargs, grad=True)
        np.testing.assert_allclose(got, want, rtol=1e-7, atol=1e-9, err_msg=f"{task} {kwargs}")
        assert grads is not None
        for name, position, g in zip(
            TRACKS[task]["differentiable"], _positions(task), grads, strict=True
        ):
            fd, _ = fd_gradient(task, args, kwargs, position)
            finite = np.isfinite(fd)
            if np.all(np.isfinite(want)) and fd.size:
                assert finite.any(), (task, name, "the case should have a finite gradient")
            assert np.all(np.isfinite(g[finite])), (task, framework, name, kwargs, g, fd)


def test_tracks_parse_as_part_of_a_record(tmp_path: Path) -> None:
    """Spliced into an existing record (bce's, whose differentiable argument is `logits`),
    each entry's `tracks:` passes the bank parser and comes back as written."""
    from lossdrill.bank.parse import parse_file

    bank = yaml.safe_load(
        (
            Path(__file__).resolve().parents[1] / "questions" / "implement" / "classification.yaml"
        ).read_text(encoding="utf-8")
    )
    base = next(item for item in bank["items"] if item["id"] == "bce")
    items = []
    for task, entry in sorted(TRACKS.items()):
        items.append({**base, "id": f"bce-{task}", "tracks": entry["tracks"]})
    path = tmp_path / "spliced.yaml"
    path.write_text(
        yaml.safe_dump(
            {"bank": "spliced", "description": "tracks of 2026", "items": items}, allow_unicode=True
        ),
        encoding="utf-8",
    )
    errors: list = []
    parsed = {item.id: item for item in parse_file(path, errors)}
    assert errors == []
    for task, entry in TRACKS.items():
        record = parsed[f"bce-{task}"].record
        for framework in FRAMEWORKS:
            text, want = record.tracks[framework], entry["tracks"][framework]
            assert text.solution == want["solution"] and list(text.hints) == want["hints"]
            assert list(text.forbidden) == want["forbidden"]
