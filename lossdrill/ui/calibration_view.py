"""`lossdrill progress --calibration`: the scheduler's predictions against the learner's log (the view)."""

from __future__ import annotations

import json
import sys

from lossdrill.schedule.calibration import MIN_REVIEWS, calibrate

REFERENCE = (
    "srs-benchmark, FSRS-6 default parameters: log loss 0.339; average recall rate"
    " baseline 0.363; Anki SM-2 0.490"
)


def run(as_json: bool, home: str | None) -> int:
    from lossdrill.store import open_store
    from lossdrill.store import schedule as unified

    store = open_store(home)
    try:
        pairs = unified.predictions(store.conn)
    finally:
        store.close()
    cal = calibrate(pairs)
    if as_json:
        body = {"reviews": len(pairs), "minimum": MIN_REVIEWS}
        if cal is not None:
            body.update(cal.__dict__)
        sys.stdout.write(json.dumps(body) + "\n")
        return 0
    from lossdrill.ui.console import make_console

    console = make_console()
    if cal is None:
        console.print(
            f"Calibration needs at least {MIN_REVIEWS} graded reviews with a"
            f" prediction (a second or later review of an item); you have {len(pairs)}."
        )
        console.print("Next: lossdrill today", highlight=False)
        return 0
    console.print(
        f"Calibration on {cal.reviews} graded reviews (recall rate {cal.recall_rate:.1%}):",
        highlight=False,
    )
    console.print(
        f"  scheduler (FSRS)       log loss {cal.log_loss:.3f}   RMSE(bins) {cal.rmse_bins:.3f}",
        highlight=False,
    )
    console.print(
        f"  average recall rate    log loss {cal.baseline_log_loss:.3f}   RMSE(bins)"
        f" {cal.baseline_rmse_bins:.3f}",
        highlight=False,
    )
    console.print(f"  for comparison: {REFERENCE}", highlight=False)
    console.print("Lower is better; the scheduler beats the baseline when its log loss is lower.")
    console.print("Next: lossdrill today", highlight=False)
    return 0
