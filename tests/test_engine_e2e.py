"""Two simulated weeks toward an interview, through the installed command.

The test controls the clock with ``LOSSDRILL_NOW`` and plays a learner who runs bare
``lossdrill`` every morning and does what it says: the quiz (answering one item wrong on
the first day), and the implement task ``mse`` whenever the plan names it (other tasks are
left alone). It checks that the missed item comes back, that ``--missed`` drills it, that
the passed task returns as a re-implementation in a fresh file (so its starter is blank),
and that the forecast moves with the evidence.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from drive import Session, lossdrill_command, option_number

BANK = str(Path(__file__).parent / "data" / "progress_bank")
RIGHT_MSE = """
import numpy as np

def mse_loss(y_true, y_pred):
    e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return 0.5 * float(np.mean(e ** 2)) if e.size else 0.0
"""
# Ids are shown only after an answer; the test bank names each item in its prompt.
HEADER = r"Q(\d+)/(\d+) · [a-z-]+ · [a-z-]+ · ★+[^\n]*\n\W*Question ([a-z0-9-]+)\?"


def at_day(env: dict[str, str], day: int) -> dict[str, str]:
    return {**env, "LOSSDRILL_NOW": f"2026-03-{2 + day:02d}T09:00:00"}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        lossdrill_command() + list(args), env=env, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in done.stdout + done.stderr
    return done


def quiz(env: dict[str, str], *args: str, wrong: tuple[str, ...] = ()) -> list[str]:
    """Run a quiz, answering the items in ``wrong`` wrong and the rest right; returns the
    ids asked, in order."""
    s = Session(["quiz", *args], env, tty=False)
    asked = []
    while True:
        m = s.expect(HEADER)
        asked.append(m.group(3))
        prompt = s.expect(r"your answer> ")
        s.send(option_number(s.text[: prompt.start()], "wrong" if m.group(3) in wrong else "right"))
        if m.group(1) == m.group(2):
            break
    assert s.finish() == 0
    assert re.search(r"Next: lossdrill \S+", s.text), s.text[-800:]
    return asked


def regression_recall(env: dict[str, str]) -> int:
    out = run(env, "plan").stdout
    m = re.search(r"regression\s+│\s+\d+/\d+\s+│\s+(\d+)%", out)
    assert m, out
    return int(m.group(1))


def test_two_weeks_toward_an_interview(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LOSSDRILL_HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
        "COLUMNS": "120",
        "LOSSDRILL_BUILTIN_BANKS": "0",
        "LOSSDRILL_BANKS": BANK,
    }
    day0 = at_day(env, 0)
    set_up = run(day0, "plan", "--interview", "2026-03-16", "--minutes", "45")
    assert set_up.returncode == 0, set_up.stderr
    assert "Interview Mon 16 Mar 2026 · in 14 days · 45 minutes a day" in set_up.stdout
    assert regression_recall(day0) == 0  # nothing practised yet

    first = run(day0)  # bare lossdrill: today's plan
    assert first.returncode == 0
    assert "interview in 14 days" in first.stdout
    assert re.search(r"^Next: lossdrill \S+", first.stdout, re.M)

    asked = quiz(day0, "-n", "4", wrong=("q-reg",))
    assert "q-reg" in asked
    solution = tmp_path / "mse.py"
    solution.write_text(RIGHT_MSE)
    assert run(day0, "implement", "mse", "--file", str(solution), "--check").returncode == 0

    # Day 1: the miss is due and comes back first; the forecast has moved.
    day1 = at_day(env, 1)
    today = run(day1, "today").stdout
    assert re.search(r"quiz\s+~\d+ min\s+\d+ questions? \([^)]*\d+ due", today), today
    assert quiz(day1, "-n", "1", wrong=("q-reg",)) == ["q-reg"]
    assert quiz(day1, "--missed") == ["q-reg"]  # the last session's miss, now answered right
    after_evidence = regression_recall(day1)
    assert after_evidence > 0

    reimplemented = []
    for day in range(2, 14):
        env_d = at_day(env, day)
        plan = run(env_d)
        assert plan.returncode == 0, plan.stderr
        assert re.search(r"^Next: lossdrill \S+", plan.stdout, re.M)
        blank = re.search(
            r"mse: re-implement from a blank starter.*\n\s+lossdrill implement mse"
            r" --file (\S+)",
            plan.stdout,
        )
        if blank:
            path = Path(blank.group(1))
            assert not path.exists()  # a fresh file: the starter written there is blank
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(RIGHT_MSE)
            assert run(env_d, "implement", "mse", "--file", str(path), "--check").returncode == 0
            reimplemented.append(day)
        if re.search(r"\d+\. quiz", plan.stdout):
            quiz(env_d, "-n", "2")
        if day >= 11:  # new material has stopped: reviews only
            assert "review only" in plan.stdout or "final days" in plan.stdout
            assert "(new" not in plan.stdout and ", new" not in plan.stdout
    assert reimplemented, "the passed task never came back"
    assert regression_recall(at_day(env, 13)) > 0

    # The forecast follows the evidence: a day of misses on regression pulls it down.
    day13 = at_day(env, 13)
    before = regression_recall(day13)
    for _ in range(2):
        quiz(day13, "-n", "4", wrong=("q-reg",))
    assert regression_recall(day13) < before


def test_today_go_runs_the_plan_and_ctrl_c_saves_and_summarises(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "LOSSDRILL_HOME": str(tmp_path / "home"),
        "LOSSDRILL_BUILTIN_BANKS": "0",
        "LOSSDRILL_BANKS": BANK,
        "LOSSDRILL_NOW": "2026-03-02T09:00:00",
    }
    s = Session(["today", "--go"], env, tty=True)
    s.expect(r"1\. flashcards")
    s.expect(r"#1 · [\s\S]*answer, or Enter to reveal > ")  # the first card's prompt
    s.send("")
    s.expect(r"4 Easy[^>\n]*> ")  # the rating line
    s.send_keys("3")  # one key rates the card Good (single-key prompt), then Ctrl-C
    s.expect(r"#2 · [\s\S]*answer, or Enter to reveal > ")
    s.interrupt()
    assert s.finish() == 130
    out = s.text
    assert "Session over: 1 card" in out  # the drill's own summary
    assert re.search(r"Done: nothing yet · left: flashcards, quiz", out), out[-1500:]
    assert "Your answers are saved." in out
    assert re.search(r"Next: lossdrill \S+", out)
    assert "Traceback" not in out
    # The card rated before Ctrl-C is in the unified schedule.
    import sqlite3

    conn = sqlite3.connect(tmp_path / "home" / "lossdrill.sqlite3")
    rows = conn.execute("SELECT kind, rating, source FROM schedule_log").fetchall()
    conn.close()
    assert rows == [("card", 3, "review")]


def test_bare_lossdrill_stays_light(tmp_path: Path) -> None:
    """With warm caches, today's plan imports neither NumPy, YAML nor the fsrs package."""
    import sys

    env = {**os.environ, "LOSSDRILL_HOME": str(tmp_path / "home")}
    code = (
        "import sys\nsys.argv = ['lossdrill']\nfrom lossdrill import cli\n"
        "try:\n    cli.app()\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print('HEAVY', [m for m in ('numpy', 'yaml', 'fsrs') if m in sys.modules])\n"
    )
    for _ in range(2):  # the first run fills the bank and taxonomy caches
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert "HEAVY []" in done.stdout, done.stdout[-500:]


