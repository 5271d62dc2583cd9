"""A new learner on the torch track, in a real terminal: `implement focal --framework torch`,
a solution with .item() is told graph-broken on a shrunk input, the fix passes."""

from __future__ import annotations

from pathlib import Path

from conftest import framework_module
from drive import Session

WITH_ITEM = """import torch
import torch.nn.functional as F


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = y_true.to(logits.dtype)
    ce = F.binary_cross_entropy_with_logits(logits, y, reduction="none")
    p = torch.sigmoid(logits)
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    loss = alpha_t * (1 - p_t) ** gamma * ce
    return loss.mean().item() if loss.numel() else 0.0
"""
FIXED = WITH_ITEM.replace("loss.mean().item() if loss.numel() else 0.0",
                          "loss.mean() if loss.numel() else loss.sum()")


def test_torch_track_graph_broken_then_pass(tmp_path: Path) -> None:
    framework_module("torch")
    home = tmp_path / "home"
    s = Session(["implement", "focal", "--framework", "torch", "--home", str(home)], tty=True,
                cols=120)
    s.expect("Starter written to", timeout=60)
    s.expect("Track: torch")
    s.expect("c check now", timeout=60)
    path = home / "work" / "focal_torch.py"
    assert path.read_text().startswith("import torch")
    path.write_text(WITH_ITEM)
    s.expect("FAIL focal", timeout=90)
    s.expect("graph-broken")
    s.expect("first failure · .* · shrunk")
    path.write_text(FIXED)
    s.expect("PASS focal", timeout=90)
    s.send("q")
    s.expect("Session: focal passed")
    assert s.finish() == 0
