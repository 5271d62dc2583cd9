"""`lossdrill interview` end to end: the installed command driven through stdin and a pty."""

from __future__ import annotations

import json
import sqlite3
import textwrap

import pytest
from drive import Session

PROMPT = r"(your answer|your choice|buggy line)> |c check · q give up> "

MSE = textwrap.dedent(
    """
    import numpy as np


    def mse_loss(y_true, y_pred):
        e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
        if e.size == 0:
            return 0.0
        return 0.5 * float(np.mean(e * e))
    """
)
MSE_GRAD = textwrap.dedent(
    """
    import numpy as np


    def mse_gradient(y_true, y_pred):
        return np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    """
)


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


def drive(session: Session, implement_answers: list[str]) -> None:
    """Give up on every question; answer the implement prompts from ``implement_answers``."""
    todo = list(implement_answers)
    while True:
        try:
            match = session.expect(PROMPT, timeout=60)
        except AssertionError:
            return  # the interview is over
        if match.group(0).startswith("c check"):
            session.send(todo.pop(0) if todo else "q")
        else:
            session.send("?")


def stored_sheets(home) -> list[dict]:
    conn = sqlite3.connect(home / "lossdrill.sqlite3")
    try:
        return [json.loads(s) for (s,) in conn.execute("SELECT sheet FROM interviews")]
    finally:
        conn.close()


