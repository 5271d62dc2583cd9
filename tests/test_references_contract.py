"""The shared contract of every reference: names, return types, empty batches, no mutation,
keyword-only hyperparameters, documented conventions and a light import."""

from __future__ import annotations

import inspect
import subprocess
import sys
import warnings

import losses_2026
import numpy as np
import pytest
from reference_contract import assert_float32_gives_float64_value, assert_never_writes

from lossdrill.bank.tasks import builtin_tasks
from lossdrill.references import REFERENCES

DESIGN_TASK_FUNCTIONS = {
    "mse_loss", "mae_loss", "huber_loss", "quantile_loss", "sigmoid", "softmax",
    "binary_ce_with_logits", "categorical_ce_with_logits", "focal_loss", "hinge_loss",
    "triplet_loss", "contrastive_loss", "kl_divergence", "mse_gradient", "mae_gradient",
    "binary_ce_gradient", "categorical_ce_gradient",
}  # fmt: skip
EXTRA_FUNCTIONS = {
    "log_cosh_loss", "huber_gradient", "log_softmax", "label_smoothing_ce",
    "weighted_bce_with_logits", "multiclass_hinge_loss", "poisson_nll_with_log_input",
    "cosine_embedding_loss", "margin_ranking_loss", "bpr_loss", "dice_loss", "info_nce_loss",
    "clip_loss", "nt_xent_loss",
    # issue 15
    "masked_lm_cross_entropy", "distillation_loss", "z_loss", "load_balancing_loss", "dpo_loss",
    "ppo_clip_loss", "grpo_advantages", "gaussian_nll_loss", "gaussian_kl", "tversky_loss",
    "sgns_loss", "arcface_loss", "batch_hard_triplet_loss", "ctc_loss", "listnet_loss",
    "listmle_loss", "gan_discriminator_loss",
}  # fmt: skip
ELEMENTWISE = {
    "sigmoid", "softmax", "log_softmax", "mse_gradient", "mae_gradient", "huber_gradient",
    "binary_ce_gradient", "categorical_ce_gradient",
}  # fmt: skip

_rng = np.random.default_rng(0)
_v = _rng.standard_normal(6)
_w = _rng.standard_normal(6)
_b = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0])
_pm = 2 * _b - 1
_m = _rng.standard_normal((4, 3))
_onehot = np.eye(3)[[0, 2, 1, 1]]
_labels = np.array([0, 2, 1, 1])
_e1, _e2, _e3 = (_rng.standard_normal((4, 5)) for _ in range(3))
_dist = np.full((4, 3), 1 / 3)
_empty = np.zeros(0)
_empty_rows = np.zeros((0, 3))
_empty_labels = np.zeros(0, dtype=np.intp)

# name -> (ordinary arguments, empty-batch arguments)
SAMPLES: dict[str, tuple[tuple, tuple]] = {
    "mse_loss": ((_v, _w), (_empty, _empty)),
    "mae_loss": ((_v, _w), (_empty, _empty)),
    "huber_loss": ((_v, _w), (_empty, _empty)),
    "quantile_loss": ((_v, _w), (_empty, _empty)),
    "log_cosh_loss": ((_v, _w), (_empty, _empty)),
    "poisson_nll_with_log_input": ((np.abs(_v), _w), (_empty, _empty)),
    "sigmoid": ((_v,), (_empty,)),
    "softmax": ((_m,), (_empty_rows,)),
    "log_softmax": ((_m,), (_empty_rows,)),
    "binary_ce_with_logits": ((_b, _v), (_empty, _empty)),
    "weighted_bce_with_logits": ((_b, _v), (_empty, _empty)),
    "categorical_ce_with_logits": ((_onehot, _m), (_empty_rows, _empty_rows)),
    "label_smoothing_ce": ((_labels, _m), (_empty_labels, _empty_rows)),
    "focal_loss": ((_b, _v), (_empty, _empty)),
    "hinge_loss": ((_pm, _v), (_empty, _empty)),
    "squared_hinge_loss": ((_pm, _v), (_empty, _empty)),
    "multiclass_hinge_loss": ((_labels, _m), (_empty_labels, _empty_rows)),
    "dice_loss": ((_b, np.abs(_w) / 3), (_empty, _empty)),
    "kl_divergence": ((_dist, np.eye(3)[[0, 1, 2, 0]] * 0.5 + 0.5 / 3), (_empty_rows, _empty_rows)),
    "triplet_loss": ((_e1, _e2, _e3), (np.zeros((0, 5)),) * 3),
    "contrastive_loss": ((_e1, _e2, _b[:4]), (np.zeros((0, 5)), np.zeros((0, 5)), _empty)),
    "cosine_embedding_loss": ((_e1, _e2, _pm[:4]), (np.zeros((0, 5)), np.zeros((0, 5)), _empty)),
    "info_nce_loss": ((_e1, _e2), (np.zeros((0, 5)),) * 2),
    "clip_loss": ((_e1, _e2), (np.zeros((0, 5)),) * 2),
    "nt_xent_loss": ((_e1, _e2), (np.zeros((0, 5)),) * 2),
    "margin_ranking_loss": ((_v, _w, _pm), (_empty, _empty, _empty)),
    "bpr_loss": ((_v, _w), (_empty, _empty)),
    "mse_gradient": ((_v, _w), (_empty, _empty)),
    "mae_gradient": ((_v, _w), (_empty, _empty)),
    "huber_gradient": ((_v, _w), (_empty, _empty)),
    "binary_ce_gradient": ((_b, _v), (_empty, _empty)),
    "categorical_ce_gradient": ((_onehot, _m), (_empty_rows, _empty_rows)),
}

