"""Loading and validating banks: every kind of breakage names file, line, item id and field."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from lossdrill.bank.loader import find_implement, load_banks, load_files

DATA = Path(__file__).parent / "data"

GOOD_ITEM = """\
  - id: good-one
    version: 1
    kind: choice
    topic: regression
    prompt: Which?
    explanation: Because.
    options:
      - {text: right, correct: true}
      - {text: wrong, feedback: why it is wrong}
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def errors_of(tmp_path: Path, text: str, *, evaluate: bool = False):
    path = write(tmp_path, "bank.yaml", text)
    bank = load_files([path], evaluate_formulas=evaluate)
    return bank, path


def test_sample_bank_loads_every_kind_without_errors():
    bank = load_files(sorted((DATA / "bank_ok").glob("*.yaml")), evaluate_formulas=False)
    assert bank.errors == []
    assert {i.kind for i in bank.items} == {
        "choice",
        "multi",
        "numeric",
        "recall",
        "scenario",
        "flashcard",
    }
    assert [c.id for c in bank.cards()] == ["t-card"]


def test_bad_yaml_names_file_and_line_and_other_files_still_load(tmp_path):
    broken = write(tmp_path, "a.yaml", "items:\n  - id: x\n    prompt: [unclosed\n")
    good = write(tmp_path, "b.yaml", "items:\n" + GOOD_ITEM)
    bank = load_files([broken, good])
    assert [i.id for i in bank.items] == ["good-one"]
    (err,) = bank.errors
    assert err.file == str(broken)
    assert err.line == 4  # the flow sequence opened on line 3 is still unclosed at the end (line 4)
    assert "invalid YAML" in err.message


def test_missing_field_names_item_and_field(tmp_path):
    bank, path = errors_of(
        tmp_path,
        """\
        items:
          - id: no-explanation
            version: 1
            kind: choice
            topic: regression
            prompt: Which?
            options:
              - {text: a, correct: true}
              - {text: b, feedback: no}
        """,
    )
    (err,) = bank.errors
    assert (err.file, err.line, err.item_id, err.field) == (
        str(path),
        2,
        "no-explanation",
        "explanation",
    )
    assert "missing" in err.message
    assert str(err).startswith(f"{path}:2: item 'no-explanation' field 'explanation'")


def test_wrong_type_points_at_the_field_line(tmp_path):
    bank, _ = errors_of(
        tmp_path,
        """\
        items:
          - id: bad-version
            version: one
            kind: choice
        """,
    )
    (err,) = bank.errors
    assert (err.line, err.item_id, err.field) == (3, "bad-version", "version")
    assert "expected an integer" in err.message


def test_nested_field_errors_name_the_option(tmp_path):
    bank, _ = errors_of(
        tmp_path,
        """\
        items:
          - id: bad-option
            version: 1
            kind: choice
            topic: regression
            prompt: Which?
            explanation: e
            options:
              - {text: a, correct: true}
              - {text: b, correct: maybe, feedback: x}
        """,
    )
    (err,) = bank.errors
    assert err.field == "options[1].correct"
    assert err.line == 10


def test_duplicate_id_across_files_reports_both_places(tmp_path):
    a = write(tmp_path, "a.yaml", "items:\n" + GOOD_ITEM)
    b = write(tmp_path, "b.yaml", "items:\n" + GOOD_ITEM)
    bank = load_files([a, b])
    assert len(bank.items) == 1
    (err,) = bank.errors
    assert (err.file, err.line, err.item_id, err.field) == (str(b), 2, "good-one", "id")
    assert f"{a}:2" in err.message


def test_choice_wrong_option_without_feedback_is_rejected(tmp_path):
    bank, _ = errors_of(
        tmp_path,
        """\
        items:
          - id: silent-option
            version: 1
            kind: choice
            topic: regression
            prompt: Which?
            explanation: e
            options:
              - {text: a, correct: true}
              - {text: b}
        """,
    )
    (err,) = bank.errors
    assert err.field == "options[1].feedback"


def test_unknown_field_and_unknown_kind_are_errors(tmp_path):
    bank, _ = errors_of(
        tmp_path,
        """\
        items:
          - id: typo
            version: 1
            kind: flashcard
            topic: regression
            front: f
            back: b
            bakc: b
          - id: strange
            version: 1
            kind: essay
        """,
    )
    first, second = bank.errors
    assert (first.item_id, first.field, first.line) == ("typo", "bakc", 8)
    assert (second.item_id, second.field) == ("strange", "kind")


