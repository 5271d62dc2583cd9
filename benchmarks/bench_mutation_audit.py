"""Mutation audit: the catalogue of generic mistakes (lossdrill/checker/mistakes.py) applied to
every task's model solution; the checker must fail each mutant (killed) and name it with a
fitting diagnosis code (named).

With ``--framework torch`` or ``jax`` the framework catalogue is made on each task's track
solution and checked on that track (the extra must be installed).

Prints, per task, mutants killed / total and named / total, and the totals; the targets are
100 % killed and at least 95 % named. Usage::

    python benchmarks/bench_mutation_audit.py [--framework numpy|torch|jax] [--json]
        [--task ID ...] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import sys

from lossdrill.bank.loader import load_banks
from lossdrill.checker.engine import run_check
from lossdrill.checker.frameworks import FRAMEWORKS, sandbox_options
from lossdrill.checker.mistakes import mutants_of
from lossdrill.checker.sandbox import Sandbox
from lossdrill.checker.tasks import TASKS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--framework", choices=FRAMEWORKS, default="numpy")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--task", nargs="*", default=None)
    parser.add_argument("--verbose", action="store_true", help="print each mutant's codes")
    options = parser.parse_args()
    bank = load_banks()
    rows = []
    framework = options.framework
    with Sandbox(**sandbox_options(framework)) as sandbox:
        for task in options.task or sorted(TASKS):
            item = bank.implement(task)
            if item is None:
                continue
            solution = item.solution
            if framework != "numpy":
                track = item.record.tracks.get(framework) if item.record else None
                if track is None:
                    continue
                solution = track.solution
            killed = named = total = 0
            for m in mutants_of(TASKS[task], solution, framework):
                result = run_check(
                    task, m.code, bank=bank, sandbox=sandbox, sweep=False, framework=framework
                )
                total += 1
                killed += not result.passed
                ok = not result.passed and bool(m.fitting & set(result.codes))
                named += ok
                if options.verbose or not ok:
                    print(
                        f"  {task:18s} {m.name:38s} passed={result.passed} codes={list(result.codes)}",
                        file=sys.stderr,
                    )
            rows.append({"task": task, "total": total, "killed": killed, "named": named})
    total = sum(r["total"] for r in rows)
    killed = sum(r["killed"] for r in rows)
    named = sum(r["named"] for r in rows)
    if options.json:
        print(
            json.dumps(
                {
                    "framework": framework,
                    "tasks": rows,
                    "total": total,
                    "killed": killed,
                    "named": named,
                }
            )
        )
    else:
        print(f"{'task':18s} {'killed':>10s} {'named':>10s}   ({framework})")
        for r in rows:
            if r["total"]:
                print(
                    f"{r['task']:18s} {r['killed']:>4d} / {r['total']:<3d} {r['named']:>4d} / {r['total']:<3d}"
                )
        print(
            f"{'all':18s} {killed:>4d} / {total:<3d} {named:>4d} / {total:<3d}  "
            f"killed {100 * killed / max(total, 1):.1f} % (target 100), "
            f"named {100 * named / max(total, 1):.1f} % (target 95)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
