"""``lossdrill progress`` reads the banks' summary: it must be exactly what loading serves.

The summary (:mod:`lossdrill.bank.summary`) is written into the parse cache from the parsed
items. These tests hold it to the full load: the same report from a store with evidence on
every kind of item, and no summary at all wherever the load would have something to say.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lossdrill.bank.files import cache_file
from lossdrill.bank.loader import load_banks
from lossdrill.bank.summary import load_summary
from lossdrill.progress.report import build_report
from lossdrill.recording import ImplementAttempt, QuizAnswer
from lossdrill.store import Review, open_store

NOW = 1_800_000_000.0
DAY = 86400.0
CARDS_BANK = Path(__file__).parent / "data" / "flashcards_bank"

GOOD = """\
items:
  - id: {id}
    version: 1
    kind: choice
    topic: regression
    prompt: "Which loss is robust to outliers?"
    explanation: "MAE grows linearly."
    source: "lecture"
    options:
      - {{text: MAE, correct: true}}
      - {{text: MSE, feedback: "Squaring lets outliers dominate."}}
"""


def _fill(store, bank) -> None:
    """Evidence on every third quiz item (some wrong), every other task (timed passes,
    failures with diagnoses, checks) and every fourth card, spread over six weeks."""
    store.sync_cards(bank.cards())
    quiz = bank.quiz_items()
    for k, item in enumerate(quiz[::3]):
        for j in range(3):
            ok = (k + j) % 3 != 0
            store.record_quiz_answer(
                QuizAnswer(
                    f"q{k % 7}", item.id, item.version, item.kind, item.topic, ok, float(ok), "x",
                    4000, at=NOW - (k % 40) * DAY - j * 60,
                )
            )  # fmt: skip
    for k, task in enumerate(bank.tasks()[::2]):
        passed = k % 3 != 1
        store.record_implement_attempt(
            ImplementAttempt(
                f"i{k}", task.id, passed, 1.0 if passed else 0.4,
                (("random", 200, 0 if passed else 20),), () if passed else ("unstable",),
                240.0 + 30 * k, k % 2, 6, at=NOW - (k % 20) * DAY,
                kind="timed" if k % 4 else "check",
            )
        )  # fmt: skip
    for k, card in enumerate(bank.cards()[::4]):
        store.record_review(
            Review(
                card.id, card.version, f"r{k % 5}", NOW - (k % 30) * DAY, (1, 3, 4)[k % 3], 0 if k % 2 else 2,
                2, None, 3.0 + k, 5.0, NOW + (k % 9 - 2) * DAY, 3 * DAY, DAY, 2000,
            )
        )  # fmt: skip


@pytest.mark.parametrize("user_banks", [False, True], ids=["built-in", "with user banks"])
def test_the_summary_gives_the_report_that_every_record_gives(tmp_path, user_banks):
    extra: list[Path] = []
    if user_banks:  # cards of their own, and a topic no built-in item has
        mine = tmp_path / "mine"
        mine.mkdir()
        (mine / "q.yaml").write_text(GOOD.format(id="robust").replace("regression", "my-topic"))
        extra = [CARDS_BANK, mine]
    full = load_banks(extra)  # parses, and writes the cache entries with their summaries
    assert not full.errors
    summary = load_summary(extra)
    assert summary is not None
    assert [i.id for i in summary.items] == [i.id for i in full.items]
    assert [(c.id, c.topic) for c in summary.cards()] == [(c.id, c.topic) for c in full.cards()]
    assert summary.task_roles() == full.task_roles() and full.task_roles()
    store = open_store(tmp_path / "data")
    try:
        _fill(store, full)
        from_records = build_report(store, full, now=NOW).to_dict()
        from_summary = build_report(store, summary, now=NOW).to_dict()
    finally:
        store.close()
    assert from_summary == from_records
    # the evidence reached every part of the report
    assert from_records["weakest"] and from_records["cards"]["reviewed"]
    assert any(t["status"] == "failing" for t in from_records["tasks"])
    assert any(line["evidence"] for line in from_records["checklist"])


def test_no_summary_before_the_banks_are_loaded_or_after_a_file_changes(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_BUILTIN_BANKS", "0")
    path = tmp_path / "banks" / "mine.yaml"
    path.parent.mkdir()
    path.write_text(GOOD.format(id="robust"))
    assert load_summary([path.parent]) is None  # nothing cached yet
    load_banks([path.parent])
    summary = load_summary([path.parent])
    assert summary is not None and [i.id for i in summary.items] == ["robust"]
    assert summary.get("robust").prompt == "Which loss is robust to outliers?"
    path.write_text(GOOD.format(id="robust-v2"))
    assert load_summary([path.parent]) is None  # stale: the load parses it again
    load_banks([path.parent])
    assert [i.id for i in load_summary([path.parent]).items] == ["robust-v2"]
    monkeypatch.setenv("LOSSDRILL_NO_CACHE", "1")
    assert load_summary([path.parent]) is None


@pytest.mark.parametrize(
    "files",
    [
        {"a.yaml": GOOD.format(id="same"), "b.yaml": GOOD.format(id="same")},
        {"a.yaml": GOOD.format(id="fine"), "b.yaml": "items:\n  - id: broken\n    version: 0\n"},
        {"a.yaml": "items: [this is: not yaml"},
    ],
    ids=["a repeated id", "a bad item", "a file that does not parse"],
)
def test_no_summary_where_loading_reports_a_problem(tmp_path, monkeypatch, files):
    monkeypatch.setenv("LOSSDRILL_BUILTIN_BANKS", "0")
    folder = tmp_path / "banks"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    assert load_banks([folder]).errors  # the load reports it ...
    assert load_summary([folder]) is None  # ... so progress loads, and reports, it too
    assert load_summary([folder, tmp_path / "no-such-folder"]) is None


def test_a_damaged_summary_line_is_not_served_and_the_items_still_load(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_BUILTIN_BANKS", "0")
    folder = tmp_path / "banks"
    folder.mkdir()
    (folder / "mine.yaml").write_text(GOOD.format(id="robust"))
    first = load_banks([folder])
    entry = cache_file(folder / "mine.yaml")
    key, summary, body = entry.read_text().split("\n", 2)
    assert json.loads(summary)[0][0] == "robust"
    for planted in ('[["robust", "1", "choice"]]', '[{"@": "ChoiceItem"}]', "not json"):
        entry.write_text("\n".join((key, planted, body)))
        assert load_summary([folder]) is None
        assert load_banks([folder]).items == first.items


def test_progress_reads_no_record_and_says_what_a_full_load_says(tmp_path):
    """The second ``progress`` imports neither the schema nor the loader, and prints what it
    prints when every record is loaded (``LOSSDRILL_NO_CACHE``)."""
    code = (
        "import sys, runpy\n"
        "sys.argv = ['lossdrill', 'progress', '--json']\n"
        "try:\n    runpy.run_module('lossdrill', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('lossdrill.bank.schema', 'lossdrill.bank.loader', 'yaml') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )  # fmt: skip
    store = open_store(None)
    try:
        _fill(store, load_banks())
    finally:
        store.close()

    def progress(**env: str) -> tuple[dict, str]:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, **env},
        )
        assert proc.returncode == 0, proc.stderr
        body = json.loads(proc.stdout)
        body.pop("generated")
        return body, proc.stderr

    progress()  # may fill the caches
    served, stderr = progress()
    assert "HEAVY []" in stderr
    loaded, stderr = progress(LOSSDRILL_NO_CACHE="1")
    assert "HEAVY []" not in stderr
    assert served == loaded and served["tasks"] and served["weakest"]
