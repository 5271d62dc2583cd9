"""Odd environments against the installed command, and `lossdrill doctor`."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from drive import lossdrill_command
from hardening import MSE_OK, Place


@pytest.fixture
def place(tmp_path):
    return Place(tmp_path)


ENCODINGS = [
    {"PYTHONIOENCODING": "ascii"},
    {"PYTHONIOENCODING": "latin-1"},
    {"LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0", "PYTHONUTF8": "0"},
]


@pytest.mark.parametrize("extra", ENCODINGS, ids=["ascii", "latin-1", "C-locale"])
def test_r16_a_non_utf8_output_encoding_degrades_instead_of_crashing(place, extra):
    env = place.env(**extra)
    path = place.write("ok.py", MSE_OK)
    for args, stdin in (
        (["list"], ""),
        (["quiz", "-n", "2", "--seed", "1"], "1\n1\n"),
        (["progress"], ""),
        (["hint", "mse"], ""),
        (["implement", "mse", "--file", str(path), "--check"], ""),
    ):
        proc = place.run(*args, stdin=stdin.encode(), env=env)  # bytes: the output is not UTF-8
        assert proc.returncode == 0, (args, proc.stderr)
        assert b"internal error" not in proc.stderr and b"UnicodeEncodeError" not in proc.stderr
        assert proc.stdout


def _closed(
    place: Place, args: list[str], which: str, stdin: str = ""
) -> subprocess.CompletedProcess:
    """Run with stdin (0) or stdout (1) closed, as the shell's ``<&-`` / ``>&-`` do."""
    fd = 0 if which == "stdin" else 1
    return (
        subprocess.run(
            ["bash", "-c", f'exec {fd}>&-; exec "$@"', "lossdrill", *lossdrill_command(), *args],
            capture_output=which == "stdin",
            stderr=subprocess.PIPE if which == "stdout" else None,
            text=True,
            timeout=60,
            cwd=place.work,
            env=place.env(),
        )
        if which == "stdout"
        else subprocess.run(
            ["bash", "-c", f'exec {fd}<&-; exec "$@"', "lossdrill", *lossdrill_command(), *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=place.work,
            env=place.env(),
        )
    )


def test_r20_quiz_with_stdin_closed_ends_with_a_summary(place):
    proc = _closed(place, ["quiz", "-n", "1"], "stdin")
    assert proc.returncode == 0 and "internal error" not in proc.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["progress", "--json"],
        ["implement", "mse", "--file", "ok.py", "--check", "--json"],
        ["plot", "mse"],
        ["list"],
    ],
)
def test_r20_stdout_closed_is_quiet(place, args):
    place.write("ok.py", MSE_OK)
    proc = _closed(place, args, "stdout")
    assert proc.returncode in (0, 1) and "internal error" not in proc.stderr, proc.stderr


def test_r21_quiz_from_dev_zero_ends(place):
    with open("/dev/zero", "rb") as zero:
        proc = subprocess.run(
            [*lossdrill_command(), "quiz", "-n", "1"],
            stdin=zero,
            capture_output=True,
            timeout=60,
            cwd=place.work,
            env=place.env(),
        )
    assert proc.returncode == 0 and b"internal error" not in proc.stderr


