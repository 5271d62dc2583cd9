"""`lossdrill implement`, `hint` and `reveal` as a user and a script run them (real subprocesses)."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest
from drive import Session, lossdrill_command

MSE_OK = textwrap.dedent("""
    import numpy as np


    def mse_loss(y_true, y_pred):
        e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
        return 0.5 * float(np.mean(e ** 2)) if e.size else 0.0
""")

MSE_SUM = textwrap.dedent("""
    import numpy as np


    def mse_loss(y_true, y_pred):
        return 0.5 * float(np.sum((np.asarray(y_pred) - np.asarray(y_true)) ** 2))
""")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def run(
    home: Path, *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess:
    env_args = ["--home", str(home)] if args and args[0] in ("implement", "hint", "reveal") else []
    return subprocess.run(
        [*lossdrill_command(), *args, *env_args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def check_json(home: Path, task: str, path: Path, *extra: str) -> tuple[int, dict]:
    proc = run(home, "implement", task, "--file", str(path), "--check", "--json", *extra)
    assert "Traceback" not in proc.stderr
    return proc.returncode, json.loads(proc.stdout)  # exactly one JSON object


def test_passing_file_exits_0_with_the_design_json(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(MSE_OK)
    code, out = check_json(home, "mse", path)
    assert code == 0
    assert out["task"] == "mse" and out["passed"] is True and out["score"] == 1.0
    assert out["diagnoses"] == [] and out["first_failure"] is None
    names = [g["name"] for g in out["groups"]]
    assert names[:2] == ["edge", "dtypes"] and "random" in names
    for g in out["groups"]:
        assert {"name", "passed", "total", "failed"} <= set(g)
        assert g["failing_cases"] == []
        assert g["passed"] is True and g["failed"] == 0


def test_failing_file_exits_1_with_diagnosis_and_first_failure(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(MSE_SUM)
    code, out = check_json(home, "mse", path)
    assert code == 1 and out["passed"] is False
    assert out["diagnoses"][0]["code"] == "wrong-reduction"
    ff = out["first_failure"]
    assert {"group", "inputs", "expected", "got"} <= set(ff)
    y, yhat = ff["inputs"]["y_true"], ff["inputs"]["y_pred"]
    errors = [p - t for t, p in zip(y, yhat, strict=True)]
    assert ff["expected"] == pytest.approx(0.5 * sum(e * e for e in errors) / len(errors))
    assert ff["got"] == pytest.approx(0.5 * sum(e * e for e in errors))


def test_same_seed_gives_the_same_json(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(MSE_SUM)
    _, a = check_json(home, "mse", path, "--seed", "3")
    _, b = check_json(home, "mse", path, "--seed", "3")
    a.pop("elapsed_s"), b.pop("elapsed_s")
    assert a == b and a["seed"] == 3


def test_unknown_task_is_a_usage_error(home, tmp_path):
    proc = run(home, "implement", "nope", "--file", str(tmp_path / "x.py"), "--check", "--json")
    assert proc.returncode == 2
    out = json.loads(proc.stdout)
    assert "unknown task 'nope'" in out["error"] and "focal" in out["error"]
    proc = run(home, "implement", "nope", "--check")
    assert proc.returncode == 2 and "unknown task" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_file_is_a_usage_error(home, tmp_path):
    missing = tmp_path / "absent.py"
    proc = run(home, "implement", "mse", "--file", str(missing), "--check", "--json")
    assert proc.returncode == 2
    assert json.loads(proc.stdout)["error"] == f"no such file: {missing}"
    proc = run(home, "implement", "mse", "--check")  # no file in the work folder yet
    assert proc.returncode == 2 and "no such file" in proc.stderr and "Traceback" not in proc.stderr


HOSTILE = {
    "endless loop": ("while True:\n        pass", "timeout"),
    "sys.exit": ("import sys\n    sys.exit(3)", "exception"),
    "os._exit": ("import os\n    os._exit(3)", "exception"),
    "huge allocation": ("return float(np.ones(1 << 40).sum())", "memory"),
    "raises": ("raise ValueError('nope')", "exception"),
    "returns a list": ("return [0.0]", "wrong-type"),
    "returns None": ("return None", "wrong-type"),
    "returns a string": ("return 'zero'", "wrong-type"),
    "returns a vector": ("return np.zeros(len(y_true))", "wrong-shape"),
    "modifies its input": (
        "y_pred -= y_true\n    return 0.5 * float(np.mean(y_pred ** 2)) if len(y_pred) else 0.0",
        "mutates-input",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_submission_ends_in_a_verdict(home, tmp_path, name):
    body, code = HOSTILE[name]
    path = tmp_path / "mse.py"
    path.write_text(f"import numpy as np\n\n\ndef mse_loss(y_true, y_pred):\n    {body}\n")
    rc, out = check_json(home, "mse", path)
    assert rc == 1
    assert out["diagnoses"][0]["code"] == code, out["diagnoses"]


def test_syntax_error_and_missing_function_via_the_cli(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text("def mse_loss(y_true, y_pred)\n    return 0\n")
    rc, out = check_json(home, "mse", path)
    assert rc == 1 and out["diagnoses"][0]["code"] == "syntax-error"
    assert "line 1" in out["diagnoses"][0]["message"]
    path.write_text("def mean_squared_error(y_true, y_pred):\n    return 0\n")
    rc, out = check_json(home, "mse", path)
    assert rc == 1 and out["diagnoses"][0]["code"] == "missing-function"


def test_megabytes_of_prints_do_not_break_a_correct_submission(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(MSE_OK.replace("    e = np", "    print('x' * 100_000)\n    e = np"))
    rc, out = check_json(home, "mse", path)
    assert rc == 0 and out["passed"] is True


def test_rich_report_names_the_mistake_and_the_next_hint(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(MSE_SUM)
    proc = run(home, "implement", "mse", "--file", str(path), "--check")
    assert proc.returncode == 1
    assert "FAIL mse" in proc.stdout
    assert "wrong-reduction" in proc.stdout
    assert "first failure" in proc.stdout and "expected" in proc.stdout
    assert "Stuck? lossdrill hint mse shows hint 1 of 3." in proc.stdout  # no watch-mode key


def test_starter_is_written_once_and_never_overwritten(home, tmp_path):
    proc = run(home, "implement", "mse", stdin="q\n")
    assert proc.returncode == 0, proc.stderr
    starter = home / "work" / "mse.py"
    assert "def mse_loss(" in starter.read_text()
    assert "Starter written to" in proc.stdout
    starter.write_text("# my work\n")
    proc = run(home, "implement", "mse", stdin="q\n")
    assert starter.read_text() == "# my work\n"
    assert "kept as it is" in proc.stdout
    own = tmp_path / "mine.py"
    own.write_text("# mine\n")
    run(home, "implement", "mse", "--file", str(own), stdin="q\n")
    assert own.read_text() == "# mine\n"


def test_watch_mode_scripted_check_hint_and_quit(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(MSE_SUM)
    proc = run(home, "implement", "mse", "--file", str(path), stdin="h\nc\nq\n")
    assert proc.returncode == 0
    out = proc.stdout
    assert "hint 1 of" in out
    assert "Stuck? h shows hint 2 of 3." in out  # the watch-mode key, after one hint
    assert out.count("FAIL mse") == 2  # at start (the file is not the starter) and on `c`
    assert "Session: mse not passed yet" in out


def test_watch_mode_rechecks_on_save_and_times_the_pass(home, tmp_path):
    path = tmp_path / "mse.py"
    s = Session(["implement", "mse", "--file", str(path), "--home", str(home)], tty=True)
    s.expect("Starter written to")
    s.expect("c check now")
    path.write_text(MSE_SUM)
    s.expect("FAIL mse")
    s.expect("wrong-reduction")
    path.write_text(MSE_OK)
    s.expect("PASS mse")
    s.expect(r"Passed in \dm\d\ds")
    s.expect("reference solution")
    s.send("q")
    s.expect("Session: mse passed")
    assert s.finish() == 0


def test_watch_mode_ctrl_c_ends_with_a_summary(home, tmp_path):
    path = tmp_path / "mse.py"
    s = Session(["implement", "mse", "--file", str(path), "--home", str(home)], tty=True)
    s.expect("c check now")
    s.expect("Watching")  # printed once the loop waits for saves and commands
    s.interrupt()
    s.expect("Session: mse not passed yet")
    assert s.finish() == 130  # Ctrl-C: 130, as git gives
    assert "Traceback" not in s.text


def test_hints_are_progressive_and_remembered(home):
    seen = [run(home, "hint", "mse").stdout for _ in range(4)]
    assert "hint 1 of" in seen[0] and "hint 2 of" in seen[1] and "hint 3 of" in seen[2]
    assert "No more hints" in seen[3] and "lossdrill reveal mse" in seen[3]
    assert run(home, "hint", "no-such-task").returncode == 2


def test_reveal_asks_before_a_pass(home, tmp_path):
    proc = run(home, "reveal", "mse", stdin="n\n")
    assert proc.returncode == 1 and "reference solution" not in proc.stdout
    proc = run(home, "reveal", "mse", stdin="y\n")
    assert (
        proc.returncode == 0
        and "reference solution" in proc.stdout
        and "def mse_loss" in proc.stdout
    )
    proc = run(home, "reveal", "mse", "--yes")
    assert proc.returncode == 0 and "debrief" in proc.stdout


def test_reveal_does_not_ask_after_a_pass(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(MSE_OK)
    assert check_json(home, "mse", path)[0] == 0
    proc = run(home, "reveal", "mse")  # no input at all: it must not ask
    assert proc.returncode == 0 and "reference solution" in proc.stdout


def test_report_at_80_columns_keeps_every_group_readable(home, tmp_path):
    # a starter fails every case: long lists of failing cases must not squeeze the table
    path = tmp_path / "focal.py"
    path.write_text(
        textwrap.dedent("""
        def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
            raise NotImplementedError
    """)
    )
    s = Session(
        ["implement", "focal", "--file", str(path), "--check", "--home", str(home)],
        tty=True,
        cols=80,
    )
    assert s.finish() == 1
    lines = s.text.splitlines()
    from lossdrill.checker.tasks import TASKS

    cases = TASKS["focal"].cases()
    for group in ("edge", "random", "stability"):
        total = str(sum(c.group == group for c in cases))
        row = next(line for line in lines if line.startswith(group))
        assert row.split()[1:3] == [total, total]
    assert all(len(line) <= 80 for line in lines)
    assert "empty-batch" not in s.text  # the placeholder explains the empty batch too
    assert "your function against the reference" not in s.text  # no curve to draw
    assert "Traceback" not in s.text


def test_empty_batch_failure_shows_an_empty_input_and_a_plain_warning(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(
        textwrap.dedent("""
        import numpy as np


        def mse_loss(y_true, y_pred):
            return float(0.5 * np.mean((np.asarray(y_pred) - np.asarray(y_true)) ** 2))
    """)
    )
    proc = run(home, "implement", "mse", "--file", str(path), "--check")
    assert proc.returncode == 1
    out = proc.stdout
    assert "empty-batch: an empty batch must give 0.0, but your function returned nan" in out
    assert "[] (empty)" in out and "expected  0.0" in out
    assert "RuntimeWarning: Mean of empty slice" in out
    assert "site-packages" not in out  # warnings without the library's paths


def test_a_file_that_does_not_load_is_reported_without_a_case_table(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text("def mse_loss(y_true, y_pred)\n    return 0\n")
    out = run(home, "implement", "mse", "--file", str(path), "--check").stdout
    assert "FAIL mse: the file did not load, so none of its cases ran" in out
    assert "line 1: expected ':' in “def mse_loss(y_true, y_pred)”" in " ".join(out.split())
    assert "random " not in out  # no table of 200 "failing" random cases


def test_a_misnamed_function_is_pointed_out(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text("def mean_squared_error(y_true, y_pred):\n    return 0\n")
    rc, out = check_json(home, "mse", path)
    assert out["diagnoses"] == [
        {
            "code": "missing-function",
            "message": "the file does not define mse_loss(): it defines mean_squared_error(); "
            "the checker calls mse_loss()",
        }
    ]


@pytest.mark.parametrize(
    "top, said",
    [
        ("import os\nos._exit(3)\n", "while loading, the file ended the process with exit code 3"),
        ("import sys\nsys.exit(0)\n", "while loading, the file called sys.exit(0)"),
    ],
)
def test_exiting_at_the_top_level_reads_plainly(home, tmp_path, top, said):
    path = tmp_path / "mse.py"
    path.write_text(top + MSE_OK)
    rc, out = check_json(home, "mse", path)
    assert rc == 1
    message = out["diagnoses"][0]["message"]
    assert message.startswith(said) and "while loading:" not in message


def test_in_place_change_names_the_argument_in_the_first_failure(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text(
        "import numpy as np\n\n\ndef mse_loss(y_true, y_pred):\n"
        "    y_pred -= y_true\n"
        "    return 0.5 * float(np.mean(y_pred ** 2)) if len(y_pred) else 0.0\n"
    )
    rc, out = check_json(home, "mse", path)
    assert out["first_failure"]["reason"] == (
        "returned the right value, but modified y_pred in place: the caller's array changed"
    )


def test_unknown_task_suggests_the_closest_one_everywhere(home, tmp_path):
    for args in (("implement", "focl", "--check"), ("hint", "focl"), ("reveal", "focl")):
        proc = run(home, *args)
        assert proc.returncode == 2
        assert "error: unknown task 'focl' (did you mean focal?); implement tasks:" in proc.stderr
        assert "Traceback" not in proc.stderr


def test_watch_mode_reveal_then_pass_says_so_and_shows_the_debrief_once(home, tmp_path):
    path = tmp_path / "focal.py"
    s = Session(["implement", "focal", "--file", str(path), "--home", str(home)], tty=True)
    s.expect("c check now")
    s.send("h")
    s.expect("hint 1 of")
    s.send("r")
    s.expect(r"Reveal the solution\? \[y/N\]")
    s.send("n")
    s.expect("Not revealed")
    s.send("r")
    s.expect(r"\[y/N\]")
    s.send("y")
    s.expect("reference solution")
    path.write_text(
        textwrap.dedent("""
        import numpy as np


        def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
            y = np.asarray(y_true, dtype=float)
            z = np.asarray(logits, dtype=float)
            ce = np.logaddexp(0, -z) * y + np.logaddexp(0, z) * (1 - y)
            a_t = alpha * y + (1 - alpha) * (1 - y)
            return float(np.mean(a_t * (-np.expm1(-ce)) ** gamma * ce)) if y.size else 0.0
    """)
    )
    s.expect("PASS focal")
    s.expect("after revealing the solution")
    s.expect("c check now")
    s.send("q")
    s.expect("Session: focal passed")
    assert s.finish() == 0
    text = s.text
    assert text.count("reference solution") == 1  # not shown again on the pass
    assert "1 check · solution revealed · 5 lines" in text  # the five lines of the body


def test_last_hint_again_keeps_its_title_whole_at_80_columns(home):
    for _ in range(3):
        run(home, "hint", "focal")
    s = Session(["hint", "focal", "--home", str(home)], tty=True, cols=80)
    assert s.finish() == 0
    assert "hint 3 of 3 (the last one)" in s.text
    assert (
        "No more hints: that was the last one again. lossdrill reveal focal shows the solution."
        in " ".join(s.text.split())
    )


def test_one_value_mismatch_shows_expected_and_got_without_a_why_line(home, tmp_path):
    path = tmp_path / "g.py"
    path.write_text(
        "import numpy as np\n\n\ndef binary_ce_gradient(y_true, logits):\n"
        "    return np.asarray(y_true, float) - 1 / (1 + np.exp(-np.asarray(logits, float)))\n"
    )
    out = run(home, "implement", "bce-grad", "--file", str(path), "--check").stdout
    assert "wrong-sign" in out
    # y = 1, z = 0: σ(0) − 1 = −0.5 is due, y − σ(0) = +0.5 came back
    assert "expected  [-0.5]" in out and "got       [0.5]" in out
    assert "1 of 1 values differ" not in out


def test_megabytes_printed_while_loading_take_a_few_lines_of_the_report(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text("print('y' * 10_000_000)\n" + MSE_SUM)
    proc = run(home, "implement", "mse", "--file", str(path), "--check")
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    out = proc.stdout
    assert "printed while loading" in out
    panel = out[out.index("printed while loading") :].split("╰")[0]
    assert len(panel.splitlines()) <= 10
    assert "more characters]" in panel


def test_case_names_say_one_row(home, tmp_path):
    path = tmp_path / "mse.py"
    path.write_text("def mse_loss(y_true, y_pred):\n    return [0.0]\n")  # fails every case
    rc, out = check_json(home, "mse", path)
    names = [name for g in out["groups"] for name in g["failing_cases"]]
    assert any(" (1 row, " in name for name in names)
    assert not any("1 rows" in name for name in names)


def test_task_panel_states_the_tolerance_once(home):
    proc = run(home, "implement", "mse", stdin="q\n")
    out = proc.stdout
    assert out.count("float64 inputs relative 1e-6") == 1  # the contract's own line
    assert "1e-06" not in out and "within the tolerance above" in out


def test_an_empty_file_is_called_empty(home, tmp_path):
    path = tmp_path / "focal.py"
    path.write_text("\n")
    rc, out = check_json(home, "focal", path)
    assert rc == 1
    assert (
        out["diagnoses"][0]["message"] == "the file does not define focal_loss(): the file is empty"
    )
