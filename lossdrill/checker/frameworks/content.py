"""A task as written for a framework: the implement item with the track's starter, hints,
solution and debrief (``tracks:`` in the task's record), and the panel's track lines."""

from __future__ import annotations

import dataclasses
from typing import Any

IMPORTS = {
    "numpy": "import numpy as np",
    "torch": "import torch",
    "jax": "import jax\nimport jax.numpy as jnp",
}
TENSOR = {"torch": "torch.Tensor", "jax": "jax.Array"}


def starter(signature: str, framework: str) -> str:
    """A blank starter: the framework's import and the signature."""
    return f"{IMPORTS[framework]}\n\n\ndef {signature}:\n    raise NotImplementedError\n"


def track_item(item: Any, framework: str, signature: str) -> Any:
    """``item`` with the ``framework`` track's texts (unchanged for numpy or no track)."""
    if item is None or framework == "numpy" or item.record is None:
        return item
    text = item.record.tracks.get(framework)
    if text is None:
        return dataclasses.replace(item, starter=starter(signature, framework))
    return dataclasses.replace(
        item,
        starter=text.starter or starter(signature, framework),
        hints=text.hints,
        solution=text.solution,
        debrief=text.debrief,
    )


def default_track_item(item: Any, home: str | None) -> Any:
    """``item`` with the texts of the learner's default track (``lossdrill config framework``),
    for ``hint`` and ``reveal``."""
    from lossdrill.checker.frameworks.choice import chosen

    framework = chosen(None, home)
    if framework == "numpy" or item.record is None:
        return item
    return track_item(item, framework, item.record.signature(item.function))


def track_lines(item: Any, framework: str, device: str = "cpu") -> list[str]:
    """What the task panel adds for a framework track: the contract's framework rules."""
    if framework == "numpy":
        return []
    record = item.record if item is not None else None
    diff = ", ".join(record.differentiable) if record is not None else ""
    text = record.tracks.get(framework) if record is not None else None
    forbidden = ", ".join(text.forbidden) if text is not None and text.forbidden else ""
    lines = [
        f"Track: {framework}. Inputs arrive as {TENSOR[framework]} of the case's dtype "
        "(integer inputs as float64, class indices as int64); return a tensor, 0-d for a "
        "loss, of the input's dtype (float32 in, float32 out) on the input's device.",
    ]
    if diff:
        lines.append(
            f"Gradients: d loss/d {diff} by autodiff is compared with the true "
            "gradient at float64, and must stay finite on extreme inputs; "
            "no .item(), .detach(), .numpy() or torch.tensor(...) re-wrapping."
        )
    if framework == "jax":
        lines.append("Every case runs under jax.jit: no Python if/float() on traced values.")
    if framework == "torch":
        lines.append(
            "Make tensors on the input's device (device=x.device) and never change "
            "an input in place."
        )
    if device == "cuda":
        lines.append("--device cuda: every case runs on the GPU too.")
    if forbidden:
        lines.append(f"Forbidden (the library loss you are writing): {forbidden}.")
    return lines
