"""The framework tracks: each diagnosis proved by a mutant, run through the real checker in a
real sandbox worker that imports PyTorch or JAX.

Expected gradients in these tests come from the checker's finite differences of the NumPy
reference; the solutions here are written independently of lossdrill's own track texts.
"""

from __future__ import annotations

import os
import textwrap

import pytest
from conftest import framework_module

from lossdrill.checker.engine import run_check
from lossdrill.checker.sandbox import Sandbox


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
        (
            GOOD_EXPR,
            "torch.tensor(loss.mean().tolist()) if loss.numel() else loss.sum()",
            "graph-broken",
        ),
        # the values are right, the label term's gradient is gone
        ("F.softplus(logits) - y * logits.detach()", GOOD_RET, "wrong-gradient"),
        # torch.where evaluates both branches: exp(1e4) = inf makes the gradient nan
        (
            "torch.where(logits > 0, logits + torch.log1p(torch.exp(-logits)), "
            "torch.log1p(torch.exp(logits))) - y * logits",
            GOOD_RET,
            "non-finite-gradient",
        ),
        (
            GOOD_EXPR + " + torch.zeros(logits.shape[0] if logits.ndim else 1)",
            GOOD_RET,
            "device-mismatch",
        ),
        (GOOD_EXPR, "(loss.mean() if loss.numel() else loss.sum()).double()", "dtype-changed"),
        (
            "F.binary_cross_entropy_with_logits(logits, y, reduction='none')",
            GOOD_RET,
            "forbidden-import",
        ),
        (
            "(F.softplus(logits) - y * logits).sum() * 0 + F.softplus(logits) - y * logits",
            "loss.sum() if loss.numel() else loss.sum()",
            "wrong-reduction",
        ),
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
    result = _check(
        torch_box, "bce", label.replace("y_true.mul_(1.0).mul_(1.0)", "y_true.add_(1)"), "torch"
    )
    assert "in-place-on-input" in result.codes


def test_torch_graph_broken_first_failure_is_small(torch_box) -> None:
    result = _check(
        torch_box, "bce", torch_bce(ret="loss.mean().item() if loss.numel() else 0.0"), "torch"
    )
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
        (
            "loss = jax.nn.softplus(logits) - y * logits\n"
            "return float(jnp.mean(loss)) if loss.size else 0.0",
            "graph-broken",
        ),
        (
            "loss = jax.nn.softplus(logits) - y * logits\n"
            "if loss.size and jnp.max(logits) > 1e6:\n    loss = loss * 2\n"
            "return jnp.mean(loss) if loss.size else jnp.sum(loss)",
            "not-jittable",
        ),
        (
            "loss = jax.nn.softplus(logits) - y * jax.lax.stop_gradient(logits)\n"
            "return jnp.mean(loss) if loss.size else jnp.sum(loss)",
            "wrong-gradient",
        ),
        (
            "loss = jax.nn.softplus(logits) - y * logits\n"
            "return (jnp.mean(loss) if loss.size else jnp.sum(loss)).astype(jnp.float64)",
            "dtype-changed",
        ),
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


FOCAL_NUMPY = """
import numpy as np


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = np.asarray(y_true, dtype=float)
    z = np.asarray(logits, dtype=float)
    if y.size == 0:
        return 0.0
    ce = np.logaddexp(0.0, z) - y * z
    p = np.exp(-np.logaddexp(0.0, -z))
    p_t = y * p + (1 - y) * (1 - p)
    a_t = y * alpha + (1 - y) * (1 - alpha)
    return float(np.mean(a_t * (1 - p_t) ** gamma * ce))
"""


