"""A new learner on the torch track, in a real terminal: `implement focal --framework torch`,
a solution with .item() is told graph-broken on a shrunk input, the fix passes."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import framework_module
from drive import Session

WITH_ITEM = """import torch
import torch.nn.functional as F


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = y_true.to(logits.dtype)
    ce = F.softplus(logits) - y * logits  # F.binary_cross_entropy_with_logits is forbidden
    p = torch.sigmoid(logits)
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    loss = alpha_t * (1 - p_t) ** gamma * ce
    return loss.mean().item() if loss.numel() else 0.0
"""
FIXED = WITH_ITEM.replace(
    "loss.mean().item() if loss.numel() else 0.0", "loss.mean() if loss.numel() else loss.sum()"
)


def test_torch_track_graph_broken_then_pass(tmp_path: Path) -> None:
    framework_module("torch")
    home = tmp_path / "home"
    s = Session(
        ["implement", "focal", "--framework", "torch", "--home", str(home)], tty=True, cols=120
    )
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


TORCH_MSE = """import torch


def mse_loss(y_true, y_pred):
    e = y_pred - y_true.to(y_pred.dtype)
    return 0.5 * (e ** 2).mean() if e.numel() else e.sum()
"""
TORCH_MSE_GRAD = """import torch


def mse_gradient(y_true, y_pred):
    return y_pred - y_true.to(y_pred.dtype)
"""


def test_interview_on_the_torch_track(tmp_path: Path) -> None:
    import json
    import sqlite3

    from test_interview_e2e import PROMPT

    framework_module("torch")
    home = tmp_path / "home"
    (tmp_path / "mse.py").write_text(TORCH_MSE)
    (tmp_path / "grad.py").write_text(TORCH_MSE_GRAD)
    s = Session(
        ["interview", "--task", "mse", "--seed", "4", "--framework", "torch"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
        cols=140,
    )
    todo = [tmp_path / "mse.py", tmp_path / "grad.py"]
    while True:
        try:
            match = s.expect(PROMPT, timeout=90)
        except AssertionError:
            break
        if not match.group(0).startswith("c check"):
            s.send("?")
        elif todo:
            # written during the step, as a learner would: a file older than the step is a
            # re-check, not an answer (honest timings)
            path = todo.pop(0)
            os.utime(path)
            s.send(f"file {path}")
        else:
            s.send("q")
    assert s.finish() == 0
    assert "Track: torch" in s.text
    assert "gradient follow-up mse-grad: passed" in s.text
    starters = sorted((home / "work").glob("interview-mse-*.py"))
    assert starters and starters[0].read_text().startswith("import torch")
    conn = sqlite3.connect(home / "lossdrill.sqlite3")
    try:
        (sheet,) = [json.loads(x) for (x,) in conn.execute("SELECT sheet FROM interviews")]
    finally:
        conn.close()
    correctness = next(c for c in sheet["criteria"] if c["name"] == "correctness")
    assert correctness["points"] == 4
