"""The reference contract for the 17 losses of issue 15, beyond the shared one that
tests/test_references_contract.py checks for every registered reference: names, the issue's
argument names and defaults, docstring sections, keyword-only hyperparameters, float results, empty batches
without warnings, no mutation, float32 inputs, and an import that loads only NumPy."""

from __future__ import annotations

import inspect
import subprocess
import sys
import warnings

import losses_2026
import numpy as np
import pytest
from reference_contract import assert_float32_gives_float64_value, assert_never_writes

TASK_FUNCTIONS = losses_2026.TASK_FUNCTIONS
# The issue's argument names, in order (hyperparameters with their defaults).
SIGNATURES = {
    "masked_lm_cross_entropy": ("logits", "targets", ("ignore_index", -100)),
    "distillation_loss": ("student_logits", "teacher_logits", ("temperature", 2.0)),
    "z_loss": ("logits", ("weight", 1e-4)),
    "load_balancing_loss": ("router_logits",),
    "dpo_loss": ("policy_chosen_logps", "policy_rejected_logps", "ref_chosen_logps",
                 "ref_rejected_logps", ("beta", 0.1)),
    "ppo_clip_loss": ("logp_new", "logp_old", "advantages", ("clip_eps", 0.2)),
    "grpo_advantages": ("rewards", ("eps", 1e-4)),
    "gaussian_nll_loss": ("y_true", "mean", "var", ("eps", 1e-6), ("full", False)),
    "gaussian_kl": ("mu", "logvar"),
    "tversky_loss": ("y_true", "y_prob", ("alpha", 0.3), ("beta", 0.7), ("smooth", 1.0)),
    "sgns_loss": ("center", "context", "negatives"),
    "arcface_loss": ("embeddings", "weights", "labels", ("scale", 64.0), ("margin", 0.5)),
    "batch_hard_triplet_loss": ("embeddings", "labels", ("margin", 0.3)),
    "ctc_loss": ("log_probs", "targets", ("blank", 0)),
    "listnet_loss": ("scores", "relevance"),
    "listmle_loss": ("scores", "relevance"),
    "gan_discriminator_loss": ("real_logits", "fake_logits"),
}  # fmt: skip
FUNCTIONS = losses_2026.FUNCTIONS

# name -> (ordinary arguments, empty-batch arguments)
SAMPLES = losses_2026.samples(np.random.default_rng(0).standard_normal)
ELEMENTWISE = {"grpo_advantages"}
LOSSES = sorted(set(FUNCTIONS) - ELEMENTWISE)


def test_the_modules_export_exactly_the_17_task_functions_of_the_issue():
    assert set(FUNCTIONS) == set(TASK_FUNCTIONS.values()) == set(SIGNATURES) == set(SAMPLES)
    assert len(FUNCTIONS) == 17
    for name, fn in FUNCTIONS.items():
        assert fn.__name__ == name


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_argument_names_and_defaults_are_the_issues(name):
    params = list(inspect.signature(FUNCTIONS[name]).parameters.values())
    spec = SIGNATURES[name]
    assert len(params) == len(spec)
    for param, want in zip(params, spec, strict=True):
        if isinstance(want, tuple):
            assert (param.name, param.default) == want
            assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}({param.name})"
            assert type(param.default) is type(want[1])
        else:
            assert param.name == want
            assert param.default is inspect.Parameter.empty


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_docstring_gives_formula_shapes_and_reference(name):
    doc = inspect.getdoc(FUNCTIONS[name])
    assert doc is not None
    for section in ("Args:", "Returns:", "References:"):
        assert section in doc, f"{name} docstring lacks {section}"
    # the formula: a line with "=" before the Args section
    head = doc.split("Args:")[0]
    assert any("=" in line for line in head.splitlines()[1:]), name
    # a paper with its year, or the library whose semantics are copied
    references = doc.split("References:")[1]
    assert any(str(year) in references for year in range(1990, 2026)), name


@pytest.mark.parametrize("name", LOSSES)
def test_loss_returns_a_finite_python_float(name):
    value = FUNCTIONS[name](*SAMPLES[name][0])
    assert type(value) is float
    assert np.isfinite(value)


@pytest.mark.parametrize("name", LOSSES)
def test_loss_of_an_empty_batch_is_zero_without_warnings(name):
    _, empty = SAMPLES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = FUNCTIONS[name](*empty)
        lists = FUNCTIONS[name](*(np.asarray(a).tolist() for a in empty))
    assert type(value) is float and value == 0.0
    assert lists == 0.0


def test_grpo_returns_a_float64_array_of_the_rewards_shape():
    args, empty = SAMPLES["grpo_advantages"]
    value = FUNCTIONS["grpo_advantages"](*args)
    assert isinstance(value, np.ndarray) and value.dtype == np.float64
    assert value.shape == args[0].shape
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert FUNCTIONS["grpo_advantages"](*empty).shape == (0, 4)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_reference_never_writes_into_its_inputs(name):
    assert_never_writes(FUNCTIONS[name], SAMPLES[name][0])


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_float32_inputs_give_the_float64_value_of_the_same_numbers(name):
    assert_float32_gives_float64_value(FUNCTIONS[name], SAMPLES[name][0])


def test_importing_the_new_modules_loads_no_scipy_or_torch():
    code = (
        "import sys\n"
        "from lossdrill.references import language, listwise, metric, preference\n"
        "from lossdrill.references import probabilistic, segmentation, sequence\n"
        "print(sorted(m for m in ('scipy', 'torch', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
