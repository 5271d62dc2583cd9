"""The numbers behind `lossdrill plot`: curve values against hand formulas written here."""

from __future__ import annotations

import math

import pytest

from lossdrill.bank.tasks import task_ids
from lossdrill.plotting.curves import PlotError, build_figures, group_by_axis, task_curves
from lossdrill.plotting.slices import TASKS, resolve

DESIGN_IDS = (
    "mse mae huber quantile sigmoid softmax bce cce focal hinge triplet contrastive kl "
    "mse-grad mae-grad bce-grad cce-grad"
).split()
BEYOND_IDS = (
    "log-cosh huber-grad log-softmax smooth-ce weighted-bce multiclass-hinge poisson-nll "
    "cosine-embedding margin-ranking bpr dice infonce clip nt-xent"
).split()


def value(
    task: str,
    axis: str,
    x: float,
    label: str | None = None,
    *,
    gradient: bool = False,
    **params: float,
) -> float:
    """The curve value of ``task`` at ``x`` (the curve whose label is ``label``, else the first)."""
    curves = task_curves(task, axis, [x], gradient=gradient, params=params)
    curve = next(c for c in curves if label is None or c.label == label)
    return curve.ys[0]


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def test_every_task_of_the_banks_can_be_plotted_with_finite_values():
    assert set(TASKS) >= set(DESIGN_IDS) | set(BEYOND_IDS)
    assert set(TASKS) == set(task_ids())  # every task of the records, none besides
    for gradient in (False, True):
        figures = build_figures(list(TASKS), gradient=gradient, points=41)
        plotted = {c.label.split(" ")[0] for f in figures for c in f.curves}
        assert plotted == set(TASKS)
        for figure in figures:
            for curve in figure.curves:
                assert all(math.isfinite(y) for y in curve.ys), curve.label


@pytest.mark.parametrize(
    ("task", "x", "expected"),
    [
        ("mse", -3.0, 0.5 * 9),  # ½e²
        ("mae", 2.5, 2.5),
        ("huber", 2.0, 1.0 * (2.0 - 0.5)),  # δ(|e| − ½δ), δ = 1
        ("huber", 0.5, 0.5 * 0.25),
        ("log-cosh", 1.0, math.log(math.cosh(1.0))),
        ("quantile", 1.0, 0.5),  # q = 0.5: half the absolute error
        ("mse-grad", -1.5, -1.5),
        ("huber-grad", 3.0, 1.0),  # clipped at δ
    ],
)
def test_regression_curves_follow_the_formulas_against_the_error(task, x, expected):
    assert value(task, "error", x) == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_huber_delta_option_draws_the_asked_value_beside_the_default():
    curves = task_curves("huber", "error", [3.0], params={"delta": 2.0})
    assert [c.label for c in curves] == ["huber (δ=2)", "huber (δ=1, default)"]
    assert curves[0].ys[0] == pytest.approx(2.0 * (3.0 - 1.0))
    assert curves[1].ys[0] == pytest.approx(1.0 * (3.0 - 0.5))


def test_quantile_level_weights_over_and_under_prediction():
    # x = ŷ − y. Over-prediction costs (1 − q) per unit, under-prediction q.
    assert value("quantile", "error", 1.0, q=0.9) == pytest.approx(0.1)
    assert value("quantile", "error", -1.0, q=0.9) == pytest.approx(0.9)


def test_bce_against_probability_matches_the_lecture_figure():
    assert value("bce", "probability", 0.1, "bce (y=1)") == pytest.approx(-math.log(0.1))
    assert value("bce", "probability", 0.9, "bce (y=0)") == pytest.approx(-math.log(0.1))
    assert value("bce", "probability", 0.5, "bce (y=1)") == pytest.approx(math.log(2))


def test_classification_curves_against_the_logit():
    assert value("bce", "logit", 0.0, "bce (y=1)") == pytest.approx(math.log(2))
    assert value("bce", "logit", -4.0, "bce (y=1)") == pytest.approx(math.log1p(math.exp(4.0)))
    # 3 classes, logits (x, 0, 0): logsumexp − x
    assert value("cce", "logit", 0.0) == pytest.approx(math.log(3))
    assert value("cce", "logit", 2.0) == pytest.approx(math.log(math.exp(2) + 2) - 2)
    assert value("smooth-ce", "logit", 0.0) == pytest.approx(math.log(3))
    assert value("hinge", "logit", -1.0) == pytest.approx(2.0)  # max(0, 1 − s)
    assert value("hinge", "logit", 0.5, margin=2.0) == pytest.approx(1.5)
    assert value("multiclass-hinge", "logit", 0.0) == pytest.approx(2.0)  # two wrong classes
    assert value("sigmoid", "logit", 0.0) == pytest.approx(0.5)
    assert value("softmax", "logit", 0.0) == pytest.approx(1 / 3)
    assert value("log-softmax", "logit", 0.0) == pytest.approx(-math.log(3))
    assert value("bpr", "score-gap", 0.0) == pytest.approx(math.log(2))
    assert value("margin-ranking", "score-gap", -2.0) == pytest.approx(2.0)