def test_numeric_formula_syntax_error_is_caught_at_load(tmp_path):
    bank, _ = errors_of(
        tmp_path,
        """\
        items:
          - id: bad-formula
            version: 1
            kind: numeric
            topic: regression
            prompt: p
            explanation: e
            formula: "log(2"
            tolerance: 0.001
        """,
    )
    (err,) = bank.errors
    assert (err.item_id, err.field, err.line) == ("bad-formula", "formula", 8)


def test_numeric_formula_that_fails_to_evaluate_is_reported(tmp_path):
    bank, _ = errors_of(
        tmp_path,
        """\
        items:
          - id: fails
            version: 1
            kind: numeric
            topic: regression
            prompt: p
            explanation: e
            formula: "log(-1) + nosuchfunction(3)"
            tolerance: 0.001
          - id: divides-by-zero
            version: 1
            kind: numeric
            topic: regression
            prompt: p
            explanation: e
            formula: "1 / 0"
            tolerance: 0.001
        """,
        evaluate=True,
    )
    assert [(e.item_id, e.field) for e in bank.errors] == [
        ("fails", "formula"),
        ("divides-by-zero", "formula"),
    ]
    assert "nosuchfunction" in bank.errors[0].message
    assert bank.items == []


def test_formula_may_not_reach_attributes_or_builtins(tmp_path):
    bank, _ = errors_of(
        tmp_path,
        """\
        items:
          - id: sneaky
            version: 1
            kind: numeric
            topic: regression
            prompt: p
            explanation: e
            formula: "().__class__"
            tolerance: 0.001
        """,
    )
    (err,) = bank.errors
    assert err.field == "formula" and "Attribute" in err.message


def test_scenario_next_must_name_a_later_step(tmp_path):
    bank, _ = errors_of(
        tmp_path,
        """\
        items:
          - id: loop
            version: 1
            kind: scenario
            topic: regression
            prompt: situation
            explanation: e
            steps:
              - id: a
                prompt: first
                options:
                  - {text: x, correct: true, next: b}
                  - {text: y}
              - id: b
                prompt: second
                options:
                  - {text: x, correct: true, next: a}
                  - {text: y}
        """,
    )
    (err,) = bank.errors
    assert err.field == "steps[1].options[0].next"


def test_bank_dirs_from_environment_and_option_are_loaded(tmp_path, monkeypatch):
    env_dir = tmp_path / "env"
    opt_dir = tmp_path / "opt"
    env_dir.mkdir()
    opt_dir.mkdir()
    write(env_dir, "e.yaml", "items:\n" + GOOD_ITEM.replace("good-one", "from-env"))
    write(opt_dir, "o.yml", "items:\n" + GOOD_ITEM.replace("good-one", "from-option"))
    monkeypatch.setenv("LOSSDRILL_BANKS", str(env_dir))
    bank = load_banks([opt_dir])
    assert bank.get("from-env") is not None
    assert bank.get("from-option") is not None


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lossdrill", *args], capture_output=True, text=True, timeout=60
    )


def test_validate_command_exits_nonzero_and_names_file_line_item_field(tmp_path):
    path = write(
        tmp_path,
        "broken.yaml",
        """\
        items:
          - id: broken-item
            version: 1
            kind: recall
            topic: regression
            prompt: p
            explanation: e
            model_answer: m
            key_points:
              - point: p
                patterns: ["(unclosed"]
        """,
    )
    proc = run_cli("validate", str(path))
    assert proc.returncode == 1
    assert f"{path}:11: item 'broken-item' field 'key_points[0].patterns'" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_validate_command_passes_on_a_good_bank():
    proc = run_cli("validate", str(DATA / "bank_ok"))
    assert proc.returncode == 0, proc.stderr
    assert "all banks valid" in proc.stdout


@pytest.mark.parametrize("args", [["validate", "/no/such/folder"]])
def test_validate_missing_path_is_an_error_not_a_crash(args):
    proc = run_cli(*args)
    assert proc.returncode == 1
    assert "no such file or folder" in proc.stderr


