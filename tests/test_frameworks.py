"""The framework tracks: each diagnosis proved by a mutant, run through the real checker in a
real sandbox worker that imports PyTorch or JAX.

Expected gradients in these tests come from the checker's finite differences of the NumPy
reference; the solutions here are written independently of lossdrill's own track texts.
"""

from __future__ import annotations

import os
import textwrap

import pytest

from lossdrill.checker.engine import run_check
from lossdrill.checker.sandbox import Sandbox
from tests.conftest import framework_module


def _box(framework: str) -> Sandbox:
    from lossdrill.checker.frameworks import sandbox_options

    framework_module(framework)
    box = Sandbox(**sandbox_options(framework))
    box.start()
    return box


@pytest.fixture(scope="module")
def torch_box():
    box = _box("torch")
    yield box
    box.close()


@pytest.fixture(scope="module")
def jax_box():
    box = _box("jax")
    yield box
    box.close()


def _check(box: Sandbox, task: str, source: str, framework: str):
    return run_check(task, textwrap.dedent(source), sandbox=box, framework=framework, sweep=False)


TORCH_BCE = """
import torch
import torch.nn.functional as F


def binary_ce_with_logits(y_true, logits):
    y = y_true.to(logits.dtype)
    loss = {expr}
    return {ret}
"""
GOOD_EXPR = "F.softplus(logits) - y * logits"
GOOD_RET = "loss.mean() if loss.numel() else loss.sum()"


def torch_bce(expr: str = GOOD_EXPR, ret: str = GOOD_RET) -> str:
    return TORCH_BCE.format(expr=expr, ret=ret)


def test_torch_solution_passes_with_gradients(torch_box) -> None:
    result = _check(torch_box, "bce", torch_bce(), "torch")
    assert result.passed, result.diagnoses
    names = {g.name: g for g in result.groups}
    assert names["gradients"].total >= 5 and names["gradients"].failed == 0
    assert result.framework == "torch"
    assert result.to_json()["framework"] == "torch"


@pytest.mark.parametrize(
    ("expr", "ret", "code"),
    [
        (GOOD_EXPR, "loss.mean().item() if loss.numel() else 0.0", "graph-broken"),
        (GOOD_EXPR, "loss.mean().detach() if loss.numel() else loss.sum()", "graph-broken"),
        (GOOD_EXPR, "torch.tensor(loss.mean().tolist()) if loss.numel() else loss.sum()",
         "graph-broken"),
        # the values are right, the label term's gradient is gone
        ("F.softplus(logits) - y * logits.detach()", GOOD_RET, "wrong-gradient"),
        # torch.where evaluates both branches: exp(1e4) = inf makes the gradient nan
        ("torch.where(logits > 0, logits + torch.log1p(torch.exp(-logits)), "
         "torch.log1p(torch.exp(logits))) - y * logits", GOOD_RET, "non-finite-gradient"),
        (GOOD_EXPR + " + torch.zeros(logits.shape[0] if logits.ndim else 1)", GOOD_RET,
         "device-mismatch"),
        (GOOD_EXPR, "(loss.mean() if loss.numel() else loss.sum()).double()", "dtype-changed"),
        ("F.binary_cross_entropy_with_logits(logits, y, reduction='none')", GOOD_RET,
         "forbidden-import"),
        ("(F.softplus(logits) - y * logits).sum() * 0 + F.softplus(logits) - y * logits",
         "loss.sum() if loss.numel() else loss.sum()", "wrong-reduction"),
    ],
)
def test_torch_mutants_are_named(torch_box, expr: str, ret: str, code: str) -> None:
    result = _check(torch_box, "bce", torch_bce(expr, ret), "torch")
    assert not result.passed
    assert code in result.codes, (code, result.diagnoses)


def test_torch_in_place_on_input(torch_box) -> None:
    leaf = torch_bce("F.softplus(logits.clamp_(-1e5, 1e5)) - y * logits")
    assert "in-place-on-input" in _check(torch_box, "bce", leaf, "torch").codes
    label = torch_bce("F.softplus(logits) - y_true.mul_(1.0).mul_(1.0) * logits * 0 - y * logits")
    result = _check(torch_box, "bce", label.replace("y_true.mul_(1.0).mul_(1.0)", "y_true.add_(1)"),
                    "torch")
    assert "in-place-on-input" in result.codes


def test_torch_graph_broken_first_failure_is_small(torch_box) -> None:
    result = _check(torch_box, "bce", torch_bce(ret="loss.mean().item() if loss.numel() else 0.0"),
                    "torch")
    assert result.codes[0] == "graph-broken"
    failure = result.first_failure
    assert failure is not None and failure.group in ("edge", "dtypes", "params", "random")
    assert sum(getattr(v, "size", 1) for v in failure.inputs.values()) <= 4


def test_torch_huge_allocation_is_memory_and_no_process_is_left(torch_box) -> None:
    source = torch_bce(expr="torch.empty(10**11) + 0 if logits.numel() else logits")
    torch_box.start()
    pid = torch_box.worker_pid
    assert pid is not None
    result = _check(torch_box, "bce", source, "torch")
    assert "memory" in result.codes
    torch_box.close()
    with pytest.raises(ProcessLookupError):  # the worker that ran out of memory is gone
        os.kill(pid, 0)
    with pytest.raises(ProcessLookupError):  # and so is its process group
        os.killpg(pid, 0)
    torch_box.start()


JAX_BCE = """
import jax
import jax.numpy as jnp


def binary_ce_with_logits(y_true, logits):
    y = y_true.astype(logits.dtype)
{body}
"""


def jax_bce(body: str) -> str:
    return JAX_BCE.format(body=textwrap.indent(textwrap.dedent(body), "    "))


JAX_GOOD = """
loss = jax.nn.softplus(logits) - y * logits
return jnp.mean(loss) if loss.size else jnp.sum(loss)
"""


def test_jax_solution_passes(jax_box) -> None:
    result = _check(jax_box, "bce", jax_bce(JAX_GOOD), "jax")
    assert result.passed, result.diagnoses
    assert {g.name: g.failed for g in result.groups}["gradients"] == 0


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("loss = jax.nn.softplus(logits) - y * logits\n"
         "return float(jnp.mean(loss)) if loss.size else 0.0", "graph-broken"),
        ("loss = jax.nn.softplus(logits) - y * logits\n"
         "if loss.size and jnp.max(logits) > 1e6:\n    loss = loss * 2\n"
         "return jnp.mean(loss) if loss.size else jnp.sum(loss)", "not-jittable"),
        ("loss = jax.nn.softplus(logits) - y * jax.lax.stop_gradient(logits)\n"
         "return jnp.mean(loss) if loss.size else jnp.sum(loss)", "wrong-gradient"),
        ("loss = jax.nn.softplus(logits) - y * logits\n"
         "return (jnp.mean(loss) if loss.size else jnp.sum(loss)).astype(jnp.float64)",
         "dtype-changed"),
    ],
)
def test_jax_mutants_are_named(jax_box, body: str, code: str) -> None:
    result = _check(jax_box, "bce", jax_bce(body), "jax")
    assert not result.passed
    assert code in result.codes, (code, result.diagnoses)


def test_jax_forbidden_library_loss_is_named_even_when_it_cannot_load(jax_box) -> None:
    source = jax_bce("import optax\nreturn jnp.mean(optax.sigmoid_binary_cross_entropy(logits, y))")
    result = _check(jax_box, "bce", source, "jax")
    assert "forbidden-import" in result.codes
