"""On a framework track the record's ``forbidden`` list and the track's apply together, through
the one static check (:mod:`lossdrill.checker.imports`); the checker reads both (and the
differentiable arguments) from its plain-data JSON view of the records."""

from __future__ import annotations

import json

import pytest
from conftest import framework_module

from lossdrill.checker.imports import forbidden_uses

FOCAL = """import torch
import torch.nn.functional as F


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = y_true.to(logits.dtype)
    ce = {ce}
    p = torch.sigmoid(logits)
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    loss = alpha_t * (1 - p_t) ** gamma * ce
    return loss.mean() if loss.numel() else loss.sum()
"""
SOFTPLUS = "F.softplus(logits) - y * logits"
LIBRARY_BCE = "F.binary_cross_entropy_with_logits(logits, y, reduction='none')"


def test_a_method_pattern_matches_the_method_on_any_value_only() -> None:
    source = (
        "import torch\n\ndef f(x):\n    a = torch.sigmoid(x)\n    return (x * 2).sigmoid() + a\n"
    )
    uses = forbidden_uses(source, ("Tensor.sigmoid",))
    assert [(u.name, u.line) for u in uses] == [("Tensor.sigmoid", 5)]
    assert [(u.name, u.line) for u in forbidden_uses(source, ("torch.sigmoid",))] == [
        ("torch.sigmoid", 4)
    ]


def test_the_view_carries_the_tracks_as_plain_json() -> None:
    from lossdrill.bank.tasks import builtin_tasks, checker_view
    from lossdrill.checker.tasks import TASKS

    view = checker_view()["focal"]
    record = builtin_tasks()["focal"].record
    assert view["differentiable"] == list(record.differentiable) == ["logits"]
    assert view["track_forbidden"]["torch"] == list(record.tracks["torch"].forbidden)
    assert json.loads(json.dumps(view)) == view
    spec = TASKS["focal"]
    assert spec.forbidden_on("torch") == ("torchvision.ops.sigmoid_focal_loss",)
    assert "torch.nn.functional.*cross_entropy*" in spec.forbidden


@pytest.fixture(scope="module")
def torch_box():
    framework_module("torch")
    from lossdrill.checker.frameworks import sandbox_options
    from lossdrill.checker.sandbox import Sandbox

    with Sandbox(**sandbox_options("torch")) as box:
        yield box


def _check(box, source: str, forbid: bool = True):
    from lossdrill.checker import run_check

    return run_check("focal", source, sandbox=box, framework="torch", sweep=False, forbid=forbid)


def test_both_lists_apply_on_the_torch_track(torch_box) -> None:
    assert _check(torch_box, FOCAL.format(ce=SOFTPLUS)).passed
    by_record = _check(torch_box, FOCAL.format(ce=LIBRARY_BCE))  # the record's list
    assert by_record.codes == ("forbidden-import",)
    assert "binary_cross_entropy_with_logits on line 7" in by_record.diagnoses[0].message
    by_track = _check(
        torch_box, "from torchvision.ops import sigmoid_focal_loss\n" + FOCAL.format(ce=SOFTPLUS)
    )  # the track's list (torchvision absent)
    assert by_track.codes == ("forbidden-import",)
    assert "torchvision.ops.sigmoid_focal_loss" in by_track.diagnoses[0].message


def test_a_bug_hunt_fix_may_call_the_library_loss(torch_box) -> None:
    assert _check(torch_box, FOCAL.format(ce=LIBRARY_BCE), forbid=False).passed
    lossdrill_import = "import lossdrill.references\n" + FOCAL.format(ce=SOFTPLUS)
    assert _check(torch_box, lossdrill_import, forbid=False).codes == ("forbidden-import",)
