"""CLI conventions, driving the installed command: --version, -h, completion, one-liners
that fit, exit 130 on Ctrl-C, a quiet exit on a closed pipe, one error format with a
did-you-mean for every name a user types."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import drive
import pytest
from drive import Session, lossdrill_command, run

BANK = str(Path(__file__).parent / "data" / "bank_ok")
COMMANDS = [*drive.COMMANDS, "export anki"]


def test_version_prints_the_package_version():
    from importlib.metadata import version

    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout == f"lossdrill {version('lossdrill')}\n"


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_dash_h_is_help_for_every_command(command):
    short = run(*command.split(), "-h")
    long = run(*command.split(), "--help")
    assert short.returncode == 0, short.stderr
    assert short.stdout == long.stdout
    assert f"Usage: lossdrill {command}".rstrip() in short.stdout


def test_command_one_liners_fit_sixty_columns_uncut():
    proc = run("--help", env={"COLUMNS": "60"})
    rows = proc.stdout.split("Commands:")[1].strip().splitlines()
    names = [row.split()[0] for row in rows]
    assert names[:4] == ["today", "plan", "quiz", "implement"] and "export" in names
    for row in rows:
        assert len(row) <= 60, row
        assert not row.rstrip().endswith("..."), row


def complete(*words: str) -> list[str]:
    """What bash completion offers after ``lossdrill WORDS`` (Typer's own mechanism)."""
    proc = run(
        env={
            "_LOSSDRILL_COMPLETE": "complete_bash",
            "COMP_WORDS": " ".join(["lossdrill", *words]),
            "COMP_CWORD": str(len(words)),
        }
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


def test_shell_completion_offers_task_ids_topics_kinds_losses_and_bug_hunts():
    assert "focal" in complete("implement", "fo")
    assert complete("hint", "hub") == ["huber", "huber-grad"]
    assert "classification" in complete("quiz", "--topic", "cl")
    assert complete("quiz", "--kind", "mu") == ["multi"]
    assert complete("list", "--kind", "fl") == ["flashcard"]
    assert {"huber", "huber-grad"} <= set(complete("plot", "hu"))
    hunts = complete("bughunt", "bug-")
    assert hunts and all(h.startswith("bug-") for h in hunts)
    assert "--install-completion" in run("--help").stdout


def test_ctrl_c_in_a_terminal_quiz_exits_130_after_the_summary(tmp_path):
    env = {"LOSSDRILL_HOME": str(tmp_path), "LOSSDRILL_BUILTIN_BANKS": "0"}
    s = Session(["quiz", "--bank", BANK, "--count", "3", "--seed", "5"], env, tty=True)
    s.expect(r"(your answer|your choice)> ")
    s.interrupt()
    assert s.finish() == 130
    assert "No questions answered." in s.text and "Traceback" not in s.text


def test_sigint_with_piped_input_exits_130(tmp_path):
    env = {"LOSSDRILL_HOME": str(tmp_path), "LOSSDRILL_BUILTIN_BANKS": "0", "NO_COLOR": "1"}
    s = Session(["flashcards", "--bank", BANK], env, tty=False)
    s.expect("Enter to reveal")
    s.interrupt()
    assert s.finish() == 130
    assert "Traceback" not in s.text


def test_a_finished_session_still_exits_0(tmp_path):
    env = {"LOSSDRILL_HOME": str(tmp_path), "LOSSDRILL_BUILTIN_BANKS": "0", "NO_COLOR": "1"}
    s = Session(["quiz", "--bank", BANK, "--kind", "numeric", "--count", "1"], env, tty=False)
    s.expect("your answer> ")
    s.send("0.693")
    assert s.finish() == 0


@pytest.mark.parametrize("command", ["validate", "list --all", "plot mse huber"])
def test_a_closed_pipe_exits_quietly_with_141_not_1(command):
    # The reader has gone before the first write (as `| head -1` once it has its line).
    read_end, write_end = os.pipe()
    os.close(read_end)
    proc = subprocess.run(
        [*lossdrill_command(), *command.split()],
        stdout=write_end,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "80"},
    )
    os.close(write_end)
    assert proc.returncode == 141
    assert proc.stderr == ""


def test_validate_piped_into_head_is_not_a_failure():
    proc = subprocess.run(
        [
            "bash",
            "-c",
            f"{' '.join(lossdrill_command())} validate | head -1; echo status ${{PIPESTATUS[0]}}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and lines[1] in ("status 0", "status 141"), proc.stdout
    assert proc.stderr == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["implement", "focl", "--check"],
            "error: unknown task 'focl' (did you mean focal?); implement tasks: ",
        ),
        (
            ["hint", "hubber"],
            "error: unknown task 'hubber' (did you mean huber?); implement tasks: ",
        ),
        (
            ["interview", "--task", "hubber"],
            "error: unknown task 'hubber' (did you mean huber?); tasks: ",
        ),
        (
            ["quiz", "--topic", "clasification"],
            "error: unknown topic 'clasification' (did you mean classification?); topics: ",
        ),
        (
            ["quiz", "--kind", "choise"],
            "error: unknown kind 'choise' (did you mean choice?); quiz kinds: ",
        ),
        (
            ["list", "--kind", "recal"],
            "error: unknown kind 'recal' (did you mean recall?); kinds: ",
        ),
        (
            ["list", "--topic", "rank"],
            "error: unknown topic 'rank' (did you mean ranking?); topics: ",
        ),
        (
            ["flashcards", "--topic", "regresion"],
            "error: unknown topic 'regresion' (did you mean regression?); flashcard topics: ",
        ),
        (
            ["export", "anki", "x.apkg", "--topic", "regresion"],
            "error: unknown topic 'regresion' (did you mean regression?); flashcard topics: ",
        ),
        (["plot", "fcal"], "error: unknown loss 'fcal' (did you mean focal?); losses: "),
        (
            ["bughunt", "bug-weighted-bce-everywhe"],
            "error: unknown bug hunt 'bug-weighted-bce-everywhe' (did you mean bug-weighted-bce-everywhere?); bug hunts: ",
        ),
    ],
)
def test_every_unknown_name_gets_one_error_format_and_a_did_you_mean(args, expected, tmp_path):
    proc = run(
        *args,
        env={"LOSSDRILL_HOME": str(tmp_path), "NO_COLOR": "1"},
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith(expected), proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.apkg").exists()


def test_a_name_with_nothing_close_lists_the_names_without_a_guess(tmp_path):
    proc = run("plot", "zzzz", env={"NO_COLOR": "1"})
    assert proc.returncode == 2
    assert re.match(r"error: unknown loss 'zzzz'; losses: .*\bmse\b", proc.stderr)


def test_plot_completion_offers_exactly_the_losses_plot_accepts():
    from lossdrill.plotting.slices import TASKS

    assert complete("plot", "") == sorted(TASKS)
