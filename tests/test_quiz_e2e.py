"""The quiz, end to end: the installed command driven through pipes and a pseudo-terminal."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from drive import Session, option_number

BANK = str(Path(__file__).parent / "data" / "bank_ok")

RIGHT = {
    "t-choice": [["MSE"]],
    "t-multi": [["BCE with logits", "focal loss (as specified here)"]],
    "t-numeric": "0.693",
    "t-recall": "it avoids the log of zero and overflow in exp",
    "t-scenario": [["Yes, a few"], ["Huber"]],
}


@pytest.fixture
def env(tmp_path):
    return {
        "LOSSDRILL_HOME": str(tmp_path / "home"),
        "LOSSDRILL_BUILTIN_BANKS": "0",
        "NO_COLOR": "1",
    }


def answer(session: Session, item_id: str, spec) -> None:
    """Answer item ``item_id`` right, reading the option numbers off the screen."""
    if isinstance(spec, str):
        session.expect(r"your answer> ")
        session.send(spec)
        return
    for step in spec:
        prompt = session.expect(r"(your answer|your choice)> ")
        screen = session.text[: prompt.start()]
        session.send(",".join(option_number(screen, text) for text in step))


def run_all_right(env, *extra: str, tty: bool = False) -> Session:
    s = Session(["quiz", "--bank", BANK, "--count", "5", "--seed", "11", *extra], env, tty=tty)
    for _ in range(5):
        item_id = "t-" + s.expect(r"Q\d/5 · [a-z-]+ · ([a-z-]+) · ★+").group(1)
        answer(s, item_id, RIGHT[item_id])
    return s


def test_scripted_session_all_right_scores_full_marks(env):
    s = run_all_right(env)
    assert s.finish() == 0
    out = s.text
    assert re.search(r"Score\s+5/5 correct \(100% with partial credit\)", out)
    assert "Missed" not in out
    assert "Traceback" not in out
    assert re.search(r"Replay\s+lossdrill quiz --bank \S+ --count 5 --seed 11", out)
    for topic in ("regression", "classification", "information-theory", "stability"):
        assert re.search(rf"{topic}\s+│\s+\d/\d", out)


def test_wrong_answer_shows_why_and_is_listed_as_missed(env):
    s = Session(["quiz", "--bank", BANK, "--kind", "choice", "--count", "1"], env, tty=False)
    prompt = s.expect(r"your answer> ")
    screen = s.text[: prompt.start()]
    s.send(option_number(screen, "MAE"))
    assert s.finish() == 0
    out = s.text
    assert "Not quite" in out
    assert (
        "MAE grows linearly, so an outlier counts in proportion." in out
    )  # the wrong option's feedback
    assert re.search(r"Score\s+0/1", out)
    assert re.search(r"t-choice\s+│\s+regression\s+│\s+choice", out)


def test_bad_input_is_asked_again_never_a_traceback(env):
    s = Session(["quiz", "--bank", BANK, "--kind", "choice", "--count", "1"], env, tty=False)
    for bad in ("9", "abc", "", "0"):
        s.expect(r"your answer> ")
        s.send(bad)
    prompt = s.expect(r"your answer> ")
    screen = s.text[: prompt.start()]
    s.send(option_number(screen, "MSE"))
    assert s.finish() == 0
    out = s.text
    assert out.count("Not understood") == 3
    assert "Answer with the option's number (1–3) or letter (a–c). (? shows the answer)" in out
    assert re.search(r"Score\s+1/1", out)
    assert "Traceback" not in out


def test_numeric_rejects_text_then_grades_with_tolerance(env):
    s = Session(["quiz", "--bank", BANK, "--kind", "numeric"], env, tty=False)
    s.expect(r"your answer> ")
    s.send("about seven")
    s.expect(r"Not understood")
    s.expect(r"your answer> ")
    s.send("0.6935")  # log 2 = 0.693147..., within the item's 0.001
    assert s.finish() == 0
    assert re.search(r"Expected 0.693147 \(±0.001\); you answered 0.6935", s.text)
    assert re.search(r"Score\s+1/1", s.text)


def test_recall_shows_points_hit_and_missed(env):
    s = Session(["quiz", "--bank", BANK, "--kind", "recall"], env, tty=False)
    s.expect(r"your answer> ")
    s.send("because of overflow")
    assert s.finish() == 0
    out = s.text
    assert "Key points hit: 1 of 2" in out
    assert "✓ avoids overflow" in out and "✗ avoids log of zero" in out
    assert re.search(r"Score\s+1/1", out)  # min_points defaults to half of two points


def test_end_of_input_ends_with_summary_and_status_zero(env):
    s = Session(["quiz", "--bank", BANK, "--count", "5", "--seed", "3"], env, tty=False)
    s.expect(r"Q1/5 · [a-z-]+ · [a-z-]+ · ★+")
    s.close_input()
    assert s.finish() == 0
    out = s.text
    assert "No questions answered" in out
    assert "Traceback" not in out


def test_same_seed_same_questions_same_option_order(env):

    def shown(seed: str) -> str:
        s = Session(["quiz", "--bank", BANK, "--count", "5", "--seed", seed], env, tty=False)
        for _ in range(5):
            item_id = "t-" + s.expect(r"Q\d/5 · [a-z-]+ · ([a-z-]+) · ★+").group(1)
            answer(s, item_id, RIGHT[item_id])
        s.finish()
        return "\n".join(
            line for line in s.text.splitlines() if re.search(r"Q\d/5|\d/[a-z] ", line)
        )

    first, second = shown("42"), shown("42")
    assert first == second
    assert shown("43") != first


def test_interactive_terminal_ctrl_c_ends_with_summary(env):
    s = Session(["quiz", "--bank", BANK, "--count", "5", "--seed", "5"], env, tty=True)
    item_id = "t-" + s.expect(r"Q1/5 · [a-z-]+ · ([a-z-]+) · ★+").group(1)
    answer(s, item_id, RIGHT[item_id])
    if item_id == "t-recall":
        s.expect(r"Enter to accept")
        s.send("")
    s.expect(r"Q2/5")
    s.expect(r"(your answer|your choice)> ")
    s.interrupt()
    assert s.finish() == 130  # Ctrl-C: 130, as git gives
    out = s.text
    assert "Quiz summary" in out
    assert re.search(r"Score\s+1/1", out)
    assert "early, after 1 of 5 questions" in out
    assert "Traceback" not in out


def test_interactive_recall_grade_can_be_overruled(env):
    s = Session(["quiz", "--bank", BANK, "--kind", "recall"], env, tty=True)
    s.expect(r"your answer> ")
    s.send("no idea really")
    s.expect(r"Key points hit: 0 of 2")
    s.expect(r"o to mark it right> ")
    s.send("o")
    s.expect(r"Marked right by you")
    assert s.finish() == 0
    assert re.search(r"Score\s+1/1", s.text)


def test_unknown_topic_is_a_usage_error(env):
    s = Session(["quiz", "--bank", BANK, "--topic", "astrology"], env, tty=False)
    assert s.finish() == 2
    assert "error: unknown topic 'astrology'" in s.text


def test_a_broken_user_bank_is_reported_and_the_quiz_goes_on(env, tmp_path):
    broken = tmp_path / "mybank"
    broken.mkdir()
    (broken / "bad.yaml").write_text(
        "items:\n  - id: mine\n    version: 1\n    kind: choice\n    topic: [oops\n"
    )
    s = Session(
        ["quiz", "--bank", BANK, "--bank", str(broken), "--kind", "numeric"], env, tty=False
    )
    s.expect(r"your answer> ")
    s.send("0.693")
    assert s.finish() == 0
    out = s.text
    assert re.search(rf"warning: {re.escape(str(broken / 'bad.yaml'))}:\d+: invalid YAML", out)
    assert re.search(r"Score\s+1/1", out)


def test_a_numeric_item_whose_formula_fails_is_skipped_with_its_place(env, tmp_path):
    bank = tmp_path / "broken-formula"
    bank.mkdir()
    (bank / "n.yaml").write_text(
        "items:\n  - id: divides-by-zero\n    version: 1\n    kind: numeric\n    topic: regression\n"
        '    prompt: p\n    explanation: e\n    formula: "1 / 0"\n    tolerance: 0.001\n'
    )
    s = Session(["quiz", "--bank", str(bank), "--kind", "numeric"], env, tty=False)
    assert s.finish() == 0
    out = s.text
    assert (
        f"skipping broken item: {bank / 'n.yaml'}:2: item 'divides-by-zero' field 'formula'" in out
    )
    assert "Skipped (broken items): divides-by-zero" in out
