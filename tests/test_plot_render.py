"""Drawing plots: the table fallback, the terminal plot and the failing-check overlay."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from rich.console import Console

from lossdrill.plotting.curves import build_figures
from lossdrill.plotting.overlay import render_overlay
from lossdrill.plotting.table import figure_rows, figure_table, format_value
from lossdrill.plotting.terminal import render_figure


def test_table_lists_round_x_values_and_each_curves_value():
    (figure,) = build_figures(["mse", "huber"], table=True)
    rows = figure_rows(figure)
    assert rows[0] == ["-3", "4.5", "2.5"]  # ½·9; 3 − ½
    assert ["2", "2", "1.5"] in rows
    assert ["0", "0", "0"] in rows
    assert len(rows) == 13  # −3 … 3 by 0.5


def test_table_renders_labels_and_the_meaning_of_x():
    (figure,) = build_figures(["contrastive"], table=True, params={"margin": 2.0})
    out = io.StringIO()
    Console(file=out, width=200, color_system=None).print(figure_table(figure))
    text = out.getvalue()
    # The margin leaves the similar pairs' curve alone: it is drawn once.
    assert [c.label for c in figure.curves] == [
        "contrastive (y=0 similar)",
        "contrastive (y=1 dissimilar, margin=2)",
        "contrastive (y=1 dissimilar, margin=1, default)",
    ]
    assert "contrastive (y=1 dissimilar, margin=1, default)" in text
    assert "Euclidean distance D" in text


def test_undefined_values_show_as_a_dash():
    assert format_value(math.nan) == "—"
    assert format_value(None) == "—"
    assert format_value(1e-13) == "0"
    assert format_value(2.302585093) == "2.303"


def test_terminal_plot_fits_the_width_and_keys_every_curve():
    (figure,) = build_figures(["mse", "mae", "huber"])
    text = render_figure(figure, 72, 18, color=False)
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 72
    assert "loss against error ŷ − y" in text
    assert "• mse" in text and "x mae" in text and "+ huber" in text
    assert "\x1b[" not in text  # no colour codes when colour is off


@dataclass
class Sweep:
    x_label: str
    xs: list[float]
    expected: list[float]
    got: list[float | None]


def test_overlay_draws_submission_against_reference():
    xs = [i / 4 for i in range(-12, 13)]
    sweep = Sweep("error ŷ − y", xs, [0.5 * x * x for x in xs], [x * x for x in xs])
    text = render_overlay(sweep, 70)
    assert text is not None
    assert "your function against the reference" in text
    assert "• reference" in text and "x your function" in text
    assert "error ŷ − y" in text
    assert "no finite value" not in text


def test_overlay_marks_points_where_the_submission_gave_nothing():
    xs = [-50.0, -10.0, 0.0, 10.0, 50.0]
    expected = [math.log1p(math.exp(-x)) if x > -30 else -x for x in xs]
    got = [None, 10.0, math.log(2), 4.5e-5, math.nan]
    text = render_overlay(Sweep("logit z", xs, expected, got), 60)
    assert text is not None
    assert "no finite value" in text


def test_overlay_is_left_out_when_the_terminal_is_too_narrow():
    sweep = Sweep("error", [0.0, 1.0], [0.0, 0.5], [0.0, 1.0])
    assert render_overlay(sweep, 30) is None


def test_a_coloured_plot_keeps_its_key_outside_the_frame_with_a_marker_per_curve():
    import re

    (figure,) = build_figures(["focal"], params={"gamma": [0.0, 2.0]})
    text = render_figure(figure, 100, 22, color=True)
    plain = re.sub(r"\x1b\[[0-9;]*m", "", text)
    top, bottom = plain.index("┌"), plain.rindex("┘")
    inside, under = plain[top:bottom], plain[bottom:]
    labels = [c.label for c in figure.curves]
    assert len(labels) == 2
    for label in labels:
        assert label in under and label not in inside  # no legend box over the curves
    key = [
        entry for entry in re.split(r"\s{3,}|\n", under) if entry.strip().endswith(tuple(labels))
    ]
    markers = [entry.split(" ")[0] for entry in key]
    assert len(set(markers)) == 2 and "▚" not in plain
    for marker in markers:  # each curve drawn with its own marker
        assert marker in inside


def test_too_many_curves_for_an_in_plot_legend_get_the_key_underneath():
    names = [
        "cce",
        "focal",
        "hinge",
        "multiclass-hinge",
        "sigmoid",
        "softmax",
        "log-softmax",
        "smooth-ce",
    ]
    (figure,) = build_figures(names)
    text = render_figure(figure, 120, 22, color=True)
    under = text[text.rindex("┘") :]  # below the frame: the ticks, the axis label, the key
    for curve in figure.curves:
        assert curve.label in under, curve.label
    # each with a marker of its own
    markers = [
        line.split(" ")[0]
        for line in under.replace("   ", "\n").splitlines()
        if any(line.endswith(c.label) for c in figure.curves)
    ]
    assert len(markers) == len(figure.curves) == len(set(markers))


def test_overlay_labels_the_y_axis_from_the_sweep():
    @dataclass
    class GradientSweep(Sweep):
        y_label: str = "gradient"

    xs = [i / 2 for i in range(-8, 9)]
    sigmoid = [1 / (1 + math.exp(-x)) for x in xs]
    sweep = GradientSweep(
        "logit z (label y = 1)", xs, [s - 1 for s in sigmoid], [1 - s for s in sigmoid]
    )
    text = render_overlay(sweep, 70)
    assert text is not None
    assert "gradient" in text and "loss" not in text
