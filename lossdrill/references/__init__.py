"""Hidden NumPy references: the expected value of every implement task and numeric formula.

Each function is small, vectorised, numerically stable and computes in float64; its
docstring gives the formula, the shapes and the convention used. ``REFERENCES`` maps every
task function name to its reference. Importing this package imports only NumPy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lossdrill.references.classification import (
    binary_ce_with_logits,
    categorical_ce_with_logits,
    dice_loss,
    focal_loss,
    hinge_loss,
    label_smoothing_ce,
    log_softmax,
    multiclass_hinge_loss,
    sigmoid,
    softmax,
    squared_hinge_loss,
    weighted_bce_with_logits,
)
from lossdrill.references.embedding import (
    clip_loss,
    contrastive_loss,
    cosine_embedding_loss,
    info_nce_loss,
    nt_xent_loss,
    triplet_loss,
)
from lossdrill.references.gradients import (
    binary_ce_gradient,
    categorical_ce_gradient,
    huber_gradient,
    mae_gradient,
    mse_gradient,
)
from lossdrill.references.information import kl_divergence
from lossdrill.references.language import (
    distillation_loss,
    load_balancing_loss,
    masked_lm_cross_entropy,
    z_loss,
)
from lossdrill.references.listwise import listmle_loss, listnet_loss
from lossdrill.references.metric import arcface_loss, batch_hard_triplet_loss, sgns_loss
from lossdrill.references.preference import (
    dpo_loss,
    gan_discriminator_loss,
    grpo_advantages,
    ppo_clip_loss,
)
from lossdrill.references.probabilistic import gaussian_kl, gaussian_nll_loss
from lossdrill.references.ranking import bpr_loss, margin_ranking_loss
from lossdrill.references.regression import (
    huber_loss,
    log_cosh_loss,
    mae_loss,
    mse_loss,
    poisson_nll_with_log_input,
    quantile_loss,
)
from lossdrill.references.segmentation import tversky_loss
from lossdrill.references.sequence import ctc_loss

REFERENCES: dict[str, Callable[..., Any]] = {
    fn.__name__: fn
    for fn in (
        # regression
        mse_loss,
        mae_loss,
        huber_loss,
        quantile_loss,
        log_cosh_loss,
        poisson_nll_with_log_input,
        # classification
        sigmoid,
        softmax,
        log_softmax,
        binary_ce_with_logits,
        weighted_bce_with_logits,
        categorical_ce_with_logits,
        label_smoothing_ce,
        focal_loss,
        hinge_loss,
        squared_hinge_loss,
        multiclass_hinge_loss,
        dice_loss,
        # information
        kl_divergence,
        # embedding
        triplet_loss,
        contrastive_loss,
        cosine_embedding_loss,
        info_nce_loss,
        clip_loss,
        nt_xent_loss,
        # ranking
        margin_ranking_loss,
        bpr_loss,
        # gradients
        mse_gradient,
        mae_gradient,
        huber_gradient,
        binary_ce_gradient,
        categorical_ce_gradient,
        # language models
        masked_lm_cross_entropy,
        distillation_loss,
        z_loss,
        load_balancing_loss,
        # preference tuning and adversarial
        dpo_loss,
        ppo_clip_loss,
        grpo_advantages,
        gan_discriminator_loss,
        # probabilistic
        gaussian_nll_loss,
        gaussian_kl,
        # segmentation
        tversky_loss,
        # metric learning
        sgns_loss,
        arcface_loss,
        batch_hard_triplet_loss,
        # sequences
        ctc_loss,
        # listwise ranking
        listnet_loss,
        listmle_loss,
    )
}

__all__ = ["REFERENCES", *REFERENCES]
