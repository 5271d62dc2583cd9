"""Watch mode and the terminal: ``--edit`` hands the terminal to a real editor until it
exits; a closed standard input ends the session cleanly (real processes, a real pty)."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
import time
from pathlib import Path

from drive import Session, lossdrill_command

MSE_OK = textwrap.dedent("""\
    import numpy as np


    def mse_loss(y_true, y_pred):
        e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
        return 0.5 * float(np.mean(e ** 2)) if e.size else 0.0
""")

VIM = shutil.which("vim")


def _keys(s: Session, data: bytes) -> None:
    """Type into the terminal as a user would (raw bytes: Esc, Enter)."""
    os.write(s.fd, data)


def test_edit_with_vim_edit_save_quit_then_the_file_is_checked(tmp_path):
    """Every keystroke reaches vim: no reader competes for the terminal while it runs, and
    after :wq the watch loop checks the saved file and still reads commands."""
    assert VIM, "vim is needed for this test (CI installs it: see .ci/run)"
    home = tmp_path / "home"
    path = tmp_path / "mse.py"
    env = {"EDITOR": f"{VIM} -u NONE -i NONE -N -n", "TERM": "xterm"}
    s = Session(["implement", "mse", "--file", str(path), "--edit", "--home", str(home)], env)
    s.expect(r"\d+L, \d+B")  # vim's file message: the editor has the screen
    _keys(s, b":set paste\r")
    _keys(s, b"ggdG")
    time.sleep(0.2)
    # typed line by line, as fast as a paste: a competing reader would swallow some lines
    _keys(s, b"i" + MSE_OK.rstrip("\n").replace("\n", "\r").encode() + b"\x1b")
    _keys(s, b":wq\r")
    s.expect("PASS mse")
    s.expect("Watching")
    s.send("q")
    s.expect("Session: mse passed")
    assert s.finish() == 0
    assert path.read_text() == MSE_OK
    assert "Traceback" not in s.text


def test_ctrl_c_in_the_editor_goes_to_the_editor_only(tmp_path):
    """Ctrl-C while vim runs cancels in vim; the session goes on after :q."""
    assert VIM, "vim is needed for this test (CI installs it: see .ci/run)"
    home = tmp_path / "home"
    path = tmp_path / "mse.py"
    env = {"EDITOR": f"{VIM} -u NONE -i NONE -N -n", "TERM": "xterm"}
    s = Session(["implement", "mse", "--file", str(path), "--edit", "--home", str(home)], env)
    s.expect(r"\d+L, \d+B")
    _keys(s, b"\x03")
    time.sleep(0.3)
    _keys(s, b":q!\r")
    s.expect("Watching")
    assert "Session: mse" not in s.text  # still running after the editor's Ctrl-C
    s.send("q")
    s.expect("Session: mse not passed yet")
    assert s.finish() == 0


def test_an_editor_that_returns_at_once_leaves_the_session_running(tmp_path):
    """A GUI editor forks and returns: the file is watched afterwards, the terminal usable."""
    home = tmp_path / "home"
    path = tmp_path / "mse.py"
    s = Session(
        ["implement", "mse", "--file", str(path), "--edit", "--home", str(home)], {"EDITOR": "true"}
    )
    s.expect("Watching")
    path.write_text(MSE_OK)
    s.expect("PASS mse")
    s.send("q")
    s.expect("Session: mse passed")
    assert s.finish() == 0


def test_watch_mode_with_stdin_closed_ends_with_a_summary(tmp_path):
    """``lossdrill implement mse <&-``: no traceback, no endless loop."""
    home = tmp_path / "home"
    path = tmp_path / "mse.py"
    proc = subprocess.run(
        [*lossdrill_command(), "implement", "mse", "--file", str(path), "--home", str(home)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.close(0),
    )
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr and "Exception" not in proc.stderr
    assert "Session: mse not passed yet" in proc.stdout
    assert Path(path).exists()
