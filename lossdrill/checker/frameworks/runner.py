"""The worker side of the framework tracks: tensors in, a value and a report out.

The sandbox's worker (:mod:`lossdrill.checker.worker`, an isolated script) loads this file
by path when it is started for a framework track, *before* any limit or confinement is
applied, and calls :func:`prepare` (which imports PyTorch or JAX and pins their thread
pools) and then :func:`call` for every case. Like the worker, it imports only the standard
library, NumPy and the framework: learner code must not reach the rest of lossdrill.

``call(function, args, kwargs, options)`` converts the case's NumPy inputs to tensors
(``torch.Tensor`` / ``jax.Array``) of the case's dtype, on ``options["device"]``, calls the
learner's function and, for the argument positions in ``options["grad"]``, takes the
gradient with the framework's own autodiff: ``torch.autograd.grad`` / ``jax.grad`` of the
loss, or of ``Σ w·f(x)`` with ``w = linspace(0.5, 1.5)`` for an element-wise function (a
vector-Jacobian product the checker repeats with finite differences of the reference).
The report holds only plain values (strings, booleans, numbers, NumPy arrays).
"""

from __future__ import annotations

import os
from typing import Any

TRACK_KEY = "__lossdrill_track__"
"""The keyword the checker passes a call's track options under (taken out before the call)."""

_framework = ""
_torch: Any = None  # set by prepare(): the framework is imported only for its track
_jax: Any = None
_jnp: Any = None


def prepare(framework: str, threads: int = 1, cache_dir: str = "") -> str:
    """Import ``framework`` with its thread pools pinned to ``threads``; its version.

    ``cache_dir``: JAX keeps its compiled executables there between checks (XLA's
    persistent compilation cache), so an unchanged function is not compiled again."""
    global _framework, _torch, _jax, _jnp
    n = str(threads)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = n
    if framework == "torch":
        import torch

        torch.set_num_threads(threads)
        torch.set_num_interop_threads(threads)
        # one warm-up through autograd, so the first case does not pay for it
        x = torch.ones(2, dtype=torch.float64, requires_grad=True)
        torch.autograd.grad((x * x).sum(), (x,))
        _torch = torch
        version = str(torch.__version__)
    elif framework == "jax":
        os.environ["JAX_PLATFORMS"] = "cpu"
        os.environ["XLA_FLAGS"] = (
            "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=" + n
        )
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)  # float64 cases stay float64
        if cache_dir:
            jax.config.update("jax_compilation_cache_dir", cache_dir)
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        _jax, _jnp = jax, jnp
        version = str(jax.__version__)
    else:
        raise ValueError(f"unknown framework {framework!r}")
    _framework = framework
    return version


def _weights(shape: tuple, np):
    size = 1
    for d in shape:
        size *= d
    return np.linspace(0.5, 1.5, size).reshape(shape) if size else np.zeros(shape)


def call(function, args: tuple, kwargs: dict, options: dict):
    """``(value, report)`` of one call; exceptions of the learner's code propagate.

    A framework allocator's out-of-memory error becomes a ``MemoryError`` (the ``memory``
    verdict), with the learner's frames kept.
    """
    try:
        if _framework == "torch":
            return _torch_call(function, args, kwargs, options)
        return _jax_call(function, args, kwargs, options)
    except RuntimeError as error:
        text = str(error)
        if (
            "can't allocate memory" in text
            or "RESOURCE_EXHAUSTED" in text
            or ("Out of memory" in text)
        ):
            raise MemoryError(text[:300]).with_traceback(error.__traceback__) from None
        raise


_FACTORIES = (
    "zeros",
    "ones",
    "empty",
    "full",
    "arange",
    "linspace",
    "logspace",
    "eye",
    "tensor",
    "as_tensor",
    "rand",
    "randn",
    "randint",
    "from_numpy",
    "zeros_like",
    "ones_like",
)


