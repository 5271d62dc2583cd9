"""Watch mode and ``implement`` as a user meets them, through the installed command:
re-opening a passing file is a re-check that readiness does not count, single keys at a
terminal, the next task, ``--here``, ``--json`` without ``--check``, the ``Next:`` line."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import textwrap
from pathlib import Path

from drive import Session, lossdrill_command

MSE_OK = textwrap.dedent("""\
    import numpy as np


    def mse_loss(y_true, y_pred):
        e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
        return 0.5 * float(np.mean(e ** 2)) if e.size else 0.0
""")


def run(
    home: Path, *args: str, stdin: str = "", cwd: Path | None = None
) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOSSDRILL_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "120"}
    return subprocess.run(
        lossdrill_command() + list(args),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=cwd,
    )


def attempts(home: Path) -> list[tuple]:
    conn = sqlite3.connect(home / "lossdrill.sqlite3")
    try:
        return conn.execute(
            "SELECT task, kind, passed, elapsed_s FROM implement_attempts ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def speed_evidence(home: Path) -> list[str]:
    data = json.loads(run(home, "progress", "--json").stdout)
    (line,) = [c for c in data["checklist"] if c["text"].startswith("Can implement MSE")]
    assert line["met"] is False
    return line["evidence"]


def test_reopening_a_passing_file_is_a_recheck_that_readiness_does_not_count(tmp_path):
    home = tmp_path / "home"
    path = tmp_path / "mse.py"
    path.write_text(MSE_OK)
    # the trial's reproduction: check it, then follow progress's advice of the time
    assert run(home, "implement", "mse", "--file", str(path), "--check").returncode == 0
    s = Session(
        ["implement", "mse", "--file", str(path)],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=True,
    )
    s.expect("PASS mse")
    s.expect("recorded as a re-check, not a timed pass")
    s.expect(r"lossdrill implement mse --fresh")
    s.send_keys("q")  # one key, no Enter
    s.expect(r"Session: mse passed \(re-check, untimed\)")
    assert s.finish() == 0
    assert "Passed in 0m00s" not in s.text and "Passed in" not in s.text
    # the unchanged file was recorded once (by --check); a changed one is a recorded re-check
    assert attempts(home) == [("mse", "check", 1, 0.0)]
    path.write_text(MSE_OK + "\n# tidied\n")
    proc = run(home, "implement", "mse", "--file", str(path), stdin="q\n")
    assert "re-check" in proc.stdout
    assert attempts(home)[-1] == ("mse", "recheck", 1, 0.0)
    evidence = speed_evidence(home)
    assert evidence[0] == (
        "mse: passed, but untimed (--check or a re-check); time it from a"
        " blank starter with `lossdrill implement mse --fresh`"
    )
    text = run(home, "progress").stdout
    assert "0:00" not in text and "0m00s" not in text


def test_a_fresh_starter_is_a_timed_attempt(tmp_path):
    home = tmp_path / "home"
    work = home / "work"
    work.mkdir(parents=True)
    (work / "mse.py").write_text(MSE_OK)  # the passing file stays as it is
    s = Session(
        ["implement", "mse", "--fresh"], {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"}, tty=True
    )
    s.expect(r"Starter written to: \S*mse-2\.py")
    s.expect("c check now")
    (work / "mse-2.py").write_text(MSE_OK)
    s.expect(r"Passed in \dm\d\ds")
    s.send_keys("q")
    s.expect("Session: mse passed in")
    s.expect(r"Next: lossdrill \S+")
    assert s.finish() == 0
    assert (work / "mse.py").read_text() == MSE_OK
    ((task, kind, passed, elapsed),) = attempts(home)
    assert (task, kind, passed) == ("mse", "timed", 1) and elapsed > 0


def test_single_keys_need_no_enter_and_n_starts_the_next_task(tmp_path):
    home = tmp_path / "home"
    path = tmp_path / "mse.py"
    s = Session(
        ["implement", "mse", "--file", str(path)],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=True,
    )
    s.expect("press: h hint · r reveal · c check now · q quit ›")
    s.send_keys("h")  # one key, no Enter
    s.expect("hint 1 of")
    s.send_keys("n")  # not passed yet
    s.expect(r"n \(next task\) works once this task passes")
    path.write_text(MSE_OK)
    s.expect("PASS mse")
    s.expect("n next task ›")
    s.send_keys("n")
    s.expect(r"Session: mse passed")
    nxt = s.expect(r"Next task: ([a-z0-9-]+) \(").group(1)
    assert nxt != "mse"
    s.expect(rf"implement · {nxt}")
    s.expect(rf"Starter written to: \S*work/{nxt}\.py")
    s.send_keys("q")
    s.expect(rf"Session: {nxt} not passed yet")
    s.expect(r"Next: lossdrill \S+")
    assert s.finish() == 0
    assert (home / "work" / f"{nxt}.py").exists()


def test_here_writes_the_starter_in_the_current_folder_and_never_overwrites(tmp_path):
    home = tmp_path / "home"
    proc = run(home, "implement", "mse", "--here", stdin="q\n", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert f"Starter written to: {tmp_path / 'mse.py'}" in proc.stdout
    starter = (tmp_path / "mse.py").read_text()
    assert "def mse_loss" in starter
    (tmp_path / "mse.py").write_text(MSE_OK)
    proc = run(home, "implement", "mse", "--here", stdin="q\n", cwd=tmp_path)
    assert f"Your file (kept as it is): {tmp_path / 'mse.py'}" in proc.stdout
    assert (tmp_path / "mse.py").read_text() == MSE_OK
    # --check --here checks that file
    assert run(home, "implement", "mse", "--here", "--check", cwd=tmp_path).returncode == 0


def test_implement_without_a_task_starts_the_next_one_not_passed(tmp_path):
    home = tmp_path / "home"
    listing = json.loads(run(home, "list", "--json").stdout)
    first = run(home, "implement", stdin="q\n")
    assert first.returncode == 0, first.stderr
    task = first.stdout.split("No task named: starting ", 1)[1].split(" ", 1)[0]
    assert (home / "work" / f"{task}.py").exists()
    assert "Traceback" not in first.stderr and listing
    if task == "mse":  # pass it: the next run offers another task
        (home / "work" / "mse.py").write_text(MSE_OK)
        assert run(home, "implement", "mse", "--check").returncode == 0
        again = run(home, "implement", stdin="q\n")
        assert "No task named: starting " in again.stdout
        assert "No task named: starting mse " not in again.stdout


def test_json_without_check_implies_check(tmp_path):
    home = tmp_path / "home"
    path = tmp_path / "mse.py"
    path.write_text(MSE_OK)
    proc = run(home, "implement", "mse", "--file", str(path), "--json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)  # exactly one JSON object, no watch mode
    assert data["passed"] is True
    proc = run(home, "implement", "--json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"].startswith("name the task to check")


def test_the_task_title_is_not_cut_at_60_columns(tmp_path):
    home = tmp_path / "home"
    s = Session(
        ["implement", "focal", "--file", str(tmp_path / "focal.py")],
        {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"},
        tty=True,
        cols=60,
    )
    s.expect("c check now")
    s.send_keys("q")
    s.finish()
    flat = " ".join(line.strip("│ ") for line in s.text.splitlines())
    assert "implement · focal" in s.text
    assert "focal_loss(y_true, logits, alpha=0.25, gamma=2.0)" in flat.replace("  ", " ")


def test_flashcards_and_bughunt_end_with_a_next_line(tmp_path):
    home = tmp_path / "home"
    env = {"LOSSDRILL_HOME": str(home), "NO_COLOR": "1"}
    s = Session(["bughunt", "-n", "1"], env, tty=False)
    s.expect(r"buggy line> ")
    s.close_input()
    s.expect(r"Next: lossdrill \S+")
    assert s.finish() == 0
    s = Session(["flashcards", "--new", "1"], env, tty=False)
    s.expect("Enter to reveal > ")
    s.send("")
    s.send("3")
    s.expect(r"Next: lossdrill \S+")
    assert s.finish() == 0
