"""Signals a learner can trust: hidden ids, arithmetic answers, multi-select feedback,
``quiz --id`` / ``--json``, and recall grading that fails reversed claims.

End-to-end tests drive the installed command; the recall measurement uses answers written
independently of the key-point patterns (tests/data/recall_paraphrases.yaml).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import textwrap
from pathlib import Path

import pytest
from drive import Session, lossdrill_command, option_number
from recall_measure import measure

from lossdrill.bank.loader import load_banks
from lossdrill.bank.schema import KeyPoint, RecallItem
from lossdrill.quiz.grading import grade_recall, parse_number
from lossdrill.quiz.patterns import pattern_problem

BANK = str(Path(__file__).parent / "data" / "bank_ok")
IDS = ("t-choice", "t-multi", "t-numeric", "t-recall", "t-scenario")


@pytest.fixture
def env(tmp_path):
    return {
        "LOSSDRILL_HOME": str(tmp_path / "home"),
        "LOSSDRILL_BUILTIN_BANKS": "0",
        "NO_COLOR": "1",
    }


def run(args: list[str], env: dict, stdin: str = "") -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [*lossdrill_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )


# -- ids are shown only after the answer --------------------------------------------------


def test_question_headers_hide_the_id_until_answered(env):
    s = Session(["quiz", "--bank", BANK, "--id", "t-choice"], env, tty=False)
    prompt = s.expect(r"your answer> ")
    before = s.text[: prompt.start()]
    assert "t-choice" not in before
    s.send(option_number(before, "MSE"))
    assert s.finish() == 0
    after = s.text[prompt.end() :]
    assert re.search(r"Correct · t-choice", after)


# -- quiz --id and --json ----------------------------------------------------------------


def test_quiz_id_asks_exactly_those_items_in_order(env):
    s = Session(["quiz", "--bank", BANK, "--id", "t-numeric", "--id", "t-choice"], env, tty=False)
    s.expect(r"Q1/2 · information-theory · numeric")
    s.expect(r"your answer> ")
    s.send("0.693")
    s.expect(r"Q2/2 · regression · choice")
    prompt = s.expect(r"your answer> ")
    s.send(option_number(s.text[: prompt.start()], "MSE"))
    assert s.finish() == 0
    assert re.search(r"Score\s+2/2", s.text)
    assert "lossdrill quiz --id t-numeric --id t-choice" in s.text


def test_quiz_id_unknown_or_not_a_question_is_a_usage_error(env):
    proc = run(["quiz", "--bank", BANK, "--id", "no-such-item"], env)
    assert proc.returncode == 2
    assert "Cannot ask 'no-such-item'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_quiz_json_prints_one_object_with_every_answer(env):
    # t-numeric right (as arithmetic), t-multi half right, t-choice answered "?". The option
    # order depends on the seed: read it off a first run (questions go to stderr with --json).
    args = ["quiz", "--bank", BANK, "--id", "t-numeric", "--id", "t-multi", "--id", "t-choice"]
    args += ["--json", "--seed", "3"]
    proc = run(args, env, stdin="ln(2)\n?\n?\n")
    assert proc.returncode == 0, proc.stderr
    right = option_number(proc.stderr, "BCE with logits")
    proc = run(args, env, stdin=f"ln(2)\n{right}\n?\n")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)  # stdout holds only the JSON object
    assert [i["id"] for i in data["items"]] == ["t-numeric", "t-multi", "t-choice"]
    by_id = {i["id"]: i for i in data["items"]}
    assert by_id["t-numeric"] == {
        **by_id["t-numeric"],
        "kind": "numeric",
        "correct": True,
        "partial_credit": 1.0,
        "answer": "ln(2)",
    }
    assert by_id["t-multi"]["correct"] is False
    assert by_id["t-multi"]["partial_credit"] == pytest.approx(0.5)  # 1 of 2 right options, 0 wrong
    assert by_id["t-choice"]["correct"] is False and by_id["t-choice"]["answer"] == "?"
    assert data["asked"] == 3 and data["correct"] == 1
    assert data["score"] == pytest.approx(1.5)


# -- numeric answers accept arithmetic ----------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ln(5)/2", math.log(5) / 2),
        ("log(2)", math.log(2)),
        ("exp(-1)", 1 / math.e),
        ("sqrt(2)/2", 2**-0.5),
        ("1 - 0.25^2", 0.9375),
        ("2.5e-1 + 1", 1.25),
        ("0,5", 0.5),
        ("−ln(0.9)", -math.log(0.9)),
    ],
)
def test_numeric_answers_accept_simple_arithmetic(text, expected):
    assert parse_number(text) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    "text",
    [
        "log(0)",
        "1/0",
        "mse_loss([1], [2])",
        "__import__('os')",
        "2**3**4",
        "10**100000",
        "exp(1000)",
        "abc",
        "",
    ],
)
def test_numeric_answers_refuse_what_is_not_a_hand_calculation(text):
    assert parse_number(text) is None


def test_numeric_item_graded_from_an_expression(env):
    s = Session(["quiz", "--bank", BANK, "--kind", "numeric"], env, tty=False)
    s.expect(r"ln\(5\)/2")  # the prompt says arithmetic is accepted
    s.expect(r"your answer> ")
    s.send("ln(2)")
    assert s.finish() == 0
    assert "you answered ln(2) = 0.693147" in s.text
    assert re.search(r"Score\s+1/1", s.text)


# -- multi-select feedback ---------------------------------------------------------------


def test_multi_feedback_repeats_the_picks_and_separates_truth_from_grading(env):
    s = Session(["quiz", "--bank", BANK, "--kind", "multi"], env, tty=False)
    prompt = s.expect(r"your answer> ")
    screen = s.text[: prompt.start()]
    mae, bce = option_number(screen, "MAE"), option_number(screen, "BCE with logits")
    s.send(f"{mae},{bce}")
    assert s.finish() == 0
    out = s.text[prompt.end() :]
    assert f"You picked: {', '.join(sorted([mae, bce]))}" in out
    assert re.search(r"BCE with logits[\s│]+this option is true; you picked it: right", out)
    assert re.search(
        r"focal loss \(as specified here\)[\s│]+this option is true; you left it: wrong", out
    )
    assert re.search(r"MAE[\s│]+this option is false; you picked it: wrong", out)


# -- recall grading ---------------------------------------------------------------------


def test_a_contradicted_point_fails_even_when_its_keywords_appear():
    points = (
        KeyPoint(
            "down-weights easy examples",
            (r"down[- ]?weigh\w*[^.;]*easy",),
            (r"up[- ]?weigh\w*[^.;]*easy",),
            True,
        ),
        KeyPoint("hard examples dominate", (r"\bhard",)),
    )
    right = grade_recall("It down-weights easy examples so hard ones dominate.", points, 2)
    reversed_ = grade_recall("It up-weights easy examples; down-weights nothing hard.", points, 1)
    assert right.correct and right.hit == ("down-weights easy examples", "hard examples dominate")
    assert not reversed_.correct
    assert reversed_.contradicted == ("down-weights easy examples",)


def test_every_builtin_recall_item_ships_examples_that_grade_as_declared():
    items = [i for i in load_banks([]).items if isinstance(i, RecallItem)]
    assert len(items) >= 17
    for item in items:
        assert len(item.examples.accept) >= 3 and len(item.examples.reject) >= 3, item.id
        for text in item.examples.accept:
            assert grade_recall(text, item.key_points, item.min_points).correct, (item.id, text)
        for text in item.examples.reject:
            assert not grade_recall(text, item.key_points, item.min_points).correct, (item.id, text)


def test_recall_grading_on_independent_paraphrases_and_reversals():
    r = measure()
    assert r["correct_total"] >= 50 and r["reversed_total"] >= 40
    assert r["reversed_accepted"] == 0, r["failures"]
    assert r["correct_accepted"] / r["correct_total"] >= 0.80, r["failures"]


def _recall_bank(tmp_path: Path, extra: str, patterns: str = '["overflow"]') -> Path:
    (tmp_path / "b").mkdir(exist_ok=True)
    path = tmp_path / "b" / "r.yaml"
    path.write_text(
        textwrap.dedent(f"""\
        items:
          - id: r1
            version: 1
            kind: recall
            topic: t
            prompt: p
            explanation: e
            model_answer: it avoids overflow
            key_points:
              - point: x
                patterns: {patterns}
        """)
        + textwrap.indent(textwrap.dedent(extra), "    ")
    )
    return path


def test_validate_refuses_a_recall_item_without_examples(tmp_path, env):
    path = _recall_bank(tmp_path, "")
    proc = run(["validate", str(path)], env)
    assert proc.returncode == 1
    assert "item 'r1' field 'examples': missing required field" in proc.stderr


def test_validate_grades_the_examples(tmp_path, env):
    path = _recall_bank(
        tmp_path,
        """\
        examples:
          accept: [overflow, no overflow, "it overflows not"]
          reject: [fine, ok, "it overflows"]
        """,
    )
    proc = run(["validate", str(path)], env)
    assert proc.returncode == 1
    assert (
        "field 'examples.reject[2]': the key points accept this example answer: 'it overflows'"
        in proc.stderr
    )


def test_catastrophic_pattern_is_refused_and_the_quiz_never_hangs(tmp_path, env):
    path = _recall_bank(
        tmp_path,
        """\
        examples:
          accept: [aaa, aaaa, aaaaa]
          reject: [b, c, d]
        """,
        patterns='["^(a+)+$"]',
    )
    proc = run(["validate", str(path)], env)
    assert proc.returncode == 1
    assert "repeat inside a repeat" in proc.stderr
    # The item is skipped; the quiz has nothing to ask and ends at once.
    proc = run(["quiz", "--bank", str(path.parent), "-n", "1"], env, stdin="a" * 34 + "!\n")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "pattern", [r"^(a+)+$", r"(a*)*b", r"(\w+\s?)*x", r"(a|aa)*b", r"(x)\1", "a" * 201]
)
def test_pattern_bounds_refuse_backtracking_traps(pattern):
    assert pattern_problem(pattern) is not None


@pytest.mark.parametrize(
    "pattern", [r"σ\(z\) ?[-−] ?y", r"down[- ]?weigh\w*[^.;]*easy", r"(?<!\()\b1 ?- ?σ", r"(a|b)*c"]
)
def test_pattern_bounds_accept_ordinary_patterns(pattern):
    assert pattern_problem(pattern) is None


# -- option length gives nothing away -----------------------------------------------------


def _length_cues(groups) -> tuple[float, float]:
    shortest = longest = 0
    for options in groups:
        right = next(o for o in options if o.correct)
        others = [len(o.text) for o in options if o is not right]
        shortest += len(right.text) < min(others)
        longest += len(right.text) > max(others)
    return shortest / len(groups), longest / len(groups)


def test_the_right_option_is_rarely_the_strictly_shortest_or_longest():
    from lossdrill.bank.schema import ChoiceItem, ScenarioItem

    bank = load_banks([])
    choice = [i.options for i in bank.items if isinstance(i, ChoiceItem)]
    steps = [s.options for i in bank.items if isinstance(i, ScenarioItem) for s in i.steps]
    assert len(choice) >= 90 and len(steps) >= 40
    for name, groups in (("choice items", choice), ("scenario steps", steps)):
        shortest, longest = _length_cues(groups)
        assert shortest <= 0.35, f"{name}: the right option is the shortest in {shortest:.0%}"
        assert longest <= 0.35, f"{name}: the right option is the longest in {longest:.0%}"


def test_a_reversed_recall_answer_fails_and_says_which_point_it_contradicts(env, tmp_path):
    bank = tmp_path / "b"
    bank.mkdir()
    (bank / "r.yaml").write_text(
        textwrap.dedent("""\
        items:
          - id: r-focal
            version: 1
            kind: recall
            topic: classification
            prompt: Why focal loss?
            explanation: It down-weights easy examples.
            model_answer: It down-weights easy examples so that hard ones dominate.
            key_points:
              - point: down-weights easy examples
                patterns: ["down[- ]?weigh\\\\w*[^.;]*easy"]
                contradicts: ["up[- ]?weigh\\\\w*[^.;]*easy"]
                required: true
              - point: hard examples dominate
                patterns: ["\\\\bhard"]
            min_points: 1
            examples:
              accept: ["down-weights easy ones", "it downweights the easy examples", "Down-weighting easy examples; hard ones count."]
              reject: ["it up-weights easy examples", "hard", "easy hard focal"]
        """)
    )
    proc = run(
        ["quiz", "--bank", str(bank), "--id", "r-focal"],
        env,
        stdin="It up-weights easy examples and ignores the hard ones\n",
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Not quite" in out
    assert "✗ down-weights easy examples * (your answer says the opposite)" in out
    assert "✓ hard examples dominate" in out
    assert "Model answer:" in out
    assert re.search(r"Score\s+0/1", out)


def test_a_scenario_step_says_how_to_answer_before_the_prompt(env):
    s = Session(["quiz", "--bank", BANK, "--id", "t-scenario"], env, tty=False)
    prompt = s.expect(r"your choice> ")
    assert re.search(
        r"Answer with the option's number \(1–\d\) or letter \(a–[a-z]\)\.",
        s.text[: prompt.start()],
    )
    s.close_input()
    assert s.finish() == 0
