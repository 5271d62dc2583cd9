"""The 17 losses of issue 15 as the tests share them: their task ids and function names, the
reference functions, and sample inputs (ordinary and empty-batch) for each."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lossdrill.references import (
    language,
    listwise,
    metric,
    preference,
    probabilistic,
    segmentation,
    sequence,
)

TASK_FUNCTIONS = {
    "masked-ce": "masked_lm_cross_entropy", "kd": "distillation_loss", "z-loss": "z_loss",
    "moe-balance": "load_balancing_loss", "dpo": "dpo_loss", "ppo-clip": "ppo_clip_loss",
    "grpo-adv": "grpo_advantages", "gaussian-nll": "gaussian_nll_loss", "vae-kl": "gaussian_kl",
    "tversky": "tversky_loss", "sgns": "sgns_loss", "arcface": "arcface_loss",
    "batch-hard-triplet": "batch_hard_triplet_loss", "ctc": "ctc_loss",
    "listnet": "listnet_loss", "listmle": "listmle_loss", "gan-d": "gan_discriminator_loss",
}  # fmt: skip
"""Task id -> the function the issue names, in the issue's order."""

MODULES = (language, preference, metric, segmentation, probabilistic, sequence, listwise)
FUNCTIONS = {name: getattr(m, name) for m in MODULES for name in m.__all__}
"""Every function the issue-15 reference modules export, by name."""


def samples(normal: Callable) -> dict[str, tuple[tuple, tuple]]:
    """name -> (ordinary arguments, empty-batch arguments), drawn from ``normal`` (a
    generator's ``standard_normal``) in a fixed order, so a caller's generator decides the
    values."""
    n = normal

    def log_probs(t: int, c: int) -> np.ndarray:
        z = n((t, c))
        return z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))

    return {
        "masked_lm_cross_entropy": ((n((2, 3, 5)), np.array([[1, -100, 4], [0, 2, -100]])),
                                    (np.zeros((0, 3, 5)), np.zeros((0, 3), dtype=int))),
        "distillation_loss": ((n((4, 6)), n((4, 6))), (np.zeros((0, 6)),) * 2),
        "z_loss": ((n((4, 6)),), (np.zeros((0, 6)),)),
        "load_balancing_loss": ((n((8, 4)),), (np.zeros((0, 4)),)),
        "dpo_loss": (tuple(-np.abs(n(5)) for _ in range(4)), (np.zeros(0),) * 4),
        "ppo_clip_loss": ((0.1 * n(6), 0.1 * n(6), n(6)), (np.zeros(0),) * 3),
        "grpo_advantages": ((n((3, 4)),), (np.zeros((0, 4)),)),
        "gaussian_nll_loss": ((n(6), n(6), np.abs(n(6))), (np.zeros(0),) * 3),
        "gaussian_kl": ((n((3, 4)), n((3, 4))), (np.zeros((0, 4)),) * 2),
        "tversky_loss": (((n(8) > 0).astype(float), np.abs(np.tanh(n(8)))), (np.zeros(0),) * 2),
        "sgns_loss": ((n((4, 3)), n((4, 3)), n((4, 2, 3))),
                      (np.zeros((0, 3)), np.zeros((0, 3)), np.zeros((0, 2, 3)))),
        "arcface_loss": ((n((4, 3)), n((5, 3)), np.array([0, 4, 2, 2])),
                         (np.zeros((0, 3)), n((5, 3)), np.zeros(0, dtype=int))),
        "batch_hard_triplet_loss": ((n((6, 3)), np.array([0, 0, 1, 1, 2, 2])),
                                    (np.zeros((0, 3)), np.zeros(0, dtype=int))),
        "ctc_loss": ((log_probs(6, 4), np.array([1, 2, 2])),
                     (np.zeros((0, 4)), np.zeros(0, dtype=int))),
        "listnet_loss": ((n((3, 5)), n((3, 5))), (np.zeros((0, 5)),) * 2),
        "listmle_loss": ((n((3, 5)), n((3, 5))), (np.zeros((0, 5)),) * 2),
        "gan_discriminator_loss": ((n(5), n(7)), (np.zeros(0),) * 2),
    }  # fmt: skip
