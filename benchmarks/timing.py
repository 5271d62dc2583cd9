"""Wall-clock timing of whole commands, shared by the benchmark scripts."""

from __future__ import annotations

import statistics
import subprocess
import time


def wall(cmd: list[str], env: dict[str, str] | None = None, expect: int = 0) -> float:
    """Seconds one run of ``cmd`` takes; stops the benchmark if it exits otherwise than ``expect``."""
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != expect:
        raise SystemExit(
            f"{' '.join(cmd)} exited {done.returncode}, expected {expect}:\n"
            f"{done.stdout[-2000:]}{done.stderr[-2000:]}"
        )
    return elapsed


def median_alternating(cmds: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median seconds of each command, alternating them run by run so noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # warm the page cache
        wall(cmd)
    for _ in range(runs):
        for name, cmd in cmds.items():
            times[name].append(wall(cmd))
    return {name: statistics.median(ts) for name, ts in times.items()}
