"""Benchmark: `lossdrill implement focal --check --json` against the cost of importing its libraries.

Issue 3's speed targets, measured on this machine in one run:

- a passing focal submission, every case group included, within 2x the wall time of
  ``python -c "import typer, numpy, yaml"``;
- a failing one (diagnosis with the bank's mutants, shrinking, the overlay sweep) within 3x.

Runs are interleaved (baseline, pass, fail, floor, baseline, ...) so a busy machine slows
all alike; medians are reported, and the ratio of the fastest runs. The "floor" is a bare
Typer command with NumPy imported: what the CLI framework costs before lossdrill runs. The package is byte-compiled first, as an installed
wheel would be. Usage::

    python benchmarks/bench_implement.py [--runs 9] [--json] [--task ctc --task arcface ...]

``--task ID`` (repeatable) also times a passing check of that task's bank solution in the
same interleaved runs, against the same baseline, and reports its first (cold: the task's
cases and reference values not cached yet) run apart.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from timing import wall

ROOT = Path(__file__).resolve().parent.parent

PASSING = """\
import numpy as np


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = np.asarray(y_true, dtype=float)
    z = np.asarray(logits, dtype=float)
    if y.size == 0:
        return 0.0
    ce = y * np.logaddexp(0, -z) + (1 - y) * np.logaddexp(0, z)
    p_t = np.exp(-ce)
    alpha_t = alpha * y + (1 - alpha) * (1 - y)
    return float(np.mean(alpha_t * (1 - p_t) ** gamma * ce))
"""

# probabilities first, then the log: right on moderate logits, inf on extreme ones
FAILING = """\
import numpy as np


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = np.asarray(y_true, dtype=float)
    if y.size == 0:
        return 0.0
    p = 1 / (1 + np.exp(-np.asarray(logits, dtype=float)))
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return float(np.mean(-alpha_t * (1 - p_t) ** gamma * np.log(p_t)))
"""


# What any Typer command costs before lossdrill does anything: typer>=0.2x builds pydantic
# adapters for the parameters on every invocation, which ``import typer`` alone does not pay.
TYPER_FLOOR = """\
import numpy, yaml, typer
app = typer.Typer()
@app.command()
def implement(task: str, file: str = "", check: bool = False, json: bool = False) -> None:
    pass
@app.command()
def other() -> None:
    pass
app(["implement", "focal", "--file", "x.py", "--check", "--json"])
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--task",
        action="append",
        default=[],
        help="also time a passing check of this task's bank solution",
    )
    options = parser.parse_args()

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(ROOT / "lossdrill")],
        env=env,
        check=True,
        capture_output=True,
    )

    with tempfile.TemporaryDirectory(prefix="lossdrill-bench-") as tmp:
        env["LOSSDRILL_HOME"] = str(Path(tmp) / "home")
        passing = Path(tmp) / "focal_pass.py"
        failing = Path(tmp) / "focal_fail.py"
        passing.write_text(PASSING)
        failing.write_text(FAILING)
        cli = [
            sys.executable,
            "-m",
            "lossdrill",
            "implement",
            "focal",
            "--check",
            "--json",
            "--file",
        ]
        task_cmds = {}
        for task_id in options.task:
            solution = Path(tmp) / f"{task_id}_pass.py"
            solution.write_text(_solution(task_id))
            task_cmds[task_id] = [
                sys.executable,
                "-m",
                "lossdrill",
                "implement",
                task_id,
                "--check",
                "--json",
                "--file",
                str(solution),
            ]
        cold = {task_id: wall(cmd, env, 0) for task_id, cmd in task_cmds.items()}
        baseline_cmd = [sys.executable, "-c", "import typer, numpy, yaml"]
        # one warm-up of each (file system caches, the bank parse cache)
        wall(baseline_cmd, env, 0)
        wall(cli + [str(passing)], env, 0)
        wall(cli + [str(failing)], env, 1)
        floor_cmd = [sys.executable, "-c", TYPER_FLOOR]
        base, ok, bad, floor = [], [], [], []
        tasks: dict[str, list[float]] = {task_id: [] for task_id in task_cmds}
        for _ in range(options.runs):
            base.append(wall(baseline_cmd, env, 0))
            ok.append(wall(cli + [str(passing)], env, 0))
            bad.append(wall(cli + [str(failing)], env, 1))
            floor.append(wall(floor_cmd, env, 0))
            for task_id, cmd in task_cmds.items():
                tasks[task_id].append(wall(cmd, env, 0))

    b, p, f, t = (statistics.median(x) for x in (base, ok, bad, floor))
    report = {
        "runs": options.runs,
        "baseline_s": round(b, 4),
        "passing_s": round(p, 4),
        "failing_s": round(f, 4),
        "typer_floor_s": round(t, 4),
        "passing_ratio": round(p / b, 2),
        "failing_ratio": round(f / b, 2),
        "typer_floor_ratio": round(t / b, 2),
        "passing_ratio_min": round(min(ok) / min(base), 2),
        "failing_ratio_min": round(min(bad) / min(base), 2),
        "passing_target": 2.0,
        "failing_target": 3.0,
    }
    for task_id, times in tasks.items():
        report[f"{task_id}_passing_s"] = round(statistics.median(times), 4)
        report[f"{task_id}_passing_ratio"] = round(statistics.median(times) / b, 2)
        report[f"{task_id}_passing_ratio_min"] = round(min(times) / min(base), 2)
        report[f"{task_id}_cold_s"] = round(cold[task_id], 4)
    if options.json:
        print(json.dumps(report))
    else:
        print(f"baseline  python -c 'import typer, numpy, yaml'  {b * 1000:7.1f} ms")
        print(f"floor     a bare Typer command, numpy imported   {t * 1000:7.1f} ms  {t / b:.2f}x")
        print(
            f"passing   implement focal --check --json         {p * 1000:7.1f} ms  "
            f"{p / b:.2f}x (target 2x; fastest runs {report['passing_ratio_min']:.2f}x)"
        )
        print(
            f"failing   ... with diagnosis and shrinking       {f * 1000:7.1f} ms  "
            f"{f / b:.2f}x (target 3x; fastest runs {report['failing_ratio_min']:.2f}x)"
        )
        for task_id in tasks:
            m = report[f"{task_id}_passing_s"]
            label = f"implement {task_id} --check --json"
            print(
                f"passing   {label:<38} {m * 1000:7.1f} ms  {m / b:.2f}x (target 2x; fastest runs "
                f"{report[f'{task_id}_passing_ratio_min']:.2f}x; first, uncached "
                f"{report[f'{task_id}_cold_s'] * 1000:.0f} ms)"
            )
    return 0


def _solution(task_id: str) -> str:
    """The bank solution of a task (a passing submission)."""
    sys.path.insert(0, str(ROOT))
    from lossdrill.bank.loader import load_banks

    item = load_banks().implement(task_id)
    if item is None:
        raise SystemExit(f"no implement task {task_id!r}")
    return item.solution


if __name__ == "__main__":
    sys.exit(main())
