"""Broken and hostile banks against the installed command: every one is a bank error naming the
file, line, item and field; the other banks still load; nothing hangs."""

from __future__ import annotations

import json

import pytest
from hardening import Place

ITEM = "  - id: {id}\n    version: 1\n    kind: flashcard\n    topic: t\n    front: {front}\n    back: b\n"


@pytest.fixture
def place(tmp_path):
    return Place(tmp_path)


def _bank(place: Place, text: str, name: str = "x.yaml"):
    folder = place.work / "b"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


CONSTRUCTION = {
    "unknown tag": ("items:\n" + ITEM.format(id="x1", front="!custom hello"), 6, "x1", "front"),
    "python tag": (
        "items:\n" + ITEM.format(id="x1", front="!!python/object/apply:os.system ['true']"),
        6,
        "x1",
        "front",
    ),
    "bad int": (
        "items:\n  - {id: x2, version: !!int abc, kind: flashcard, topic: t, front: f, back: b}\n",
        2,
        "x2",
        "version",
    ),
    "5000 digits": (
        "items:\n  - {id: x3, version: " + "9" * 5000 + ", kind: flashcard, topic: t,"
        " front: f, back: b}\n",
        2,
        "x3",
        "version",
    ),
    "bad timestamp": (
        "items:\n" + ITEM.format(id="x4", front="!!timestamp 2020-99-99"),
        6,
        "x4",
        "front",
    ),
    "bad binary": ("items:\n" + ITEM.format(id="x5", front="!!binary '@@@'"), 6, "x5", "front"),
    "recursive alias": (
        "items:\n  - {id: x6, version: 1, kind: flashcard, topic: t, front: f, back: b,"
        " tags: &r [*r]}\n",
        2,
        "x6",
        "tags",
    ),
    "complex key in item": (
        "items:\n  - {id: x7, version: 1, kind: flashcard, topic: t, front: f, back: b,"
        " ? [a]: 1}\n",
        2,
        "x7",
        None,
    ),
    "complex key at top": (
        "? [a, b]\n: 1\nitems:\n" + ITEM.format(id="x8", front="f"),
        1,
        None,
        None,
    ),
}


@pytest.mark.parametrize("case", sorted(CONSTRUCTION))
def test_r2_construction_errors_are_bank_errors(place, case):
    text, line, item, field = CONSTRUCTION[case]
    folder = _bank(place, text)
    proc = place.run("validate", str(folder), "--json")
    assert proc.returncode == 1 and "internal error" not in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    errors = report["errors"] if isinstance(report, dict) else report
    flat = json.dumps(errors)
    assert "x.yaml" in flat
    assert f'"line": {line}' in flat
    if item:
        assert f'"{item}"' in flat
    if field:
        assert f'"{field}"' in flat


def test_r2_one_bad_file_does_not_take_down_the_other_banks(place):
    folder = _bank(place, "items:\n" + ITEM.format(id="x1", front="!custom hello"))
    env = place.env(LOSSDRILL_BANKS=str(folder))
    for args in (["list"], ["progress"], ["hint", "mse"], ["list", "--json"]):
        proc = place.run(*args, env=env)
        assert proc.returncode == 0, (args, proc.stderr)
        assert "internal error" not in proc.stderr
        assert "x.yaml" in proc.stderr + proc.stdout  # the warning names the file
    proc = place.run("quiz", "-n", "1", "--seed", "1", stdin="1\n", env=env)
    assert proc.returncode == 0 and "internal error" not in proc.stderr


def test_r15_a_repeated_top_level_key_is_reported(place):
    text = "".join("items:\n" + ITEM.format(id=f"it-{i}", front="f") for i in (1, 2))
    folder = _bank(place, text)
    proc = place.run("validate", str(folder))
    assert proc.returncode == 1
    assert "given twice" in proc.stdout + proc.stderr and "line" in proc.stdout + proc.stderr


def test_r22_an_oversized_field_is_refused_at_validation(place):
    text = (
        "items:\n  - id: h1\n    version: 1\n    kind: choice\n    topic: t\n    prompt: "
        + "P" * (1 << 20)
        + "\n    explanation: e\n    options:\n      - text: a\n        correct: true\n"
        "      - text: b\n        feedback: nope\n"
    )
    folder = _bank(place, text)
    proc = place.run("validate", str(folder))
    assert proc.returncode == 1 and "limit" in proc.stdout + proc.stderr
    env = place.env(LOSSDRILL_BUILTIN_BANKS="0")
    quiz = place.run("quiz", "--bank", str(folder), "-n", "1", stdin="1\n", env=env, timeout=60)
    assert "internal error" not in quiz.stderr


FORMULAS = [
    "10**10**10",
    "10**10**8",
    "10**10**10 % 7",
    "[1]*10**9",
    "2**100000",
    "1+" * 100_000 + "1",
    "-" * 100_000 + "1",
    "abs(" * 200 + "1" + ")" * 200,
]


@pytest.mark.parametrize("formula", FORMULAS, ids=range(len(FORMULAS)))
def test_r3_r5_formulas_that_compute_too_much_are_bank_errors(place, formula):
    text = (
        "items:\n  - id: f1\n    version: 1\n    kind: numeric\n    topic: t\n    prompt: p\n"
        f'    formula: "{formula}"\n    tolerance: 0.001\n    explanation: e\n'
    )
    folder = _bank(place, text)
    for args in (["validate", str(folder)], ["validate", str(folder), "--json"]):
        proc = place.run(*args, timeout=30)
        assert proc.returncode == 1 and "internal error" not in proc.stderr
        assert "formula" in proc.stdout + proc.stderr
    env = place.env(LOSSDRILL_BUILTIN_BANKS="0")
    quiz = place.run("quiz", "--bank", str(folder), "-n", "1", stdin="1\n", env=env, timeout=30)
    assert "internal error" not in quiz.stderr


def test_formula_bounds_keep_valid_formulas_exact():
    import math

    from lossdrill.bank.formula import evaluate

    assert evaluate("2**10") == 1024.0
    assert evaluate("-log(0.9)") == pytest.approx(-math.log(0.9))
    assert evaluate("10**300 / 10**299") == pytest.approx(10.0)
    assert evaluate("sum([1]*100)") == 100.0


def test_r23_escape_sequences_in_bank_text_are_shown_inert(place):
    text = (
        "items:\n  - id: e1\n    version: 1\n    kind: choice\n    topic: t\n"
        '    prompt: "\\e[2Jclear"\n    explanation: e\n    options:\n'
        "      - text: a\n        correct: true\n      - text: b\n        feedback: nope\n"
    )
    folder = _bank(place, text)
    env = place.env(LOSSDRILL_BUILTIN_BANKS="0")
    proc = place.run("quiz", "--bank", str(folder), "-n", "1", stdin="1\n", env=env)
    assert "\x1b" not in proc.stdout and "^[[2Jclear" in proc.stdout


@pytest.mark.parametrize("formula", ["log(0)", "exp(1000)", "(-1)**0.5", "array([1+2j])[0]"])
def test_formula_warnings_stay_out_of_the_terminal_and_complex_values_are_refused(place, formula):
    text = (
        "items:\n  - id: f1\n    version: 1\n    kind: numeric\n    topic: t\n    prompt: p\n"
        f'    formula: "{formula}"\n    tolerance: 0.001\n    explanation: e\n'
    )
    folder = _bank(place, text)
    proc = place.run("validate", str(folder))
    assert (
        proc.returncode == 1 and "Warning" not in proc.stderr and "site-packages" not in proc.stderr
    )
    assert "finite" in proc.stdout + proc.stderr or "complex" in proc.stdout + proc.stderr
