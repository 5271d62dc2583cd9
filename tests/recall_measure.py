"""Measure recall grading on the independent paraphrase set (tests/data/recall_paraphrases.yaml).

Run: python tests/recall_measure.py   (prints per-item and total acceptance rates)
"""

from __future__ import annotations

from pathlib import Path

import yaml

from lossdrill.bank.loader import load_banks
from lossdrill.bank.schema import RecallItem
from lossdrill.quiz.grading import grade_recall

DATA = Path(__file__).parent / "data" / "recall_paraphrases.yaml"


def measure() -> dict:
    answers = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    bank = load_banks([])
    items = {i.id: i for i in bank.items if isinstance(i, RecallItem)}
    out = {
        "correct_total": 0,
        "correct_accepted": 0,
        "reversed_total": 0,
        "reversed_accepted": 0,
        "failures": [],
    }
    for item_id, sets in answers.items():
        item = items[item_id]
        for text in sets["correct"]:
            ok = grade_recall(text, item.key_points, item.min_points).correct
            out["correct_total"] += 1
            out["correct_accepted"] += ok
            if not ok:
                out["failures"].append(("rejected correct", item_id, text))
        for text in sets["reversed"]:
            ok = grade_recall(text, item.key_points, item.min_points).correct
            out["reversed_total"] += 1
            out["reversed_accepted"] += ok
            if ok:
                out["failures"].append(("accepted reversed", item_id, text))
    return out


if __name__ == "__main__":
    r = measure()
    for f in r["failures"]:
        print(*f, sep=" | ")
    print(
        f"correct accepted {r['correct_accepted']}/{r['correct_total']}"
        f" = {r['correct_accepted'] / r['correct_total']:.0%};"
        f" reversed accepted {r['reversed_accepted']}/{r['reversed_total']}"
    )
