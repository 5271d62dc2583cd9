"""The README's scripted quiz examples run as written: every answer is understood and the
session ends normally (run through bash, with the installed command)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from drive import lossdrill_command

README = Path(__file__).parent.parent / "README.md"


def scripted_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    return re.findall(r"`((?:printf '[^']*'|echo [^|`]+) \| lossdrill quiz [^`]+)`", text)


def test_the_readme_shows_scripted_examples():
    assert len(scripted_examples()) >= 2


def test_every_scripted_example_runs_as_written(tmp_path):
    bindir = str(Path(lossdrill_command()[0]).parent)
    for example in scripted_examples():
        proc = subprocess.run(
            ["bash", "-c", example],
            capture_output=True,
            text=True,
            timeout=120,
            env={
                **os.environ,
                "PATH": f"{bindir}:{os.environ['PATH']}",
                "LOSSDRILL_HOME": str(tmp_path),
                "NO_COLOR": "1",
            },
        )
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, (example, out)
        assert "Not understood" not in out, (example, out)
        assert "Ended" not in out and "Score" in out, (example, out)
        planned = int(re.search(r"-n (\d+)", example).group(1))
        assert re.search(rf"Score\s+\d/{planned} correct", out), (example, out)
