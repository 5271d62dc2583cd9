"""Small numerical building blocks shared by the reference families.

Everything here works in float64 and never writes into its arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np

ArrayLike = Any  # lists, scalars, NumPy arrays of any numeric dtype


def as_float(x: ArrayLike) -> np.ndarray:
    """``x`` as a float64 array (a new array unless it already is float64; never written to)."""
    return np.asarray(x, dtype=np.float64)


def as_index(labels: ArrayLike, n_classes: int) -> np.ndarray:
    """Integer class labels as an ``intp`` array (floats such as ``2.0`` are accepted).

    Labels must lie in [0, n_classes): a negative label would otherwise silently index
    from the end.
    """
    index = np.asarray(labels).astype(np.intp)
    if index.size and (index.min() < 0 or index.max() >= n_classes):
        raise ValueError(
            f"class labels must lie in [0, {n_classes}), got {index.min()}..{index.max()}"
        )
    return index


def mean_or_zero(values: np.ndarray) -> float:
    """Mean of all elements as a Python float; an empty batch gives ``0.0`` (no warning)."""
    if values.size == 0:
        return 0.0
    return float(np.mean(values))


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) = −log σ(−x).

    ``np.logaddexp(0, x)`` evaluates max(0, x) + log1p(e^(−|x|)): it never overflows and
    keeps full relative accuracy for very negative x, where the value is ~e^x.
    """
    return np.logaddexp(0.0, x)


def log_softmax_last(z: np.ndarray) -> np.ndarray:
    """log softmax along the last axis of a float64 array with ndim ≥ 1.

    Shifting by the row maximum m keeps every exponent ≤ 0 (no overflow). The sum of the
    shifted exponentials is 1 + r, where the 1 comes from the maximum itself; taking
    log1p(r) instead of log(1 + r) keeps tiny losses (a dominant logit) accurate instead of
    rounding them to 0. Entries equal to −inf (masked logits) get −inf.
    """
    if z.size == 0:
        return z.copy()
    top = np.argmax(z, axis=-1)[..., np.newaxis]
    m = np.take_along_axis(z, top, axis=-1)
    shifted = z - m
    exps = np.exp(shifted)
    np.put_along_axis(exps, top, 0.0, axis=-1)  # drop the maximum's own e^0 = 1
    return shifted - np.log1p(np.sum(exps, axis=-1, keepdims=True))


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows (last axis) scaled to unit L2 norm; all-zero rows stay zero.

    Each row is first divided by its largest absolute entry, so the sum of squares can
    neither overflow (entries ~1e200) nor underflow (entries ~1e-200).
    """
    if x.size == 0:
        return x.copy()
    scale = np.max(np.abs(x), axis=-1, keepdims=True)
    safe_scale = np.where(scale > 0, scale, 1.0)
    scaled = x / safe_scale
    norm = np.sqrt(np.sum(scaled * scaled, axis=-1, keepdims=True))
    return scaled / np.where(norm > 0, norm, 1.0)