def test_numpy_track_imports_neither_framework(tmp_path) -> None:
    """The CLI process (fake torch/jax packages on its path leave a mark when imported) and
    the worker (asked from inside) import neither framework for a NumPy check."""
    import json
    import subprocess

    from drive import lossdrill_command

    fake = tmp_path / "fake"
    for name in ("torch", "jax"):
        (fake / name).mkdir(parents=True)
        (fake / name / "__init__.py").write_text(
            f"open({str(tmp_path / (name + '.imported'))!r}, 'w').close()\n"
        )
    solution = tmp_path / "focal.py"
    solution.write_text(FOCAL_NUMPY)
    env = {**os.environ, "PYTHONPATH": str(fake), "LOSSDRILL_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [*lossdrill_command(), "implement", "focal", "--check", "--json", "--file", str(solution)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["framework"] == "numpy"
    assert not (tmp_path / "torch.imported").exists()
    assert not (tmp_path / "jax.imported").exists()

    with Sandbox() as box:
        probe = "import sys\n\ndef f(x):\n    return [float(m in sys.modules) for m in ('torch', 'jax')]\n"
        assert box.load("probe", probe, "f").status == "ok"
        assert box.call("probe", (1.0,), {}).value == [0.0, 0.0]


def test_missing_extra_names_the_install_command(tmp_path) -> None:
    """Without the extra (hidden here by a path entry that makes it unimportable), the
    command says which pip command installs it and exits 2."""
    import subprocess

    from drive import lossdrill_command

    block = tmp_path / "block"
    block.mkdir()
    # a `jax` that cannot be found: a sitecustomize removes it from the import system
    (block / "sitecustomize.py").write_text(
        "import sys\n"
        "class _Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'jax':\n"
        "            raise ModuleNotFoundError(name)\n"
        "        return None\n"
        "sys.meta_path.insert(0, _Block())\n"
    )
    solution = tmp_path / "focal.py"
    solution.write_text(FOCAL_NUMPY)
    env = {**os.environ, "PYTHONPATH": str(block), "LOSSDRILL_HOME": str(tmp_path / "home")}
    done = subprocess.run(
        [
            *lossdrill_command(),
            "implement",
            "focal",
            "--check",
            "--framework",
            "jax",
            "--file",
            str(solution),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "error:" in done.stderr and "pip install 'lossdrill[jax]'" in done.stderr
    assert "Traceback" not in done.stderr
    done = subprocess.run(
        [*lossdrill_command(), "config", "framework", "jax"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "pip install 'lossdrill[jax]'" in done.stderr


def test_config_saves_the_default_track(tmp_path) -> None:
    import subprocess

    from drive import lossdrill_command

    framework_module("torch")
    env = {**os.environ, "LOSSDRILL_HOME": str(tmp_path / "home")}
    run = [*lossdrill_command(), "config"]
    assert (
        "framework = numpy" in subprocess.run(run, env=env, capture_output=True, text=True).stdout
    )
    saved = subprocess.run([*run, "framework", "torch"], env=env, capture_output=True, text=True)
    assert saved.returncode == 0 and "framework = torch" in saved.stdout
    assert (
        subprocess.run([*run, "framework"], env=env, capture_output=True, text=True).stdout.strip()
        == "torch"
    )
    bad = subprocess.run([*run, "framework", "tensorflow"], env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and "must be one of numpy, torch, jax" in bad.stderr
    solution = tmp_path / "bce.py"
    solution.write_text(torch_bce())
    done = subprocess.run(
        [*lossdrill_command(), "implement", "bce", "--check", "--json", "--file", str(solution)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    import json

    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["framework"] == "torch"


def test_device_cuda_without_a_gpu_says_so(tmp_path) -> None:
    import subprocess

    from drive import lossdrill_command

    torch = framework_module("torch")
    if torch.cuda.is_available():  # pragma: no cover - CUDA machines run check_cuda.sh
        return
    solution = tmp_path / "bce.py"
    solution.write_text(torch_bce())
    done = subprocess.run(
        [
            *lossdrill_command(),
            "implement",
            "bce",
            "--check",
            "--framework",
            "torch",
            "--device",
            "cuda",
            "--file",
            str(solution),
        ],
        env={**os.environ, "LOSSDRILL_HOME": str(tmp_path / "home")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "no CUDA device" in done.stderr


def test_a_nan_gradient_in_one_element_of_a_long_sequence_is_found(torch_box) -> None:
    """The stability cases' finite differences are sampled (48 elements of CTC's 400 x 5
    log-probabilities); an element where the learner's gradient is nan is judged anyway."""
    from lossdrill.bank.tasks import builtin_tasks

    solution = builtin_tasks()["ctc"].record.tracks["torch"].solution
    mutant = solution.replace("def ctc_loss(", "def _ctc_loss(") + textwrap.dedent(
        """

        def ctc_loss(log_probs, targets, blank=0):
            out = _ctc_loss(log_probs, targets, blank=blank)
            if log_probs.shape[0] > 100 and log_probs.shape[1] > 2:  # long sequences only
                x = log_probs[-2, 2]  # flat index 5*T - 3: not among the 48 sampled
                out = out + 0.0 * torch.sqrt(x - x.detach())
            return out
        """
    )
    result = _check(torch_box, "ctc", mutant, "torch")
    assert not result.passed
    assert "non-finite-gradient" in result.codes, [(d.code, d.message) for d in result.diagnoses]
    assert _check(torch_box, "ctc", solution, "torch").passed


def test_an_endless_loop_is_a_timeout_without_a_gradient_call_each(torch_box) -> None:
    """After the value cases hang, no gradient or probe call is made: each would wait for
    its own time-out (25 gradient cases of focal once took 100 s in all)."""
    source = """
    import torch

    def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
        while True:
            pass
    """
    result = _check(torch_box, "focal", source, "torch")
    assert not result.passed and result.codes[0] == "timeout", result.codes
    groups = {g.name for g in result.groups}
    assert "gradients" not in groups and "framework" not in groups, groups
