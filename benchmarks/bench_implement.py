"""Benchmark: `lossdrill implement focal --check --json` against the cost of importing its libraries.

Issue 3's speed targets, measured on this machine in one run:

- a passing focal submission, every case group included, within 2x the wall time of
  ``python -c "import typer, numpy, yaml"``;
- a failing one (diagnosis with the bank's mutants, shrinking, the overlay sweep) within 3x.

Runs are interleaved (baseline, pass, fail, floor, baseline, ...) so a busy machine slows
all alike; medians are reported, and the ratio of the fastest runs. The "floor" is a bare
Typer command with NumPy imported: what the CLI framework costs before lossdrill runs. The package is byte-compiled first, as an installed
wheel would be. Usage::

    python benchmarks/bench_implement.py [--runs 9] [--json]
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

PASSING = '''\
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
'''

# probabilities first, then the log: right on moderate logits, inf on extreme ones
FAILING = '''\
import numpy as np


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = np.asarray(y_true, dtype=float)
    if y.size == 0:
        return 0.0
    p = 1 / (1 + np.exp(-np.asarray(logits, dtype=float)))
    p_t = np.where(y == 1, p, 1 - p)
    alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return float(np.mean(-alpha_t * (1 - p_t) ** gamma * np.log(p_t)))
'''


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
    options = parser.parse_args()

    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "lossdrill")],
                   env=env, check=True, capture_output=True)

    with tempfile.TemporaryDirectory(prefix="lossdrill-bench-") as tmp:
        env["LOSSDRILL_HOME"] = str(Path(tmp) / "home")
        passing = Path(tmp) / "focal_pass.py"
        failing = Path(tmp) / "focal_fail.py"
        passing.write_text(PASSING)
        failing.write_text(FAILING)
        cli = [sys.executable, "-m", "lossdrill", "implement", "focal", "--check", "--json", "--file"]
        baseline_cmd = [sys.executable, "-c", "import typer, numpy, yaml"]
        # one warm-up of each (file system caches, the bank parse cache)
        wall(baseline_cmd, env, 0)
        wall(cli + [str(passing)], env, 0)
        wall(cli + [str(failing)], env, 1)
        floor_cmd = [sys.executable, "-c", TYPER_FLOOR]
        base, ok, bad, floor = [], [], [], []
        for _ in range(options.runs):
            base.append(wall(baseline_cmd, env, 0))
            ok.append(wall(cli + [str(passing)], env, 0))
            bad.append(wall(cli + [str(failing)], env, 1))
            floor.append(wall(floor_cmd, env, 0))

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
    if options.json:
        print(json.dumps(report))
    else:
        print(f"baseline  python -c 'import typer, numpy, yaml'  {b * 1000:7.1f} ms")
        print(f"floor     a bare Typer command, numpy imported   {t * 1000:7.1f} ms  {t / b:.2f}x")
        print(f"passing   implement focal --check --json         {p * 1000:7.1f} ms  "
              f"{p / b:.2f}x (target 2x; fastest runs {report['passing_ratio_min']:.2f}x)")
        print(f"failing   ... with diagnosis and shrinking       {f * 1000:7.1f} ms  "
              f"{f / b:.2f}x (target 3x; fastest runs {report['failing_ratio_min']:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