def test_focal_curve_uses_alpha_t_and_gamma():
    # y = 1, p_t = 0.9: −α(1 − p_t)^γ log p_t with α = 0.25, γ = 2
    expected = -0.25 * 0.1**2 * math.log(0.9)
    assert value("focal", "probability", 0.9) == pytest.approx(expected, rel=1e-9)
    gamma0 = value("focal", "probability", 0.9, "focal (y=1, α=0.25, γ=0)", gamma=0.0)
    assert gamma0 == pytest.approx(-0.25 * math.log(0.9), rel=1e-9)


def test_embedding_and_distribution_slices():
    # triplet: max(0, d(a,p) − d(a,n) + margin), x = d(a,n) − d(a,p)
    assert value("triplet", "distance-gap", -1.0) == pytest.approx(2.0)
    assert value("triplet", "distance-gap", 2.0) == pytest.approx(0.0)
    # contrastive: y=0 → ½D², y=1 → ½max(0, m − D)²
    assert value(
        "contrastive", "distance", 2.0, "contrastive (y=0 similar, margin=1)"
    ) == pytest.approx(2.0)
    assert value(
        "contrastive", "distance", 0.5, "contrastive (y=1 dissimilar, margin=1)"
    ) == pytest.approx(0.125)
    assert value(
        "cosine-embedding", "cosine", 0.5, "cosine-embedding (y=−1, margin=0)"
    ) == pytest.approx(0.5)
    assert value(
        "cosine-embedding", "cosine", 0.5, "cosine-embedding (y=1, margin=0)"
    ) == pytest.approx(0.5)
    # batch of 4: each positive at cosine x, the other 3 keys at 0: log(1 + 3e^(−x/τ))
    assert value("infonce", "cosine", 0.5) == pytest.approx(math.log1p(3 * math.exp(-0.5 / 0.1)))
    assert value("clip", "cosine", 0.0) == pytest.approx(math.log(4))
    # 2N = 8 views: 1 positive and 6 negatives in each denominator
    assert value("nt-xent", "cosine", 0.0) == pytest.approx(math.log(7))
    assert value("nt-xent", "cosine", 1.0) == pytest.approx(math.log1p(6 * math.exp(-2.0)))
    kl = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert value("kl", "distribution", 0.25, "kl (p=(0.5, 0.5))") == pytest.approx(kl)
    assert value("poisson-nll", "log-rate", math.log(3), "poisson-nll (y=3)") == pytest.approx(
        3 - 3 * math.log(3)
    )
    assert value("dice", "probability", 0.5, "dice (y=1)") == pytest.approx(1 - 2 / 2.5)


def test_gradient_curves():
    assert value("mse", "error", -2.0, gradient=True) == pytest.approx(-2.0)
    assert value("mae", "error", 0.7, gradient=True) == pytest.approx(1.0)
    assert value("huber", "error", 3.0, gradient=True, delta=2.0) == pytest.approx(2.0)
    assert value("bce", "logit", 0.0, "bce gradient (y=1)", gradient=True) == pytest.approx(-0.5)
    assert value("bce", "logit", 1.0, "bce gradient (y=0)", gradient=True) == pytest.approx(
        sigmoid(1.0)
    )
    assert value("cce", "logit", 0.0, gradient=True) == pytest.approx(1 / 3 - 1)
    # Losses without a gradient task: the derivative along the slice.
    assert value("quantile", "error", 1.0, gradient=True, q=0.9) == pytest.approx(0.1, abs=1e-6)
    assert value("quantile", "error", -1.0, gradient=True, q=0.9) == pytest.approx(-0.9, abs=1e-6)
    assert value("log-cosh", "error", 1.0, gradient=True) == pytest.approx(math.tanh(1.0), abs=1e-6)
    assert value("hinge", "logit", 0.0, gradient=True) == pytest.approx(-1.0, abs=1e-6)
    assert value("sigmoid", "logit", 0.0, gradient=True) == pytest.approx(0.25, abs=1e-6)


def test_losses_sharing_an_axis_share_a_figure():
    assert group_by_axis(["mse", "mae", "huber"]) == [("error", ["mse", "mae", "huber"])]
    assert group_by_axis(["bce"]) == [("probability", ["bce"])]
    assert group_by_axis(["bce", "hinge"]) == [("logit", ["bce", "hinge"])]
    assert group_by_axis(["mse", "bce", "mae"]) == [
        ("error", ["mse", "mae"]),
        ("probability", ["bce"]),
    ]
    # Gradients are taken with respect to the logit.
    assert group_by_axis(["bce"], gradient=True) == [("logit", ["bce"])]


