"""Start-up and bank-loading speed (issue: `lossdrill --help` and bank loading).

Targets, measured on the same machine in the same run:
* ``lossdrill --help`` within 1.2x the wall time of a bare four-command Typer app's ``--help``;
* loading and validating every bank adds under 50 ms.

Run: ``python benchmarks/bench_cli.py [--runs N]``. Prints the medians and the ratios.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from timing import median_alternating

BARE_APP = textwrap.dedent(
    """
    import typer

    app = typer.Typer()

    @app.command()
    def one(count: int = 1) -> None:
        "First command."

    @app.command()
    def two(name: str = "x") -> None:
        "Second command."

    @app.command()
    def three(flag: bool = False) -> None:
        "Third command."

    @app.command()
    def four(path: str = ".") -> None:
        "Fourth command."

    if __name__ == "__main__":
        app()
    """
)


def bank_load_ms(runs: int, *, cached: bool = True) -> tuple[float, float]:
    """Median ms to load+validate every bank; and with numeric formulas evaluated.

    ``cached=False`` parses every file afresh (the first run after an install or an edit).
    """
    code = textwrap.dedent(
        f"""
        import os, time, statistics
        if not {cached}:
            os.environ["LOSSDRILL_NO_CACHE"] = "1"
        from lossdrill.bank.loader import load_banks
        plain, full = [], []
        for _ in range({runs}):
            t = time.perf_counter(); b = load_banks(); plain.append(time.perf_counter() - t)
        import lossdrill.bank.formula  # noqa: F401  (NumPy import excluded from the timing)
        import numpy, lossdrill.references  # noqa: F401
        for _ in range({runs}):
            t = time.perf_counter(); b = load_banks(evaluate_formulas=True); full.append(time.perf_counter() - t)
        assert not b.errors, b.errors[:3]
        print(statistics.median(plain) * 1000, statistics.median(full) * 1000, len(b.items))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    plain, full, n = out.stdout.split()
    print(f"banks: {n} items")
    return float(plain), float(full)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bare = Path(tmp) / "bare_app.py"
        bare.write_text(BARE_APP)
        medians = median_alternating(
            {
                "bare typer --help": [sys.executable, str(bare), "--help"],
                "lossdrill --help": [sys.executable, "-m", "lossdrill", "--help"],
            },
            args.runs,
        )
    for name, t in medians.items():
        print(f"{name:>20}: {t * 1000:7.1f} ms (median of {args.runs})")
    ratio = medians["lossdrill --help"] / medians["bare typer --help"]
    print(f"ratio lossdrill/bare: {ratio:.2f}x (target <= 1.20x)")
    plain, full = bank_load_ms(args.runs)
    print(f"load+validate all banks: {plain:.1f} ms (target < 50 ms; parse cache warm)")
    print(f"  ... with every numeric formula evaluated: {full:.1f} ms")
    cold, cold_full = bank_load_ms(max(3, args.runs // 3), cached=False)
    print(
        f"  ... parsing every file afresh (no cache): {cold:.1f} ms; with formulas {cold_full:.1f} ms"
    )


if __name__ == "__main__":
    main()
