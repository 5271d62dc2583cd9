"""Every screen at 60 columns, in a real terminal (pty): nothing wider than the terminal."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from drive import Session, lossdrill_command

from lossdrill.recording import ImplementAttempt, QuizAnswer
from lossdrill.store import open_store

BAD_MSE = "import numpy as np\n\ndef mse_loss(y_true, y_pred):\n    return np.mean((y_pred - y_true) ** 2)\n"


def seeded_home(tmp_path: Path) -> Path:
    """A home with quiz answers, a failing task with diagnoses and a passed one."""
    home = tmp_path / "home"
    work = tmp_path / "mse.py"
    work.write_text(BAD_MSE)
    subprocess.run(
        [
            *lossdrill_command(),
            "implement",
            "mse",
            "--check",
            "--file",
            str(work),
            "--home",
            str(home),
        ],
        capture_output=True,
        timeout=120,
    )
    store = open_store(home)
    store.record_implement_attempt(
        ImplementAttempt("s", "focal", True, 1.0, (("random", 200, 0),), (), 300.0, 0, 6)
    )
    session = store.start_session("quiz")
    for item, kind, topic in (
        ("bey-clip-form", "recall", "contrastive"),
        ("bug-lecture-focal-clip", "bug-hunt", "classification"),
        ("bey-dice-fails", "recall", "segmentation"),
    ):
        store.record_quiz_answer(QuizAnswer(session, item, 1, kind, topic, False, 0.0, "x", 3000))
    store.end_session(session, {})
    store.close()
    return home


def screen(args: list[str], home: Path, cols: int) -> str:
    s = Session(args, {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"}, tty=True, cols=cols, rows=60)
    assert s.finish() == 0
    return s.text


def test_progress_fits_60_columns_by_narrowing_and_dropping_columns(tmp_path):
    home = seeded_home(tmp_path)
    wide = screen(["progress"], home, 100)
    narrow = screen(["progress"], home, 60)
    assert max(len(line) for line in narrow.splitlines()) <= 60
    # the wide screen has every column; the narrow one keeps the essential ones, unbroken
    assert re.search(r"topic\s+mastery\s+quiz\s+tasks\s+cards\s+trend", wide)
    assert re.search(r"^ topic\s+mastery\s+quiz\s+tasks\s+cards$", narrow, re.M)
    assert re.search(
        r"^ classification\s+[█·]{5}\s+\d+%\s+\d+% of \d+\s+\d+/\d+\s+\d+/\d+$", narrow, re.M
    )
    assert re.search(r"^ mse\s+failing\s+0/1\s+—", narrow, re.M)
    assert re.search(r"^ focal\s+passed\s+1/1\s+5:00", narrow, re.M)
    assert re.search(r"^ bug-lecture-focal-clip\s+0% of 1\s+wrong", narrow, re.M)
    assert "Flashcards: 0 of" in narrow


def test_plot_and_list_fit_60_columns(tmp_path):
    for args in (["plot", "focal", "--gamma", "0", "--gamma", "2"], ["list"], ["--help"]):
        s = Session(
            args, {"LOSSDRILL_HOME": str(tmp_path), "NO_COLOR": "1"}, tty=True, cols=60, rows=40
        )
        s.finish()
        assert max(len(line) for line in s.text.splitlines()) <= 60, args


def test_the_flashcards_summary_wraps_with_a_hanging_indent(tmp_path):
    bank = str(Path(__file__).parent / "data" / "flashcards_bank")
    s = Session(
        ["flashcards", "--bank", bank],
        {"LOSSDRILL_HOME": str(tmp_path), "LOSSDRILL_BUILTIN_BANKS": "0", "NO_COLOR": "1"},
        tty=False,
        cols=30,
    )
    for _ in range(2):
        s.expect("reveal > ")
        s.send("")
        s.send("1")
    s.close_input()
    assert s.finish() == 0
    assert "  again MSE with the half:\n        formula?\n" in s.text
