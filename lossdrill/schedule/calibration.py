"""How well the scheduler's predicted retrievability matches what the learner recalled.

Scored on the graded log (``schedule_log``): each review that had a prediction (not an
item's first) and came at least a day after the item's previous review (as in
srs-benchmark; FSRS-6 counts whole days) is a pair (predicted R, recalled = grade above
Again).

- **log loss**: mean of -[y log p + (1-y) log(1-p)], p clipped to [1e-6, 1-1e-6];
- **RMSE(bins)**: reviews grouped in :data:`BINS` equal-width bins of the scheduler's
  prediction; the root of the count-weighted mean squared gap between each bin's mean
  prediction and its recall rate (a simplified form of srs-benchmark's binned RMSE, which
  bins by interval and history);
- **baseline**: the same metrics for "average recall rate", predicting the overall recall
  rate for every review, scored on the same bins (binned by its own constant prediction it
  would score 0 trivially).

srs-benchmark reports FSRS-6 defaults at log loss 0.339 against 0.363 for that baseline
(and 0.490 for SM-2); :data:`MIN_REVIEWS` graded reviews are needed before any figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_REVIEWS = 100
BINS = 20
EPS = 1e-6


@dataclass(frozen=True)
class Calibration:
    reviews: int
    recall_rate: float
    log_loss: float
    rmse_bins: float
    baseline_log_loss: float
    baseline_rmse_bins: float


def log_loss(pairs: Sequence[tuple[float, int]]) -> float:
    total = 0.0
    for p, y in pairs:
        p = min(1 - EPS, max(EPS, p))
        total -= y * math.log(p) + (1 - y) * math.log(1 - p)
    return total / len(pairs)


def rmse_bins(
    pairs: Sequence[tuple[float, int]], keys: Sequence[float] | None = None, bins: int = BINS
) -> float:
    """Binned RMSE; the bins are equal-width bins of ``keys`` (default: the predictions)."""
    sums: dict[int, list[float]] = {}
    for n, (p, y) in enumerate(pairs):
        key = p if keys is None else keys[n]
        b = min(bins - 1, int(key * bins))
        s = sums.setdefault(b, [0.0, 0.0, 0.0])
        s[0] += p
        s[1] += y
        s[2] += 1
    n = len(pairs)
    return math.sqrt(sum(c * (ps / c - ys / c) ** 2 for ps, ys, c in sums.values()) / n)


def calibrate(pairs: Sequence[tuple[float, int]]) -> Calibration | None:
    """The figures, or None with fewer than :data:`MIN_REVIEWS` predicted reviews."""
    if len(pairs) < MIN_REVIEWS:
        return None
    rate = sum(y for _, y in pairs) / len(pairs)
    baseline = [(rate, y) for _, y in pairs]
    scheduler = [p for p, _ in pairs]
    return Calibration(
        len(pairs),
        rate,
        log_loss(pairs),
        rmse_bins(pairs),
        log_loss(baseline),
        rmse_bins(baseline, keys=scheduler),
    )
