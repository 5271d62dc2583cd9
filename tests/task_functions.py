"""The implement tasks of the design and of issue 5, each with the function name its learner
writes: the names the tests hold the bank, the checker and the references to."""

DESIGN_TASKS = {
    "mse": "mse_loss",
    "mae": "mae_loss",
    "huber": "huber_loss",
    "quantile": "quantile_loss",
    "sigmoid": "sigmoid",
    "softmax": "softmax",
    "bce": "binary_ce_with_logits",
    "cce": "categorical_ce_with_logits",
    "focal": "focal_loss",
    "hinge": "hinge_loss",
    "triplet": "triplet_loss",
    "contrastive": "contrastive_loss",
    "kl": "kl_divergence",
    "mse-grad": "mse_gradient",
    "mae-grad": "mae_gradient",
    "bce-grad": "binary_ce_gradient",
    "cce-grad": "categorical_ce_gradient",
}
ISSUE5_TASKS = {
    "log-cosh": "log_cosh_loss",
    "huber-grad": "huber_gradient",
    "log-softmax": "log_softmax",
    "smooth-ce": "label_smoothing_ce",
    "weighted-bce": "weighted_bce_with_logits",
    "multiclass-hinge": "multiclass_hinge_loss",
    "poisson-nll": "poisson_nll_with_log_input",
    "cosine-embedding": "cosine_embedding_loss",
    "margin-ranking": "margin_ranking_loss",
    "bpr": "bpr_loss",
    "dice": "dice_loss",
    "infonce": "info_nce_loss",
    "clip": "clip_loss",
    "nt-xent": "nt_xent_loss",
}
