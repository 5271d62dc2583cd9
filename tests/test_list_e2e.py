"""``lossdrill list`` through the installed command: a short list of tasks with their
status from the store, whole ids at any width, --all for the catalogue."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from drive import Session, lossdrill_command

from lossdrill.recording import ImplementAttempt
from lossdrill.store import open_store


def attempt(task: str, passed: bool) -> ImplementAttempt:
    return ImplementAttempt(
        "s", task, passed, 1.0 if passed else 0.2, (("random", 200, 0),), (), 0.0, 0, 6
    )


def run(*args: str, home: Path, cols: int = 80) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*lossdrill_command(), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LOSSDRILL_HOME": str(home), "COLUMNS": str(cols), "NO_COLOR": "1"},
    )


def test_list_shows_each_tasks_status_from_the_store(tmp_path):
    store = open_store(tmp_path)
    store.record_implement_attempt(attempt("focal", False))
    store.record_implement_attempt(attempt("mse", False))
    store.record_implement_attempt(attempt("mse", True))  # failed, then passed: passed
    store.close()
    proc = run("list", home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert re.search(r"^passed\s+mse\s+regression\s+★+$", out, re.M)
    assert re.search(r"^failing\s+focal\s+classification\s+★+$", out, re.M)
    assert re.search(r"^new\s+huber\s+regression\s+★+$", out, re.M)
    tasks = json.loads(run("list", "--json", "--kind", "implement", home=tmp_path).stdout)["items"]
    assert re.search(
        rf"Implement tasks \({len(tasks)}: 1 passed, 1 failing, {len(tasks) - 2} new\)", out
    )
    assert "lossdrill list --all" in out
    every = json.loads(run("list", "--json", home=tmp_path).stdout)
    quiz = sum(
        n
        for k, n in every["counts"]["by_kind"].items()
        if k in ("choice", "multi", "numeric", "recall", "scenario")
    )
    flat = " ".join(out.split())
    assert (
        f"Also: {quiz} quiz questions (lossdrill quiz); {every['counts']['by_kind']['bug-hunt']} bug hunts"
        f" (lossdrill bughunt); {every['counts']['flashcards']} flashcards"
    ) in flat
    assert len(out.splitlines()) < len(tasks) + 12  # a short list, not the catalogue
    assert {t["id"]: t["status"] for t in tasks}["mse"] == "passed"


def test_list_never_creates_a_store(tmp_path):
    home = tmp_path / "fresh"
    proc = run("list", home=home)
    assert proc.returncode == 0 and re.search(r"^new\s+focal\b", proc.stdout, re.M)
    assert not (home / "lossdrill.sqlite3").exists()  # (the bank parse cache may be written)


def test_ids_are_never_cut_at_60_columns_in_a_terminal(tmp_path):
    ids = [i["id"] for i in json.loads(run("list", "--json", home=tmp_path).stdout)["items"]]
    s = Session(
        ["list", "--all"],
        {"LOSSDRILL_HOME": str(tmp_path), "NO_COLOR": "1"},
        tty=True,
        cols=60,
        rows=50,
    )
    assert s.finish() == 0
    words = set(re.findall(r"[a-z0-9][a-z0-9-]*", s.text))
    assert [i for i in ids if i not in words] == []
    assert "…" not in s.text
    assert max(len(line) for line in s.text.splitlines()) <= 60
    s = Session(["list"], {"LOSSDRILL_HOME": str(tmp_path), "NO_COLOR": "1"}, tty=True, cols=60)
    assert s.finish() == 0
    assert max(len(line) for line in s.text.splitlines()) <= 60
    assert "multiclass-hinge" in s.text


def test_piped_output_has_no_trailing_spaces(tmp_path):
    for args in (["list"], ["list", "--all"], ["progress"], ["plot", "mse"]):
        out = run(*args, home=tmp_path).stdout
        assert out.strip(), args
        assert [line for line in out.splitlines() if line.endswith(" ")] == [], args
