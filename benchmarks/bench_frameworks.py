"""Benchmark: the framework tracks' `implement focal --check --json` against importing the
framework.

Issue 14's targets, measured on this machine in one run:

- torch: a passing focal check within 1.6x ``python -c "import torch, typer, numpy, yaml"``;
- jax: a passing focal check within 1.6x ``python -c "import jax, typer, numpy, yaml"``
  (JIT compile time included; the XLA compilation cache in the data folder's cache is warm
  after the first run, as it is for a learner who checks the same file again);
- the failing checks (``.item()`` in the loss: graph-broken, shrinking) are reported too.

Runs alternate baseline, pass, fail so a busy machine slows all alike; medians reported.
Usage::

    python benchmarks/bench_frameworks.py [--runs 5] [--framework torch] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

from timing import wall

SOURCES = {
    "torch": """\
import torch
import torch.nn.functional as F


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = y_true.to(logits.dtype)
    ce = F.softplus(logits) - y * logits  # BCE with logits, stable (the library loss is forbidden)
    p = torch.sigmoid(logits)
    p_t = y * p + (1 - y) * (1 - p)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    loss = alpha_t * (1 - p_t) ** gamma * ce
    return RETURN
""",
    "jax": """\
import jax
import jax.numpy as jnp


def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    y = y_true.astype(logits.dtype)
    ce = jax.nn.softplus(logits) - y * logits
    # (1 − p_t)^γ as exp(γ·log(1 − p_t)): a finite gradient at γ = 0 with saturated logits
    log_1m_pt = jax.nn.log_sigmoid(-(2 * y - 1) * logits)
    alpha_t = y * alpha + (1 - y) * (1 - alpha)
    loss = alpha_t * jnp.exp(gamma * log_1m_pt) * ce
    return RETURN
""",
}
PASS_RETURN = {
    "torch": "loss.mean() if loss.numel() else loss.sum()",
    "jax": "jnp.mean(loss) if loss.size else jnp.sum(loss)",
}
FAIL_RETURN = {
    "torch": "loss.mean().item() if loss.numel() else 0.0",
    "jax": "float(jnp.mean(loss)) if loss.size else 0.0",
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--framework", choices=("torch", "jax"), action="append")
    parser.add_argument("--json", action="store_true")
    options = parser.parse_args()
    exe = Path(sys.executable).parent / "lossdrill"
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "LOSSDRILL_HOME": str(Path(tmp) / "home")}
        for framework in options.framework or ["torch", "jax"]:
            files = {}
            for name, ret in (("pass", PASS_RETURN), ("fail", FAIL_RETURN)):
                path = Path(tmp) / f"{framework}_{name}.py"
                path.write_text(SOURCES[framework].replace("RETURN", ret[framework]))
                files[name] = path
            base = [sys.executable, "-c", f"import {framework}, typer, numpy, yaml"]
            check = [str(exe), "implement", "focal", "--check", "--json", "--framework", framework]
            cmds = {
                "baseline": (base, 0),
                "pass": ([*check, "--file", str(files["pass"])], 0),
                "fail": ([*check, "--file", str(files["fail"])], 1),
            }
            for cmd, code in cmds.values():  # warm the page cache and the compilation cache
                wall(cmd, env, expect=code)
            times: dict[str, list[float]] = {name: [] for name in cmds}
            for _ in range(options.runs):
                for name, (cmd, code) in cmds.items():
                    times[name].append(wall(cmd, env, expect=code))
            med = {name: statistics.median(ts) for name, ts in times.items()}
            report[framework] = {
                "baseline_s": round(med["baseline"], 3),
                "pass_s": round(med["pass"], 3),
                "fail_s": round(med["fail"], 3),
                "pass_ratio": round(med["pass"] / med["baseline"], 2),
                "fail_ratio": round(med["fail"] / med["baseline"], 2),
                "target": 1.6,
            }
    if options.json:
        print(json.dumps(report, indent=2))
    else:
        for framework, r in report.items():
            print(
                f"{framework}: import {r['baseline_s']:.2f}s · pass {r['pass_s']:.2f}s "
                f"({r['pass_ratio']:.2f}x, target 1.6x) · fail {r['fail_s']:.2f}s "
                f"({r['fail_ratio']:.2f}x)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