def test_progress_shows_the_forecast_beside_todays_state_once_a_date_is_set(tmp_path: Path) -> None:
    env = at_day(
        {
            **os.environ,
            "LOSSDRILL_HOME": str(tmp_path / "home"),
            "NO_COLOR": "1",
            "COLUMNS": "100",
            "LOSSDRILL_BUILTIN_BANKS": "0",
            "LOSSDRILL_BANKS": BANK,
        },
        0,
    )
    assert "Forecast for the interview day" not in run(env, "progress").stdout
    assert "forecast" not in json.loads(run(env, "progress", "--json").stdout)
    assert run(env, "plan", "--interview", "2026-03-16").returncode == 0
    out = run(env, "progress").stdout
    assert "Readiness checklist" in out or "readiness" in out.lower()  # today's state
    assert re.search(r"Forecast for the interview day \(Mon 16 Mar 2026, in 14 days", out), out[
        -1500:
    ]
    before = json.loads(run(env, "progress", "--json").stdout)["forecast"]
    assert before["interview"] == "2026-03-16"
    quiz(env, "-n", "4")  # every answer right
    after = json.loads(run(env, "progress", "--json").stdout)["forecast"]
    recall = {t["topic"]: t["recall"] for t in after["topics"]}
    assert max(recall.values()) > max(t["recall"] for t in before["topics"])