def test_r25_an_empty_home_does_not_put_the_store_at_the_root(place):
    env = {
        k: v
        for k, v in place.env().items()
        if k not in ("LOSSDRILL_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    }
    env["HOME"] = ""
    proc = place.run("doctor", "--json", env=env)
    folders = json.loads(proc.stdout)["folders"]
    assert not folders["data"].startswith("/.local") and not folders["cache"].startswith("/.cache")
    assert os.path.isabs(folders["data"]) and os.path.isabs(folders["cache"])


@pytest.mark.parametrize("value", ["relative/dir", "~", "~/x"])
def test_r25_a_relative_xdg_folder_is_ignored(place, value):
    env = {k: v for k, v in place.env().items() if k != "LOSSDRILL_HOME"}
    env.update(
        XDG_DATA_HOME=value, XDG_CACHE_HOME=str(place.root / "c"), HOME=str(place.root / "h")
    )
    proc = place.run("progress", env=env)
    assert proc.returncode == 0
    assert not (place.work / "~").exists() and not (place.work / "relative").exists()
    assert (place.root / "h" / ".local" / "share" / "lossdrill").is_dir()


def test_home_option_moves_the_caches_as_the_environment_does(place):
    env = {k: v for k, v in place.env().items() if k != "LOSSDRILL_HOME"}
    env.update(
        XDG_CACHE_HOME=str(place.root / "xdg-cache"), XDG_DATA_HOME=str(place.root / "xdg-data")
    )
    other = place.root / "other"
    path = place.write("ok.py", MSE_OK)
    proc = place.run(
        "implement", "mse", "--file", str(path), "--check", "--json", "--home", str(other), env=env
    )
    assert json.loads(proc.stdout)["passed"] is True
    assert list((other / "cache" / "cases").glob("mse-*.cases"))
    assert (other / "lossdrill.sqlite3").exists()
    assert not (place.root / "xdg-cache").exists()


def test_doctor_reports_protections_versions_folders(place):
    proc = place.run("doctor", "--json")
    assert proc.returncode == 0, proc.stdout
    report = json.loads(proc.stdout)
    from lossdrill.checker.confine import abi_version

    abi = abi_version()
    assert report["protections"]["landlock_abi"] == abi
    assert report["protections"]["filesystem"] is (abi >= 1)
    assert report["protections"]["signals"] is (abi >= 6)
    assert report["protections"]["subreaper"] is True
    assert report["protections"]["lossdrill_imports_refused"] is True
    import numpy

    assert report["versions"]["numpy"] == numpy.__version__
    assert report["folders"]["data"] == str(place.home)
    assert report["folders"]["cache"] == str(place.home / "cache")
    assert report["problems"] == []
    text = place.run("doctor")
    assert "Landlock ABI" in text.stdout and "no problem found" in text.stdout


def test_doctor_finds_a_damaged_store_and_stale_caches(place):
    place.run("quiz", "-n", "2", "--seed", "1", stdin="1\n1\n")
    store = place.home / "lossdrill.sqlite3"
    data = bytearray(store.read_bytes())
    data[4096 * 2 : 4096 * 3] = b"\x13" * 4096
    store.write_bytes(bytes(data))
    (place.home / "cache" / "cases").mkdir(parents=True, exist_ok=True)
    (place.home / "cache" / "cases" / "mse-old.cases").write_bytes(b"junk")
    (place.home / "cache" / "cases" / "mse-older.npz").write_bytes(b"junk")
    (place.home / "cache" / "banks").mkdir(parents=True, exist_ok=True)
    (place.home / "cache" / "banks" / "x.pickle").write_bytes(b"junk")
    proc = place.run("doctor", "--json")
    assert proc.returncode == 1
    problems = " ".join(json.loads(proc.stdout)["problems"])
    assert "damaged" in problems or "cannot be checked" in problems
    assert "stale" in problems and "pickle" in problems and ".npz format" in problems


def test_r21_yes_piped_into_quiz_ends_with_a_summary():
    """`yes | lossdrill quiz` answers 'y' forever: each item is given up after a few unusable
    lines, so the session ends (it looped forever before)."""
    import subprocess as sp

    from drive import lossdrill_command

    yes = sp.Popen(["yes"], stdout=sp.PIPE)
    try:
        done = sp.run(
            [*lossdrill_command(), "quiz", "-n", "3", "--kind", "choice", "--seed", "1"],
            stdin=yes.stdout,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        yes.kill()
        yes.wait()
    assert done.returncode == 0, done.stderr
    assert "given up" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