def test_a_scripted_interview_on_mse_with_a_correct_solution(home, tmp_path):
    (tmp_path / "mse.py").write_text(MSE)
    (tmp_path / "grad.py").write_text(MSE_GRAD)
    s = Session(
        ["interview", "--task", "mse", "--seed", "4"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
        cols=140,
    )
    drive(s, [f"file {tmp_path / 'mse.py'}", f"file {tmp_path / 'grad.py'}"])
    assert s.finish() == 0
    text = s.text
    assert "Today's loss: mse (mse_loss)" in text
    assert "PASS all" in text
    assert "score sheet" in text
    for criterion in ("correctness", "numerical stability", "edge cases", "speed", "concepts"):
        assert criterion in text
    assert "gradient follow-up mse-grad: passed" in text
    assert "Traceback" not in text

    (sheet,) = stored_sheets(home)
    points = {c["name"]: c["points"] for c in sheet["criteria"]}
    assert points == {
        "correctness": 4,
        "numerical stability": 4,
        "edge cases": 4,
        "speed": 4,
        "concepts": 0,
    }  # every question given up
    assert sheet["task"] == "mse" and sheet["complete"] is True
    assert sheet["score"] == 0.8
    # the starter was written to the work folder, and left alone
    starters = sorted((home / "work").glob("interview-mse-*.py"))
    assert starters and "def mse_loss" in starters[0].read_text()


def test_a_wrong_solution_is_graded_with_its_diagnosis(home, tmp_path):
    (tmp_path / "mse.py").write_text(MSE.replace("0.5 * ", ""))  # the missing ½
    s = Session(
        ["interview", "--task", "mse", "--seed", "4"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
        cols=140,
    )
    drive(s, [f"file {tmp_path / 'mse.py'}", "q", "q"])
    assert s.finish() == 0
    (sheet,) = stored_sheets(home)
    correctness = next(c for c in sheet["criteria"] if c["name"] == "correctness")
    assert correctness["points"] < 4
    assert any("missing-half" in line for line in correctness["evidence"])
    assert "FAIL" in s.text


def test_end_of_input_gives_a_partial_sheet(home):
    s = Session(
        ["interview", "--task", "bce", "--seed", "2"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
    )
    s.expect(PROMPT)
    s.close_input()
    assert s.finish() == 0
    assert "Partial sheet" in s.text
    assert "ended early, during step 1" in s.text
    (sheet,) = stored_sheets(home)
    assert sheet["complete"] is False


def test_ctrl_c_at_the_implement_prompt_ends_with_the_sheet(home):
    s = Session(
        ["interview", "--task", "bce", "--seed", "2"], {"LOSSDRILL_HOME": str(home)}, tty=True
    )
    while True:
        match = s.expect(PROMPT)
        if match.group(0).startswith("c check"):
            break
        s.send("?")
    s.interrupt()
    assert s.finish() == 130  # Ctrl-C: 130, as git gives
    assert "Interview ended early" in s.text
    assert "score sheet" in s.text
    assert "Checking the file" not in s.text  # the starter was left as it was
    assert "Traceback" not in s.text


def test_ctrl_c_after_writing_code_checks_it_once_for_the_sheet(home):
    s = Session(
        ["interview", "--task", "mse", "--seed", "4"],
        {"LOSSDRILL_HOME": str(home)},
        tty=True,
        cols=130,
    )
    while not s.expect(PROMPT).group(0).startswith("c check"):
        s.send("?")
    (starter,) = (home / "work").glob("interview-mse-*.py")
    starter.write_text(MSE.replace("0.5 * ", ""))  # written in the editor, never checked
    s.interrupt()
    assert s.finish() == 130  # Ctrl-C: 130, as git gives
    assert "Checking the file as it stands" in s.text
    (sheet,) = stored_sheets(home)
    correctness = next(c for c in sheet["criteria"] if c["name"] == "correctness")
    assert correctness["points"] == 0
    assert any("missing-half" in line for line in correctness["evidence"])


def test_without_a_task_the_weakest_area_is_chosen(home):
    from lossdrill.recording import ImplementAttempt
    from lossdrill.store import open_store

    store = open_store(home)
    session = store.start_session("implement")
    for task, passed in (("huber", False), ("huber", False), ("mse", True)):
        store.record_implement_attempt(
            ImplementAttempt(session, task, passed, 0.5, (("random", 200, 0),), (), 60.0, 0, 6)
        )
    store.close()
    s = Session(
        ["interview", "--seed", "1"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
        cols=160,
    )
    s.close_input()
    assert s.finish() == 0
    assert "Today's loss: huber (huber_loss) — your weakest area" in s.text
    # and the evidence behind the choice
    assert "in the progress store: 0 of 2 implement attempts passed." in s.text


def test_an_unknown_task_is_a_usage_error(home):
    s = Session(["interview", "--task", "hubber"], {"LOSSDRILL_HOME": str(home)}, tty=False)
    assert s.finish() == 2
    assert "unknown task 'hubber' (did you mean huber?)" in s.text


def test_a_narrow_terminal_gets_the_sheet_as_blocks_with_whole_commands(home, tmp_path):
    (tmp_path / "mse.py").write_text(MSE.replace("0.5 * ", ""))  # the missing ½
    s = Session(
        ["interview", "--task", "mse", "--seed", "4"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
        cols=60,
    )
    drive(s, [f"file {tmp_path / 'mse.py'}", "q", "q"])
    assert s.finish() == 0
    sheet = s.text[s.text.index("score sheet") :]
    lines = [line.strip("│ ") for line in sheet.splitlines()]
    assert "correctness  0/4" in lines
    assert "numerical stability  n/a" in lines  # wrong before unstable: not judged
    # every "practise next" command is whole on its own line, ready to copy
    commands = [line[2:] for line in lines if line.startswith("→ ")]
    assert "lossdrill implement mse" in commands
    assert len(commands) == 5
    assert max(len(line) for line in s.text.splitlines()) <= 60
    # the step headers are not cut short either
    assert "step 3/6 · implement: mse_loss" in s.text


def test_a_task_can_be_named_by_its_function_in_any_case(home):
    for name in ("focal_loss", "FOCAL"):
        s = Session(
            ["interview", "--task", name, "--seed", "2"],
            {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
            tty=False,
        )
        s.close_input()
        assert s.finish() == 0
        assert "Today's loss: focal (focal_loss)" in s.text


def test_a_misspelt_task_gets_a_suggestion(home):
    s = Session(["interview", "--task", "hubber"], {"LOSSDRILL_HOME": str(home)}, tty=False)
    assert s.finish() == 2
    assert "(did you mean huber?)" in s.text


def test_a_wide_terminal_gets_the_sheet_as_a_table_with_whole_commands(home, tmp_path):
    (tmp_path / "mse.py").write_text(MSE)
    s = Session(
        ["interview", "--task", "mse", "--seed", "4"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
        cols=130,
    )
    drive(s, [f"file {tmp_path / 'mse.py'}", "q"])
    assert s.finish() == 0
    sheet_text = s.text[s.text.index("score sheet") :]
    assert "┃ practise next" in sheet_text  # the table layout
    (sheet,) = stored_sheets(home)
    for c in sheet["criteria"]:
        assert c["practise"]["command"] in sheet_text, c["practise"]["command"]


def test_an_interview_longer_than_90_minutes_is_refused(home):
    s = Session(
        ["interview", "--task", "mse", "--minutes", "300"], {"LOSSDRILL_HOME": str(home)}, tty=False
    )
    assert s.finish() == 2
    assert "at most 90 minutes" in s.text
    assert not (home / "lossdrill.sqlite3").exists()  # nothing started, nothing recorded


def test_a_file_that_does_not_parse_says_so_at_the_check(home, tmp_path):
    (tmp_path / "mse.py").write_text("def mse_loss(y_true, y_pred:\n    return 0\n")
    (tmp_path / "named.py").write_text("def mse(y_true, y_pred):\n    return 0.0\n")
    s = Session(
        ["interview", "--task", "mse", "--seed", "4"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
        cols=140,
    )
    drive(s, [f"file {tmp_path / 'mse.py'}", f"file {tmp_path / 'named.py'}", "q", "q"])
    assert s.finish() == 0
    assert "syntax-error: the file does not parse: line 1" in s.text
    assert "missing-function: the file does not define mse_loss()" in s.text


def test_time_running_out_at_a_question_is_said_at_once_and_the_sheet_is_incomplete(home):
    """The trial's reproduction (M4): a 1-minute interview that runs out after 1 step."""
    s = Session(
        ["interview", "--task", "mse", "--minutes", "1", "--seed", "4"],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=False,
        cols=140,
    )
    s.expect(PROMPT)
    s.send("?")  # step 1 answered (given up)
    s.expect(PROMPT)  # step 2 waits; the clock runs out while it does
    s.expect("Time is up for the interview", timeout=90)
    s.send("?")  # an answer after the time is up does not count
    s.expect(r"incomplete: 1 of (\d+) steps")
    s.expect(r"Overall \d+% · incomplete")
    s.expect(r"Next: lossdrill \S+")
    assert s.finish() == 0
    (sheet,) = stored_sheets(home)
    assert sheet["complete"] is False and sheet["verdict"] == "incomplete"
    assert sheet["steps_done"] == 1
    points = {c["name"]: c["points"] for c in sheet["criteria"]}
    # the implement step was never reached: 0, not "not assessed"
    assert points["correctness"] == 0 and points["speed"] == 0
    assert points["numerical stability"] == 0 and points["edge cases"] == 0
    assert sheet["score"] == 0.0
    assert any("its answer does not count" in n for n in sheet["notes"])
