"""A new user's first day, through the installed commands: quiz, implement, flashcards, progress."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from drive import Session, lossdrill_command, option_number

QUIZ_BANK = str(Path(__file__).parent / "data" / "bank_ok")

WRONG_MSE = """
import numpy as np

def mse_loss(y_true, y_pred):
    e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return float(np.mean(e ** 2)) if e.size else 0.0
"""

RIGHT_MSE = """
import numpy as np

def mse_loss(y_true, y_pred):
    e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return 0.5 * float(np.mean(e ** 2)) if e.size else 0.0
"""


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        lossdrill_command() + list(args), env=env, capture_output=True, text=True, timeout=300
    )


def test_quiz_implement_and_cards_of_a_first_day_show_in_progress(tmp_path: Path) -> None:
    import os

    env = {
        **os.environ,
        "LOSSDRILL_HOME": str(tmp_path / "home"),
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    # A quiz question answered wrong.
    quiz = Session(
        ["quiz", "--bank", QUIZ_BANK, "--kind", "choice", "--count", "1"],
        {**env, "LOSSDRILL_BUILTIN_BANKS": "0"},
        tty=False,
    )
    prompt = quiz.expect(r"your answer> ")
    quiz.send(option_number(quiz.text[: prompt.start()], "MAE"))
    assert quiz.finish() == 0

    # mse failed (no ½), then passed.
    solution = tmp_path / "mse.py"
    solution.write_text(WRONG_MSE)
    failed = run(env, "implement", "mse", "--file", str(solution), "--check", "--json")
    assert failed.returncode == 1, failed.stderr
    solution.write_text(RIGHT_MSE)
    passed = run(env, "implement", "mse", "--file", str(solution), "--check", "--json")
    assert passed.returncode == 0, passed.stdout + passed.stderr

    # One flashcard reviewed.
    cards = Session(["flashcards", "--topic", "regression", "--new", "1"], env, tty=False)
    cards.expect("Enter to reveal > ")
    cards.send("")
    cards.send("3")
    assert cards.finish() == 0

    # A new process (a restart) sees all of it.
    result = run(env, "progress", "--json", "--bank", QUIZ_BANK)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["empty"] is False
    mse = next(t for t in data["tasks"] if t["task"] == "mse")
    assert (mse["status"], mse["attempts"], mse["passes"]) == ("passed", 2, 1)
    assert mse["diagnoses"][0][0] == "missing-half"
    assert [w["item_id"] for w in data["weakest"]] == ["t-choice"]
    assert data["cards"]["reviewed"] == 1
    regression = next(t for t in data["topics"] if t["topic"] == "regression")
    assert regression["quiz_answered"] == 1 and regression["quiz_accuracy"] == 0.0

    text = run(env, "progress", "--bank", QUIZ_BANK).stdout
    assert "t-choice" in text
    assert "missing-half ×1" in text
    assert "Traceback" not in text