def _device_probe():
    """A torch function mode that notes every tensor (of one element or more dimensions)
    made by a factory without ``device=``: on a CUDA input such a tensor stays on the CPU
    and the next operation with the input fails. A 0-d tensor is exempt (PyTorch moves
    CPU scalars itself); ``*_like`` factories follow their argument's device."""
    torch = _torch
    from torch.overrides import TorchFunctionMode

    plain = {getattr(torch, name) for name in _FACTORIES if not name.endswith("_like")}

    class Probe(TorchFunctionMode):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            if (
                func in plain
                and kwargs.get("device") is None
                and isinstance(out, torch.Tensor)
                and out.ndim > 0
            ):
                self.found.append(f"torch.{func.__name__}")
            return out

    return Probe()


def _float_dtype(args, kinds, np):
    """float32 when any floating input is float32, else float64."""
    for i, a in enumerate(args):
        kind = kinds[i] if i < len(kinds) else "real"
        if kind != "label" and getattr(a, "dtype", None) == np.float32:
            return np.float32
    return np.float64


def _as_inputs(args, kinds, np) -> list:
    """The NumPy arrays tensors are made from: class indices as int64, other integer inputs
    as the case's float dtype (float32 when any input is float32, else float64), and so are
    float64 inputs beside a float32 one (the checker's one-argument-in-another-dtype cases:
    a framework loss gets tensors of one dtype, as a model hands them over)."""
    target = _float_dtype(args, kinds, np)
    out = []
    for i, array in enumerate(args):
        kind = kinds[i] if i < len(kinds) else "real"
        a = np.asarray(array)
        if kind == "label":
            a = a if a.dtype == np.int64 else a.astype(np.int64)
        elif a.dtype.kind in "biu" or (a.dtype.kind == "f" and a.dtype != target):
            a = a.astype(target)
        out.append(a)
    return out


def _describe(out, tensor_type) -> dict:
    kind = type(out)
    if isinstance(out, tensor_type):
        return {"kind": "tensor"}
    return {
        "kind": f"{kind.__module__}.{kind.__name__}"
        if kind.__module__ not in ("builtins",)
        else kind.__name__
    }


def _torch_call(function, args, kwargs, options):
    import numpy as np

    torch = _torch
    device = options.get("device", "cpu")
    kinds = options.get("kinds", ())
    wanted = set(options.get("grad", ()))
    tensors = []
    for i, base in enumerate(_as_inputs(args, kinds, np)):
        # from_numpy shares memory with the worker's copy: an in-place change of an input
        # shows up in the worker's mutation check
        t = torch.from_numpy(base)
        if device not in ("cpu", "probe"):
            t = t.to(device)
        if i in wanted and t.is_floating_point():
            t.requires_grad_(True)
        tensors.append(t)
    if device == "probe":
        probe = _device_probe()
        with probe:
            out = function(*tensors, **kwargs)
        return None, {"kind": "probe", "made_on_cpu": ", ".join(dict.fromkeys(probe.found))}
    out = function(*tensors, **kwargs)
    report = _describe(out, torch.Tensor)
    if report["kind"] != "tensor":
        return out, report
    report.update(
        dtype=str(out.dtype).replace("torch.", ""),
        device=out.device.type,
        shape=list(out.shape),
        requires_grad=bool(out.requires_grad),
    )
    positions = [i for i in sorted(wanted) if tensors[i].requires_grad]
    inputs = [tensors[i] for i in positions]
    report["grad_args"] = positions
    if inputs and out.requires_grad:
        try:
            if out.ndim == 0:
                grads = torch.autograd.grad(out, inputs, allow_unused=True)
            else:
                w = torch.from_numpy(_weights(tuple(out.shape), np)).to(out.dtype).to(out.device)
                grads = torch.autograd.grad(out, inputs, grad_outputs=w, allow_unused=True)
            report["grads"] = [
                np.zeros(t.shape) if g is None else g.detach().cpu().double().numpy() for g in grads
            ]
        except Exception as error:  # noqa: BLE001 - reported to the checker
            report["grad_error"] = f"{type(error).__name__}: {error}"[:500]
    value = out.detach().cpu().numpy()
    return value, report


_compiled: dict = {}
"""jax.jit wrappers by (function, hyperparameters, differentiable positions): a shape seen
before reuses its compiled executable."""


def _tracer_error(error: BaseException) -> bool:
    name = type(error).__name__
    return "Tracer" in name or "Concretization" in name


_static: set = set()
"""Functions (by id) that branch on a hyperparameter in Python: their hyperparameters are
compiled in as constants (one compilation per value) instead of traced."""


