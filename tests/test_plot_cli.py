"""`lossdrill plot` end to end: the installed command through pipes and a pseudo-terminal."""

from __future__ import annotations

import os
import subprocess

import pytest
from drive import Session, lossdrill_command


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "COLUMNS": "120", **(env or {})}
    return subprocess.run(
        lossdrill_command() + ["plot", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
    )


def table_rows(out: str) -> list[list[str]]:
    """The body rows of the rich tables in ``out``, as lists of cell texts."""
    return [
        [c.strip() for c in line.strip().strip("│").split("│")]
        for line in out.splitlines()
        if line.strip().startswith("│")
    ]


def test_piped_output_is_a_table_of_values():
    result = run("mse", "mae", "huber", "--delta", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "huber (δ=2)" in out and "huber (δ=1, default)" in out
    assert ["-3", "4.5", "3", "4", "2.5"] in table_rows(out)  # ½·9, 3, 2(3 − 1), 3 − ½
    assert "┤" not in out  # no plot frame when piped


def test_gradient_table():
    result = run("bce", "--gradient")
    assert result.returncode == 0, result.stderr
    assert "bce gradient (y=1)" in result.stdout
    assert ["0", "-0.5", "0.5"] in table_rows(result.stdout)  # σ(0) − y


def test_unknown_loss_is_a_usage_error_listing_valid_names():
    result = run("mse", "hubber")
    assert result.returncode == 2
    assert "error: unknown loss 'hubber' (did you mean huber?)" in result.stderr
    assert "huber" in result.stderr and "nt-xent" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_terminal_gets_a_plot_sized_to_its_width():
    s = Session(["plot", "mse", "mae", "huber"], tty=True, cols=90, rows=40)
    assert s.finish() == 0
    text = s.text
    assert "loss against error ŷ − y" in text
    assert "┤" in text and "mse" in text and "huber" in text
    assert max(len(line) for line in text.splitlines()) <= 90


def test_a_narrow_terminal_gets_the_table():
    s = Session(["plot", "bce"], tty=True, cols=50, rows=40)
    assert s.finish() == 0
    assert "bce (y=1)" in s.text
    assert "┤" not in s.text


def test_save_without_matplotlib_says_how_to_install_it(tmp_path):
    # A stand-in package that fails to import, as a missing matplotlib does.
    fake = tmp_path / "shadow" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('No module named matplotlib')\n")
    result = run(
        "mse", "--save", str(tmp_path / "out.png"), env={"PYTHONPATH": str(tmp_path / "shadow")}
    )
    assert result.returncode == 1
    assert "pip install 'lossdrill[plot]'" in result.stderr
    assert not (tmp_path / "out.png").exists()


def test_save_writes_a_png(tmp_path):
    # matplotlib comes with the test extra; without it, the test above covers the message
    out = tmp_path / "curves.png"
    result = run("mse", "bce", "--save", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"saved {out}" in result.stdout


def test_a_repeated_option_gives_a_column_per_value():
    result = run("focal", "--gamma", "0", "--gamma", "2", "--gamma", "5")
    assert result.returncode == 0, result.stderr
    header = " ".join(result.stdout.split())
    for gamma in ("0", "2", "5"):
        assert f"γ={gamma})" in header
    # p_t = 0.5, α = 0.25: −α(1 − p_t)^γ log p_t for γ = 0, 2, 5
    half = [0.25 * 0.5**g * 0.6931471805599453 for g in (0, 2, 5)]
    row = next(r for r in table_rows(result.stdout) if r[0] == "0.5")
    assert [float(v) for v in row[1:]] == [pytest.approx(h, rel=1e-3) for h in half]


def test_save_to_a_folder_is_refused_before_anything_is_drawn(tmp_path):
    result = run("mse", "--save", str(tmp_path))
    assert result.returncode == 2
    assert "is a folder" in result.stderr
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_save_with_an_unknown_suffix_or_missing_folder_is_a_usage_error(tmp_path):
    bad = run("mse", "--save", str(tmp_path / "curves.txt"))
    assert bad.returncode == 2 and "not .txt" in bad.stderr
    missing = run("mse", "--save", str(tmp_path / "nowhere" / "curves.png"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert "Traceback" not in bad.stderr + missing.stderr


def test_save_without_a_suffix_writes_and_names_a_png(tmp_path):
    result = run("mse", "--save", str(tmp_path / "curves"))
    assert result.returncode == 0, result.stderr
    written = tmp_path / "curves.png"
    assert written.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"saved {written}" in result.stdout