# the losses interviews ask in 2026 (issue 15), registered with the others
SAMPLES.update(losses_2026.samples(_rng.standard_normal))
ELEMENTWISE = ELEMENTWISE | {"grpo_advantages"}
LOSSES = sorted(set(REFERENCES) - ELEMENTWISE)


def test_references_cover_exactly_the_task_functions():
    assert set(REFERENCES) >= DESIGN_TASK_FUNCTIONS | EXTRA_FUNCTIONS
    assert set(REFERENCES) == {item.function for item in builtin_tasks().values()}
    assert set(SAMPLES) == set(REFERENCES)
    for name, fn in REFERENCES.items():
        assert fn.__name__ == name


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_docstring_gives_formula_shapes_and_reference(name):
    doc = inspect.getdoc(REFERENCES[name])
    assert doc is not None
    for section in ("Args:", "Returns:", "References:"):
        assert section in doc, f"{name} docstring lacks {section}"


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_hyperparameters_are_keyword_only(name):
    for param in inspect.signature(REFERENCES[name]).parameters.values():
        if param.default is not inspect.Parameter.empty:
            assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{name}({param.name})"


@pytest.mark.parametrize("name", LOSSES)
def test_loss_returns_a_python_float(name):
    args, _ = SAMPLES[name]
    value = REFERENCES[name](*args)
    assert type(value) is float
    assert np.isfinite(value)


@pytest.mark.parametrize("name", LOSSES)
def test_loss_of_an_empty_batch_is_zero_without_warnings(name):
    _, empty = SAMPLES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = REFERENCES[name](*empty)
    assert type(value) is float
    assert value == 0.0


@pytest.mark.parametrize("name", LOSSES)
def test_loss_of_empty_python_lists_is_zero(name):
    _, empty = SAMPLES[name]
    lists = tuple(np.asarray(a).tolist() for a in empty)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert REFERENCES[name](*lists) == 0.0


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_function_returns_float64_array_of_input_shape(name):
    args, empty = SAMPLES[name]
    value = REFERENCES[name](*args)
    assert isinstance(value, np.ndarray) and value.dtype == np.float64
    assert value.shape == np.shape(args[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        empty_value = REFERENCES[name](*empty)
    assert isinstance(empty_value, np.ndarray) and empty_value.shape == np.shape(empty[-1])


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_reference_never_writes_into_its_inputs(name):
    assert_never_writes(REFERENCES[name], SAMPLES[name][0])


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_float32_inputs_give_the_float64_value_of_the_same_numbers(name):
    assert_float32_gives_float64_value(REFERENCES[name], SAMPLES[name][0])


def test_importing_the_references_loads_no_scipy_or_torch():
    code = (
        "import sys, lossdrill.references as r; "
        "assert len(r.REFERENCES) > 0; "
        "print(sorted(m for m in ('scipy', 'torch', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