def _jitted(function, kwargs: dict, wanted: tuple, traced: bool):
    """The compiled value-and-gradient of ``function``: ``jitted(xs, kw)``.

    ``traced``: the hyperparameters are arguments of the compiled function (one compilation
    per input shape, whatever their values); otherwise constants (one per value)."""
    import numpy as np

    jax, jnp = _jax, _jnp
    static = () if traced else tuple(sorted(kwargs.items()))
    try:
        key = (id(function), tuple(sorted(kwargs)), static, wanted)
        hash(key)
    except TypeError:
        key = None
    if key is not None and key in _compiled:
        return _compiled[key][1]
    if any(kept is not function for kept, _ in _compiled.values()):
        _compiled.clear()  # another submission: its executables are of no more use
    constants = dict(kwargs)

    def value_and_grads(xs, kw):
        params = kw if traced else constants
        if not wanted:
            return function(*xs, **params), ()

        def scalar(*diff):
            full = list(xs)
            for i, x in zip(wanted, diff, strict=True):
                full[i] = x
            o = jnp.asarray(function(*full, **params))
            w = jnp.asarray(_weights(tuple(o.shape), np), dtype=o.dtype)
            return (jnp.sum(o * w) if o.ndim else o), o

        grad = jax.value_and_grad(scalar, argnums=tuple(range(len(wanted))), has_aux=True)
        (_, out), grads = grad(*[xs[i] for i in wanted])
        return out, grads

    compiled = jax.jit(value_and_grads)
    if key is not None:
        _compiled[key] = (function, compiled)  # the function is kept alive with its id
    return compiled


def _with_defaults(function, kwargs: dict, positional: int) -> dict:
    """``kwargs`` with the function's own number defaults filled in for the hyperparameters
    a case leaves out: the same call, and one compilation per input shape whichever of
    them a case passes (XLA compiles once per set of argument names)."""
    import inspect

    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return kwargs
    out = dict(kwargs)
    for p in parameters[positional:]:
        if (
            p.name not in out
            and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
            and type(p.default) in (int, float)
        ):
            out[p.name] = p.default
    return out


def _run_jitted(function, arrays: list, kwargs: dict, wanted: tuple):
    """Hyperparameters traced when they are plain numbers and the function allows it."""
    kwargs = _with_defaults(function, kwargs, len(arrays))
    traceable = id(function) not in _static and all(
        type(v) in (int, float) for v in kwargs.values()
    )
    if traceable and kwargs:
        try:
            return _jitted(function, kwargs, wanted, True)(tuple(arrays), dict(kwargs))
        except Exception as error:
            if not _tracer_error(error):
                raise
            _static.add(id(function))  # a Python branch on a hyperparameter: constants
    return _jitted(function, kwargs, wanted, False)(tuple(arrays), {})


def _jax_call(function, args, kwargs, options):
    """Under ``jax.jit``, value and gradient in one compiled call; a function that cannot be
    traced (Python control flow or float() on a traced value) runs eagerly, and the report
    says why jit failed."""
    import numpy as np

    jax, jnp = _jax, _jnp
    kinds = options.get("kinds", ())
    arrays = [jnp.asarray(a) for a in _as_inputs(args, kinds, np)]
    wanted = tuple(
        i
        for i in sorted(set(options.get("grad", ())))
        if jnp.issubdtype(arrays[i].dtype, jnp.floating)
    )
    report: dict = {}
    try:
        out, grads = _run_jitted(function, arrays, kwargs, wanted)
    except Exception as error:
        if not _tracer_error(error):
            raise
        report["jit_error"] = f"{type(error).__name__}: {error}"[:500]
        out, grads = function(*arrays, **kwargs), None
        if wanted:
            report["grad_error"] = report["jit_error"]
    described = _describe(out, jax.Array)
    described.update(report)
    report = described
    if report["kind"] != "tensor":
        return out, report
    report.update(
        dtype=str(out.dtype),
        device="cpu",
        shape=list(out.shape),
        requires_grad=True,
        grad_args=list(wanted),
    )
    if grads is not None and wanted:
        report["grads"] = [np.asarray(g, dtype=np.float64) for g in grads]
    return np.asarray(out), report