def test_figures_say_what_the_axes_mean():
    (figure,) = build_figures(["triplet"])
    assert figure.x_label == "d(a,n) − d(a,p), squared distances"
    assert figure.y_label == "loss"
    assert any("triplet" in note for note in figure.notes)
    (grad,) = build_figures(["mse"], gradient=True)
    assert grad.y_label == "d loss / d x"
    assert [c.label for c in grad.curves] == ["mse gradient"]


def test_unknown_loss_names_the_valid_ones():
    with pytest.raises(PlotError) as info:
        build_figures(["mse", "hubber"])
    message = str(info.value)
    assert "'hubber'" in message
    for task in ("mse", "huber", "nt-xent", "cce-grad"):
        assert task in message


def test_an_option_no_plotted_loss_takes_is_refused():
    with pytest.raises(PlotError, match="--gamma changes focal"):
        build_figures(["mse"], params={"gamma": 2.0})


def test_function_names_are_accepted_for_task_ids():
    assert resolve("huber_loss") == "huber"
    assert resolve("binary_ce_with_logits") == "bce"
    assert resolve("NT-XENT") == "nt-xent"
    assert resolve("nope") is None


def test_out_of_range_parameters_are_refused_with_the_rule():
    with pytest.raises(
        PlotError, match="--q 1.5 is out of range: the quantile level q is between 0 and 1"
    ):
        build_figures(["quantile"], params={"q": 1.5})
    with pytest.raises(PlotError, match="--delta -1 is out of range"):
        build_figures(["huber"], params={"delta": -1.0})


def test_a_repeated_option_draws_one_curve_per_value():
    # The lecture's comparison: focal at several γ, y = 1, p_t = 0.9, α = 0.25 on each.
    curves = task_curves("focal", "probability", [0.9], params={"gamma": [0.0, 1.0, 5.0]})
    assert [c.label for c in curves] == [
        "focal (y=1, α=0.25, γ=0)",
        "focal (y=1, α=0.25, γ=1)",
        "focal (y=1, α=0.25, γ=5)",
    ]
    for curve, gamma in zip(curves, (0.0, 1.0, 5.0), strict=True):
        assert curve.ys[0] == pytest.approx(-0.25 * 0.1**gamma * math.log(0.9), rel=1e-9)


def test_two_repeated_options_draw_every_combination():
    curves = task_curves(
        "focal", "probability", [0.5], params={"alpha": [0.25, 0.5], "gamma": [0.0, 2.0]}
    )
    assert [c.label for c in curves] == [
        "focal (y=1, α=0.25, γ=0)",
        "focal (y=1, α=0.25, γ=2)",
        "focal (y=1, α=0.5, γ=0)",
        "focal (y=1, α=0.5, γ=2)",
    ]
    assert curves[3].ys[0] == pytest.approx(-0.5 * 0.5**2 * math.log(0.5))


def test_labels_name_a_default_parameter_even_when_none_is_asked():
    (curve,) = task_curves("huber", "error", [3.0])
    assert curve.label == "huber (δ=1)"


def test_too_many_combinations_are_refused():
    with pytest.raises(PlotError, match="9 curves per loss"):
        build_figures(["focal"], params={"alpha": [0.1, 0.2, 0.3], "gamma": [0.0, 1.0, 2.0]})


def test_every_repeated_value_is_range_checked():
    with pytest.raises(PlotError, match="--gamma -1 is out of range"):
        build_figures(["focal"], params={"gamma": [0.0, -1.0]})


def test_ranking_losses_are_drawn_against_a_score_difference_not_a_logit():
    # bpr: −log σ(s⁺ − s⁻); the x axis is a difference of scores, so it gets its own figure.
    figures = build_figures(["bce", "bpr", "margin-ranking"], table=True)
    assert [f.x_label for f in figures] == [
        "predicted probability p = σ(z)",
        "score difference s⁺ − s⁻ (preferred minus other)",
    ]
    ranking = figures[1]
    bpr = next(c for c in ranking.curves if c.label == "bpr")
    assert bpr.ys[bpr.xs.index(2.0)] == pytest.approx(math.log1p(math.exp(-2.0)))


def test_the_derivative_of_an_activation_is_not_called_a_loss_gradient():
    (figure,) = build_figures(["sigmoid"], gradient=True, table=True)
    assert figure.y_label == "derivative d/dx"
    curve = figure.curves[0]
    assert curve.ys[curve.xs.index(0.0)] == pytest.approx(0.25, rel=1e-6)  # σ'(0) = σ(0)(1 − σ(0))
