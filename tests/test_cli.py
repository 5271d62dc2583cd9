"""The command line as a whole: help is light, every command answers --help, no tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest
from drive import COMMANDS, run


def test_help_lists_every_command():
    proc = run("--help")
    assert proc.returncode == 0
    for command in COMMANDS:
        assert f"  {command} " in proc.stdout


def test_help_imports_neither_numpy_nor_yaml_nor_banks():
    code = (
        "import sys, runpy\n"
        "sys.argv = ['lossdrill', '--help']\n"
        "try:\n    runpy.run_module('lossdrill', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('numpy', 'yaml', 'lossdrill.bank.loader', 'lossdrill.references') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "HEAVY []" in proc.stderr


def test_a_one_shot_check_imports_neither_the_watch_loop_nor_the_bank_schema(tmp_path):
    """``implement TASK --check`` reads its task from the records' view: building the
    bank's dataclasses or the watch loop would only add to every check's start-up."""
    solution = tmp_path / "focal.py"
    from lossdrill.bank.loader import load_banks

    solution.write_text(load_banks().implement("focal").solution)  # the bank's own, passing
    code = (
        "import sys, runpy\n"
        f"sys.argv = ['lossdrill', 'implement', 'focal', '--check', '--json', '--file', {str(solution)!r}]\n"
        "try:\n    runpy.run_module('lossdrill', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('lossdrill.implement.watch', 'lossdrill.bank.schema', 'yaml') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)\n"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert '"passed": true' in first.stdout, first.stderr  # this one may fill the caches
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert '"passed": true' in proc.stdout, proc.stderr
    assert "HEAVY []" in proc.stderr


def test_python_dash_m_works():
    proc = subprocess.run(
        [sys.executable, "-m", "lossdrill", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0 and "quiz" in proc.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    proc = run(command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "Usage: lossdrill" in proc.stdout


def test_unknown_command_is_a_usage_error_without_traceback():
    proc = run("quizz")
    assert proc.returncode == 2
    assert "No such command" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_list_json_counts_items_by_kind(tmp_path):
    import json

    proc = run("list", "--json")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    kinds = data["counts"]["by_kind"]
    assert data["counts"]["total"] == len(data["items"]) == sum(kinds.values())
    ids = [i["id"] for i in data["items"]]
    assert len(ids) == len(set(ids))


def test_readme_documents_every_diagnosis_code():
    from pathlib import Path

    from lossdrill.checker.codes import CODES

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    assert [code for code in CODES if f"| `{code}` |" not in readme] == []


def test_list_rejects_an_unknown_kind_and_names_the_kinds():
    proc = run("list", "--kind", "essay")
    assert proc.returncode == 2
    assert "error: unknown kind 'essay'" in proc.stderr and "bug-hunt" in proc.stderr