def test_parse_cache_gives_the_same_items_and_notices_an_edit(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOSSDRILL_NO_CACHE", raising=False)
    path = write(tmp_path, "bank.yaml", "items:\n" + GOOD_ITEM)
    first = load_files([path])
    second = load_files([path])  # served from the cache
    assert list((tmp_path / "home" / "cache" / "banks").glob("*.json"))
    assert second.items == first.items and second.errors == []
    path.write_text("items:\n" + GOOD_ITEM.replace("Which?", "Which one, exactly?"))
    third = load_files([path])
    assert third.items[0].prompt == "Which one, exactly?"


def test_parse_cache_serves_every_built_in_item_exactly_as_parsed(tmp_path, monkeypatch):
    """Every record, tuple, list and dict of the shipped banks comes back from the cache
    equal and of the same type as the parser made it (a tuple read back as a list, or a
    field left at a default it did not have, would differ)."""
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOSSDRILL_NO_CACHE", "1")
    parsed = load_banks()
    monkeypatch.delenv("LOSSDRILL_NO_CACHE")
    load_banks()  # writes the cache
    cached = load_banks()
    assert list((tmp_path / "home" / "cache" / "banks").glob("*.json"))

    def shape(value):
        if isinstance(value, (list, tuple)):
            return (type(value).__name__, [shape(v) for v in value])
        if isinstance(value, dict):
            return ("dict", sorted((repr(k), shape(v)) for k, v in value.items()))
        if hasattr(value, "__dataclass_fields__"):
            fields = value.__dataclass_fields__
            return (type(value).__name__, [shape(getattr(value, f)) for f in fields])
        return (type(value).__name__, value)

    assert len(cached.items) == len(parsed.items) > 400
    assert cached.items == parsed.items
    assert [shape(i) for i in cached.items] == [shape(i) for i in parsed.items]


def test_a_cache_entry_naming_a_class_outside_the_schema_is_parsed_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOSSDRILL_NO_CACHE", raising=False)
    path = write(tmp_path, "bank.yaml", "items:\n" + GOOD_ITEM)
    first = load_files([path])
    (entry,) = (tmp_path / "home" / "cache" / "banks").glob("*.json")
    key, _, body = entry.read_text().partition("\n")
    planted = body.replace('"@": "ChoiceItem"', '"@": "Path"', 1)
    assert planted != body
    entry.write_text(key + "\n" + planted)
    again = load_files([path])
    assert again.items == first.items and again.errors == []


def test_find_implement_serves_the_item_load_banks_serves(tmp_path, monkeypatch):
    """A check reads only its task's item; it must be the very item the whole bank holds,
    for every task, and none for an id that is no implement task."""
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path / "home"))
    bank = load_banks()
    tasks = bank.tasks()
    assert len(tasks) > 40
    for item in tasks:
        assert find_implement(item.id) == item
    quiz_item = next(i for i in bank.items if i.kind == "choice")
    assert find_implement(quiz_item.id) is None
    assert find_implement("no-such-task") is None


def test_errors_are_reported_again_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path / "home"))
    path = write(tmp_path, "bank.yaml", "items:\n  - id: x\n    version: 0\n")
    assert load_files([path]).errors == load_files([path]).errors != []


def test_validate_rejects_an_implement_item_for_an_unknown_task_or_function(tmp_path):
    item = """\
  - id: {id}
    version: 1
    kind: implement
    topic: regression
    prompt: p
    function: {fn}
    contract: c
    starter: "def {fn}(y_true, y_pred):\\n    pass\\n"
    solution: "def {fn}(y_true, y_pred):\\n    return 0.0\\n"
    hints: [a, b, c]
    debrief: d
    mutants: []
"""
    path = write(
        tmp_path,
        "tasks.yaml",
        "items:\n"
        + item.format(id="mse", fn="mean_squared")
        + item.format(id="cubic", fn="cubic_loss"),
    )
    proc = run_cli("validate", str(path))
    assert proc.returncode == 1
    assert (
        f"{path}:2: item 'mse' field 'function': task 'mse' is graded on mse_loss(), not mean_squared()"
        in proc.stderr
    )
    assert f"{path}:14: item 'cubic' field 'id': no implement task 'cubic'" in proc.stderr
