"""Shared helpers of the hardening tests: run the installed command in a fresh home and
temporary folder, and count the processes a run left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
from pathlib import Path

from drive import lossdrill_command

MSE_OK = textwrap.dedent("""
    import numpy as np

    def mse_loss(y_true, y_pred):
        e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
        return 0.5 * float(np.mean(e ** 2)) if e.size else 0.0
""")
MSE_SUM = MSE_OK.replace("np.mean", "np.sum")


class Place:
    """A fresh LOSSDRILL_HOME, TMPDIR and working folder for one attack."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.home = root / "home"
        self.tmp = root / "tmp"
        self.work = root / "work"
        for folder in (self.home, self.tmp, self.work):
            folder.mkdir(parents=True, exist_ok=True)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LOSSDRILL_")}
        env.update(LOSSDRILL_HOME=str(self.home), TMPDIR=str(self.tmp), NO_COLOR="1", COLUMNS="100")
        env.update(extra)
        return env

    def write(self, name: str, text: str) -> Path:
        path = self.work / name
        path.write_text(text, encoding="utf-8")
        return path

    def run(
        self,
        *args: str,
        stdin: str | bytes = "",
        timeout: float = 60,
        env: dict | None = None,
        **kwargs,
    ) -> subprocess.CompletedProcess:
        binary = isinstance(stdin, bytes)
        return subprocess.run(
            [*lossdrill_command(), *args],
            input=stdin,
            capture_output=True,
            text=not binary,
            timeout=timeout,
            cwd=self.work,
            env=env or self.env(),
            **kwargs,
        )

    def check(
        self, source: str, *extra: str, name: str = "sub.py"
    ) -> tuple[subprocess.CompletedProcess, dict]:
        """``implement mse --file F --check --json``: the process and its JSON."""
        path = self.write(name, source)
        proc = self.run("implement", "mse", "--file", str(path), "--check", "--json", *extra)
        assert "internal error" not in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc, json.loads(proc.stdout)

    def leftovers(self) -> list[int]:
        """Processes still running with this attack's TMPDIR in their environment."""
        marker = f"TMPDIR={self.tmp}".encode()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as fh:
                    if any(e.startswith(marker) for e in fh.read().split(b"\0")):
                        found.append(int(entry))
            except OSError:
                continue
        return found

    def kill_leftovers(self) -> None:
        for pid in self.leftovers():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def codes(result: dict) -> list[str]:
    return [d["code"] for d in result["diagnoses"]]
