"""The progress report: mastery, trends, implement table, cards, readiness checklist."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from drive import Session, lossdrill_command

from lossdrill.bank.loader import bank_files, load_files
from lossdrill.progress.report import build_report
from lossdrill.recording import ImplementAttempt, QuizAnswer
from lossdrill.store import open_store

BANK_DIR = Path(__file__).parent / "data" / "progress_bank"
CARDS_BANK = Path(__file__).parent / "data" / "flashcards_bank"
DAY = 86400.0
NOW = 1_800_000_000.0


@pytest.fixture
def bank():
    files, errors = bank_files([BANK_DIR])
    loaded = load_files(files, errors=errors)
    assert not loaded.errors
    return loaded


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path)
    yield s
    s.close()


def quiz(store, item: str, topic: str, correct: bool, at: float, session: str = "s") -> None:
    store.record_quiz_answer(
        QuizAnswer(
            session, item, 1, "choice", topic, correct, 1.0 if correct else 0.0, "x", 900, at=at
        )
    )


def implement(
    store,
    task: str,
    passed: bool,
    at: float = NOW - 60,
    *,
    elapsed: float = 300.0,
    hints: int = 0,
    lines: int = 6,
    groups=(),
    diagnoses=(),
) -> None:
    store.record_implement_attempt(
        ImplementAttempt(
            "s",
            task,
            passed,
            1.0 if passed else 0.4,
            tuple(groups),
            tuple(diagnoses),
            elapsed,
            hints,
            lines,
            at=at,
        )
    )


def line(report, start: str):
    (found,) = [c for c in report.checklist if c.text.startswith(start)]
    return found


def test_a_fresh_store_gives_an_empty_report(store, bank) -> None:
    report = build_report(store, bank, NOW)
    assert report.empty is True
    assert [t.status for t in report.tasks] == ["not started"] * 6
    assert report.cards.total == 7 and report.cards.due_now == 0
    assert not any(c.met for c in report.checklist)
    assert len(report.checklist) == 6


def test_topic_mastery_averages_quiz_tasks_and_cards(store, bank) -> None:
    # regression: quiz 3 of 4 right; tasks mse passed, mae failing (1 of 2); no card reviewed.
    for i, ok in enumerate([True, False, True, True]):
        quiz(store, "q-reg", "regression", ok, NOW - 100 + i)
    implement(store, "mse", True)
    implement(store, "mae", False)
    report = build_report(store, bank, NOW)
    (reg,) = [t for t in report.topics if t.topic == "regression"]
    assert reg.quiz_accuracy == pytest.approx(0.75)
    assert reg.implement == pytest.approx(0.5)
    assert reg.card_strength is None
    assert reg.mastery == pytest.approx((0.75 + 0.5) / 2)
    assert (reg.tasks, reg.tasks_passed, reg.cards) == (2, 1, 3)


def test_card_strength_counts_unreviewed_cards_as_zero(store, bank) -> None:
    store.sync_cards(bank.cards())
    # mse#1 reviewed with a stability of 10.5 days; mae#1, fc-reg new: (10.5/21 + 0 + 0) / 3.
    store.conn.execute(
        "UPDATE cards SET state = 2, stability = 10.5, due = ?, last_review = ?"
        " WHERE card_id = 'mse#1'",
        (NOW + 5 * DAY, NOW - DAY),
    )
    report = build_report(store, bank, NOW)
    (reg,) = [t for t in report.topics if t.topic == "regression"]
    assert reg.card_strength == pytest.approx(1 / 6)
    assert reg.cards_reviewed == 1


def test_the_trend_is_the_score_per_session_oldest_first(store, bank) -> None:
    for n, answers in enumerate([[False, False], [True, False], [True, True]]):
        for ok in answers:
            quiz(store, "q-reg", "regression", ok, NOW - 1000 + 100 * n, session=f"s{n}")
    report = build_report(store, bank, NOW)
    (reg,) = [t for t in report.topics if t.topic == "regression"]
    assert reg.trend == [0.0, 0.5, 1.0]


def test_weakest_items_come_lowest_accuracy_first(store, bank) -> None:
    quiz(store, "q-reg", "regression", True, NOW - 50)
    quiz(store, "q-gotcha", "classification", False, NOW - 40)
    quiz(store, "q-prod", "production", False, NOW - 30)
    quiz(store, "q-prod", "production", True, NOW - 20)
    report = build_report(store, bank, NOW)
    assert [(w.item_id, w.answered, w.accuracy, w.last_correct) for w in report.weakest] == [
        ("q-gotcha", 1, 0.0, False),
        ("q-prod", 2, 0.5, True),
    ]
    assert report.weakest[0].prompt == "Question q-gotcha?"


def test_the_task_table_shows_best_time_fewest_lines_and_frequent_mistakes(store, bank) -> None:
    implement(store, "focal", False, diagnoses=["unstable"], elapsed=100)
    implement(store, "focal", False, diagnoses=["unstable", "constant-alpha"], elapsed=200)
    implement(store, "focal", True, elapsed=700, lines=9)
    implement(store, "focal", True, elapsed=650, lines=12)
    store.record_hint("focal", 1)
    report = build_report(store, bank, NOW)
    (focal,) = [t for t in report.tasks if t.task == "focal"]
    assert focal.status == "passed"
    assert (focal.attempts, focal.passes) == (4, 2)
    assert focal.best_time_s == 650 and focal.fewest_lines == 9
    assert focal.hints == 1
    assert focal.diagnoses == [("unstable", 2), ("constant-alpha", 1)]
    assert focal.advice is not None and "max-shift" in focal.advice


def test_cards_due_now_by_day_and_retention(store, bank) -> None:
    store.sync_cards(bank.cards())
    for card_id, due in (
        ("mse#1", NOW - 10),
        ("mae#1", NOW + 2 * DAY),
        ("bce#1", NOW + 2 * DAY),
        ("focal#1", NOW + 40 * DAY),
    ):
        store.conn.execute(
            "UPDATE cards SET state = 2, stability = 5, due = ?, last_review = ? WHERE card_id = ?",
            (due, NOW - DAY, card_id),
        )
    # Reviews of mature cards (state 2 before): 3 recalled, 1 forgotten -> retention 3/4.
    for rating in (3, 3, 4, 1):
        store.conn.execute(
            "INSERT INTO reviews (card_id, card_version, at, rating, state_before,"
            " state_after, interval_s, answer_ms) VALUES ('mse#1', 1, ?, ?, 2, 2,"
            " 86400, 1000)",
            (NOW - DAY, rating),
        )
    # Cram reviews are logged but are not retention evidence (Anki leaves them out too).
    for _ in range(3):
        store.conn.execute(
            "INSERT INTO reviews (card_id, card_version, at, rating, state_before,"
            " state_after, interval_s, answer_ms, cram) VALUES ('mse#1', 1, ?, 1,"
            " 2, 2, 0, 1000, 1)",
            (NOW - DAY,),
        )
    report = build_report(store, bank, NOW)
    cards = report.cards
    assert (cards.total, cards.reviewed, cards.new, cards.due_now) == (7, 4, 3, 1)
    assert sum(n for _, n in cards.due_by_day) == 2  # focal#1 is due beyond the week
    assert cards.due_by_day[0][0] == "today" and cards.due_by_day[1][0] == "tomorrow"
    assert cards.retention == pytest.approx(0.75)
    assert cards.retention_reviews == 4


def test_speed_line_needs_each_of_mse_mae_bce_within_10_minutes_without_hints(store, bank) -> None:
    implement(store, "mse", True, elapsed=240)
    implement(store, "mae", True, elapsed=590)
    implement(store, "bce", True, elapsed=300, hints=2)  # hints used: does not count
    speed = line(build_report(store, bank, NOW), "Can implement MSE")
    assert speed.met is False
    assert speed.evidence == ["mse: 4m00s", "mae: 9m50s", "bce: passed only with hints"]
    implement(store, "bce", True, elapsed=610)  # over 10 minutes
    assert line(build_report(store, bank, NOW), "Can implement MSE").met is False
    implement(store, "bce", True, elapsed=420)
    assert line(build_report(store, bank, NOW), "Can implement MSE").met is True
    # A month later the evidence has gone stale.
    assert line(build_report(store, bank, NOW + 31 * DAY), "Can implement MSE").met is False


def test_a_pass_by_check_alone_is_untimed_and_does_not_prove_speed(store, bank) -> None:
    # `implement --check` grades a file without a clock and records 0 seconds.
    for task in ("mse", "mae", "bce"):
        implement(store, task, True, elapsed=0.0)
    report = build_report(store, bank, NOW)
    speed = line(report, "Can implement MSE")
    assert speed.met is False
    assert speed.evidence[0] == (
        "mse: passed, but untimed (--check or a re-check); time it from a blank starter"
        " with `lossdrill implement mse --fresh`"
    )
    mse = next(t for t in report.tasks if t.task == "mse")
    assert (mse.status, mse.best_time_s) == ("passed", None)
    implement(store, "mse", True, elapsed=300.0)
    assert (
        next(t for t in build_report(store, bank, NOW).tasks if t.task == "mse").best_time_s
        == 300.0
    )


def test_stability_line_needs_the_stability_group_passed_for_four_tasks(store, bank) -> None:
    for task in ("bce", "cce", "focal"):
        implement(store, task, True, groups=[("random", 200, 0), ("stability", 12, 0)])
    implement(
        store,
        "softmax",
        False,
        groups=[("random", 200, 0), ("stability", 8, 3)],
        diagnoses=["unstable"],
    )
    stab = line(build_report(store, bank, NOW), "Understand numerical stability")
    assert stab.met is False
    assert stab.evidence[-1] == "softmax: unstable"
    implement(store, "softmax", True, groups=[("random", 200, 0), ("stability", 8, 0)])
    assert line(build_report(store, bank, NOW), "Understand numerical stability").met is True


def test_failure_mode_and_business_lines_count_tagged_questions(store, bank) -> None:
    for i in range(10):
        quiz(store, "q-gotcha", "classification", i != 0, NOW - 500 + i)  # 9 of 10
    for i in range(5):
        quiz(store, "q-prod", "production", i % 2 == 0, NOW - 400 + i)  # 3 of 5
    report = build_report(store, bank, NOW)
    fails = line(report, "Know when each loss fails")
    assert fails.met is True and fails.evidence == ["10 answers, 90% right"]
    business = line(report, "Explain business impact")
    assert business.met is False and business.evidence == ["5 answers, 60% right (80% needed)"]
    quiz(store, "q-prod", "production", True, NOW - 100)
    quiz(store, "q-gotcha", "classification", True, NOW - 100)
    later = build_report(store, bank, NOW + 30 * DAY - 150)  # only the last two are in the window
    assert line(later, "Know when each loss fails").evidence == [
        "1 of the 10 answers needed, 100% right"
    ]


def test_the_edge_case_line_names_the_slips_and_the_tasks_still_needed(store, bank) -> None:
    implement(store, "mse", True)
    implement(store, "focal", False, diagnoses=["empty-batch", "constant-alpha"])
    edge = line(build_report(store, bank, NOW), "Handle edge cases")
    assert edge.met is False
    assert edge.evidence == [
        "1 of the 5 tasks needed passed",
        "1 empty-batch/unstable slip in the last 10 attempts (focal empty-batch)",
    ]


def test_interviews_are_listed_newest_first(store, bank) -> None:
    store.record_interview(
        {"task": "focal", "score": 0.6, "started": NOW - 2 * DAY, "verdict": "borderline"}
    )
    store.record_interview({"task": "bce", "score": 0.85, "started": NOW - DAY})
    report = build_report(store, bank, NOW)
    assert [(i.task, i.score, i.verdict) for i in report.interviews] == [
        ("bce", 0.85, None),
        ("focal", 0.6, "borderline"),
    ]
    assert report.empty is False


def run_progress(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        "LOSSDRILL_HOME": str(home),
        "LOSSDRILL_BUILTIN_BANKS": "0",
        "NO_COLOR": "1",
        "COLUMNS": "120",
        "PATH": "/usr/bin:/bin",
    }
    return subprocess.run(
        lossdrill_command()
        + ["progress", "--bank", str(BANK_DIR), "--bank", str(CARDS_BANK), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_fresh_store_shows_a_friendly_empty_state(tmp_path: Path) -> None:
    result = run_progress(tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert "Nothing recorded yet" in result.stdout
    assert "Interview readiness: 0 of 6 lines met" in result.stdout
    # Each line shows its rule; there is no evidence yet to list.
    assert result.stdout.count("rule: ") == 6
    assert "·" not in result.stdout and "not passed" not in result.stdout
    data = json.loads(run_progress(tmp_path / "home", "--json").stdout)
    assert data["empty"] is True


def test_quiz_implement_and_reviews_show_up_after_a_restart(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # A quiz (as the quiz drill records it), a failed then a passed implement attempt.
    store = open_store(home)
    s = store.start_session("quiz")
    store.record_quiz_answer(
        QuizAnswer(s, "q-reg", 1, "choice", "regression", False, 0.0, "2", 5000)
    )
    store.record_quiz_answer(
        QuizAnswer(s, "q-gotcha", 1, "choice", "classification", True, 1.0, "1", 3000)
    )
    store.end_session(s, {})
    s = store.start_session("implement")
    store.record_implement_attempt(
        ImplementAttempt(
            s, "mse", False, 0.5, (("random", 200, 120),), ("missing-half",), 180.0, 0, 5
        )
    )
    store.record_implement_attempt(
        ImplementAttempt(s, "mse", True, 1.0, (("random", 200, 0),), (), 420.0, 0, 4)
    )
    store.end_session(s, {})
    store.close()
    # Two cards reviewed through the installed command.
    review = Session(
        ["flashcards", "--bank", str(CARDS_BANK), "--topic", "regression"],
        {"LOSSDRILL_HOME": str(home), "LOSSDRILL_BUILTIN_BANKS": "0", "NO_COLOR": "1"},
        tty=False,
    )
    review.expect("Enter to reveal > ")
    review.send("")
    review.send("3")
    assert review.finish() == 0

    result = run_progress(home, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["empty"] is False
    mse = next(t for t in data["tasks"] if t["task"] == "mse")
    assert (mse["status"], mse["attempts"], mse["passes"]) == ("passed", 2, 1)
    assert (mse["best_time_s"], mse["fewest_lines"]) == (420.0, 4)
    assert mse["diagnoses"] == [["missing-half", 1]]
    reg = next(t for t in data["topics"] if t["topic"] == "regression")
    assert (reg["quiz_answered"], reg["quiz_accuracy"]) == (1, 0.0)
    assert data["cards"]["reviewed"] == 1
    assert [w["item_id"] for w in data["weakest"]] == ["q-reg"]

    text = run_progress(home).stdout
    assert "Mastery by topic" in text
    assert "mse" in text and "passed" in text
    assert "Flashcards: 1 of 10 seen" in text
    assert "9 new left today (of 10 a day)" in text
    assert data["cards"]["new_started_today"] == 1


def test_a_damaged_store_is_moved_aside_and_progress_says_where(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "lossdrill.sqlite3").write_bytes(b"\x00garbage" * 512)
    result = run_progress(home)
    assert result.returncode == 0
    (aside,) = home.glob("lossdrill.sqlite3.corrupt-*")
    assert aside.name in result.stderr.replace("\n", "")
    assert "fresh store" in result.stderr
    assert "Nothing recorded yet" in result.stdout
    assert "Traceback" not in result.stderr


def test_at_80_columns_every_line_fits_and_no_word_is_cut(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = open_store(home)
    implement(store, "mse", True, elapsed=0.0)
    implement(store, "focal", False, diagnoses=["unstable", "empty-batch"])
    implement(store, "focal", False, diagnoses=["unstable"])
    quiz(store, "q-prod", "production", False, NOW)
    store.close()
    env = {
        "LOSSDRILL_HOME": str(home),
        "LOSSDRILL_BUILTIN_BANKS": "0",
        "NO_COLOR": "1",
        "COLUMNS": "80",
        "PATH": "/usr/bin:/bin",
    }
    text = subprocess.run(
        lossdrill_command() + ["progress", "--bank", str(BANK_DIR)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    assert max(len(row) for row in text.splitlines()) <= 80
    assert [row for row in text.splitlines() if row.endswith(" ")] == []
    flat = " ".join(row.strip() for row in text.splitlines())
    # Wrapped at word boundaries: every sentence reads whole once the lines are joined.
    assert (
        "rule: mse, mae and bce each passed within 10 minutes, timed from a blank starter and"
        " without hints, in the last 30 days"
    ) in flat
    assert (
        "mse: passed, but untimed (--check or a re-check); time it from a blank starter"
        " with `lossdrill implement mse --fresh`"
    ) in flat
    assert "focal: you keep forgetting the max-shift / log-sum-exp trick for extreme inputs" in flat
    assert "untimed" in text.split("Implement", 1)[1].split("\n")[2]  # mse's best time


def test_advice_on_a_misnamed_function_names_the_command_for_that_task(store, bank) -> None:
    implement(store, "mse", False, diagnoses=["missing-function"])
    implement(store, "mse", False, diagnoses=["missing-function"])
    mse = next(t for t in build_report(store, bank, NOW).tasks if t.task == "mse")
    assert mse.advice == (
        "you keep naming the function differently from the contract"
        " (the starter from `lossdrill implement mse` has the right signature)"
    )


def test_mock_interviews_show_a_percentage_and_the_verdict(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = open_store(home)
    # Sheets as `lossdrill interview` stores them: score 0..1, a verdict word.
    store.record_interview(
        {
            "task": "focal",
            "score": 0.8,
            "verdict": "pass",
            "started": "2026-03-02T10:00:00+00:00",
            "complete": True,
        }
    )
    store.record_interview(
        {
            "task": "mse",
            "score": None,
            "verdict": "not assessed",
            "started": "2026-03-03T10:00:00+00:00",
            "complete": False,
        }
    )
    store.close()
    text = run_progress(home).stdout
    section = text.split("Mock interviews", 1)[1]
    rows = [row.split() for row in section.strip().splitlines()[1:]]
    # an interview that ended early reads "incomplete", whatever verdict its sheet stored
    assert [row[2:] for row in rows] == [["mse", "—", "incomplete"], ["focal", "80%", "pass"]]
    assert "0.8" not in section
