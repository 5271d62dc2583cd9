"""A task as written for a framework: the implement item with the track's starter, hints,
solution and debrief (``tracks:`` in the task's record), and the panel's track lines."""

from __future__ import annotations

import dataclasses
import re
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


_CONTRACT = (
    (
        r"Return a Python float, a NumPy scalar or a 0-d array\.",
        "Return a 0-d {T} of the inputs' floating dtype, on their device (not .item() or "
        "float(): the gradient must flow).",
    ),
    (r"Return a Python float \(inf allowed\)\.", "Return a 0-d {T} (inf allowed)."),
    (r"Returns? (?:an|a float) array", "Return a {T}"),
    (
        r"\b(Inputs|Scores|Logits) may be (?:int, )?float32 or float64(?: arrays)?(?: or lists)?\.",
        r"\1 arrive as {T} of float32 or float64 (integer inputs in that dtype, class "
        "indices as int64).",
    ),
)
"""The NumPy contract's lines about types, and what they say on a framework track."""


def track_contract(contract: str, framework: str) -> str:
    """The contract as it holds on ``framework``: tensors in and out, not NumPy values."""
    if framework == "numpy":
        return contract
    for pattern, text in _CONTRACT:
        contract = re.sub(pattern, text.replace("{T}", TENSOR[framework]), contract)
    return contract


def track_item(item: Any, framework: str, signature: str) -> Any:
    """``item`` with the ``framework`` track's texts (unchanged for numpy or no track)."""
    if item is None or framework == "numpy" or item.record is None:
        return item
    contract = track_contract(item.contract, framework)
    text = item.record.tracks.get(framework)
    if text is None:
        return dataclasses.replace(item, starter=starter(signature, framework), contract=contract)
    return dataclasses.replace(
        item,
        contract=contract,
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
