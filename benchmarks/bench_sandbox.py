"""How long the sandbox takes: start-up, loading, batched calls and recovery from a lost worker.

Run: ``python benchmarks/bench_sandbox.py``. Prints one line per measurement (medians).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from lossdrill.checker.sandbox import Sandbox

FOCAL = """
import numpy as np

def focal_loss(y_true, logits, alpha=0.25, gamma=2.0):
    p = 1.0 / (1.0 + np.exp(-logits))
    p_t = np.where(y_true == 1, p, 1 - p)
    alpha_t = np.where(y_true == 1, alpha, 1 - alpha)
    log_p_t = -np.logaddexp(0.0, -np.where(y_true == 1, logits, -logits))
    return float(np.mean(-alpha_t * (1 - p_t) ** gamma * log_p_t))
"""
CRASH = "import os\ndef f(x):\n    if x:\n        os._exit(1)\n    return 0.0\n"


def _median(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f} ms"


def main() -> None:
    rng = np.random.default_rng(0)
    calls = [
        ((rng.integers(0, 2, 8).astype(float), rng.normal(size=8)), {"gamma": 2.0})
        for _ in range(300)
    ]
    start_return, until_loaded, batch, single = [], [], [], []
    for _ in range(5):
        began = time.perf_counter()
        box = Sandbox()
        box.start()
        start_return.append(time.perf_counter() - began)
        assert box.load("submission", FOCAL, "focal_loss").status == "ok"
        until_loaded.append(time.perf_counter() - began)
        for _ in range(3):
            began = time.perf_counter()
            outcomes = box.call_many("submission", calls)
            batch.append(time.perf_counter() - began)
            assert all(o.status == "ok" for o in outcomes)
        for _ in range(20):
            began = time.perf_counter()
            box.call("submission", calls[0][0], calls[0][1])
            single.append(time.perf_counter() - began)
        box.close()
    print(f"start() returns after          {_median(start_return)}")
    print(f"start() to first load done     {_median(until_loaded)}  (worker imports NumPy)")
    per_call = statistics.median(batch) / len(calls) * 1e6
    print(f"call_many, 300 focal calls     {_median(batch)}  ({per_call:.0f} us per call)")
    print(f"call, one round trip           {_median(single)}")

    recover = []
    with Sandbox() as box:
        box.load("submission", CRASH, "f")
        box.load("mutant:a", FOCAL, "focal_loss")
        for _ in range(5):
            began = time.perf_counter()
            outcomes = box.call_many("submission", [((True,), {}), ((False,), {})])
            recover.append(time.perf_counter() - began)
            assert [o.status for o in outcomes] == ["exit", "ok"]
    print(f"os._exit, restart, reload 2 slots, next call   {_median(recover)}")


if __name__ == "__main__":
    main()
