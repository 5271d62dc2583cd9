"""Bug hunts end to end: name the line, then fix it and have the checker grade the fix."""

from __future__ import annotations

import re

import pytest
from drive import Session

from lossdrill.bank.loader import load_banks


@pytest.fixture(scope="module")
def hunts():
    return {h.id: h for h in load_banks().bug_hunts()}


@pytest.fixture
def env(tmp_path):
    return {"LOSSDRILL_HOME": str(tmp_path / "home"), "NO_COLOR": "1"}


def fixed_source(hunt) -> str:
    lines = hunt.code.rstrip("\n").splitlines()
    lines[hunt.bug_line - 1] = hunt.fix.rstrip("\n")
    return "\n".join(lines) + "\n"


def test_right_line_then_a_fix_that_passes_the_checker(hunts, env, tmp_path):
    hunt = hunts["bug-softmax-no-shift"]
    fix = tmp_path / "fixed.py"
    fix.write_text(fixed_source(hunt))
    s = Session(["bughunt", hunt.id], env, tty=False)
    s.expect(r"buggy line> ")
    s.send(str(hunt.bug_line))
    s.expect(r"Correct")
    s.expect(r"fix> ")
    s.send(f"file {fix}")
    s.expect(r"Fixed: the checker passes it on every case", timeout=90)
    assert s.finish(timeout=60) == 0
    assert re.search(rf"{hunt.id}\s+│\s+found\s+│\s+passes", s.text)
    assert "Traceback" not in s.text


def test_wrong_line_is_shown_the_bug_and_the_unfixed_file_still_fails(hunts, env, tmp_path):
    hunt = hunts["bug-lecture-bce"]
    wrong = 1 if hunt.bug_line != 1 else 2
    s = Session(["bughunt", hunt.id], env, tty=False)
    s.expect(r"buggy line> ")
    s.send("999")
    s.expect(r"Type a line number between 1 and \d+")
    s.expect(r"buggy line> ")
    s.send(str(wrong))
    s.expect(rf"The bug is on line {hunt.bug_line}:")
    s.expect(r"fix> ")
    s.send("c")  # the work file still holds the buggy code
    s.expect(r"FAIL bce", timeout=90)
    s.expect(r"fix> ")
    s.send("")
    assert s.finish(timeout=60) == 0
    assert re.search(rf"{hunt.id}\s+│\s+missed\s+│\s+still failing", s.text)
    work_file = tmp_path / "home" / "work" / "bughunt" / f"{hunt.id}.py"
    assert work_file.read_text() == hunt.code


def test_quiz_kind_bug_hunt_asks_for_the_line(hunts, env):
    # The header no longer names the item (ids give answers away), so ask a known one by id.
    hunt_id = "bug-triplet-unsquared"
    s = Session(["quiz", "--kind", "bug-hunt", "--id", hunt_id, "--seed", "1"], env, tty=False)
    header = s.expect(r"· bug-hunt · ★+[^\n]*")
    assert hunt_id not in header.group(0)
    s.expect(r"buggy line> ")
    s.send(str(hunts[hunt_id].bug_line))
    assert s.finish() == 0
    assert re.search(r"Score\s+1/1", s.text)


def test_bughunt_explains_the_bug_but_keeps_the_fix_until_checked_or_asked(hunts, env, tmp_path):
    hunt = hunts["bug-triplet-unsquared"]
    fix_text = hunt.fix.strip()
    s = Session(["bughunt", hunt.id], env, tty=False)
    s.expect(r"buggy line> ")
    assert hunt.id not in s.text  # the id names the bug: shown only after the answer
    s.send(str(hunt.bug_line))
    s.expect(r"fix> ")
    answered = s.text
    assert f"The bug is on line {hunt.bug_line}:" in answered
    assert "np.linalg.norm gives the plain distance" in answered  # the explanation
    assert fix_text not in answered  # but not the fix
    assert hunt.id in answered
    s.send("d")
    s.expect(r"The fix \(line \d+\)")
    s.expect(r"fix> ")
    assert fix_text in s.text
    s.send("")
    assert s.finish(timeout=60) == 0


def test_bughunt_shows_the_fix_after_a_passing_check(hunts, env, tmp_path):
    hunt = hunts["bug-softmax-no-shift"]
    fix = tmp_path / "fixed.py"
    fix.write_text(fixed_source(hunt))
    s = Session(["bughunt", hunt.id], env, tty=False)
    s.expect(r"buggy line> ")
    s.send(str(hunt.bug_line))
    s.expect(r"fix> ")
    assert hunt.fix.strip() not in s.text
    s.send(f"file {fix}")
    s.expect(r"Fixed: the checker passes it", timeout=90)
    s.expect(r"The fix \(line \d+\)")
    assert hunt.fix.strip() in s.text
    assert s.finish(timeout=60) == 0


def test_unknown_bug_hunt_is_a_usage_error(env):
    s = Session(["bughunt", "no-such-hunt"], env, tty=False)
    assert s.finish() == 2
    assert "error: unknown bug hunt 'no-such-hunt'" in s.text
