"""Progress and flashcard speed with a well-used store (issue 4).

Targets, measured on the same machine in the same run:
* with 10,000 reviews, 10,000 implement attempts and 10,000 quiz answers recorded,
  ``lossdrill progress`` within 1.5x the wall time of ``lossdrill --help``;
* choosing the next card in a flashcard session under 5 ms.

Run: ``python benchmarks/bench_progress.py [--runs N]``. Prints medians and ratios. The
store is filled before timing; only reading is measured.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from timing import median_alternating, wall

N = 10_000
DAY = 86400.0


def fill(home: Path, n: int = N) -> int:
    """A store with ``n`` reviews, attempts and answers over the built-in banks; returns #cards.

    Written through the store's own API (so its running totals are kept as in real use),
    with synchronous writes off to make the setup quick.
    """
    from lossdrill.bank.loader import load_banks
    from lossdrill.recording import ImplementAttempt, QuizAnswer
    from lossdrill.store import Review, open_store

    bank = load_banks()
    cards = bank.cards()
    tasks = [t.id for t in bank.tasks()] or ["mse"]
    items = [(i.id, i.kind, i.topic) for i in bank.quiz_items()] or [("q", "choice", "regression")]
    rng = random.Random(0)
    now = time.time()
    store = open_store(home)
    store.conn.execute("PRAGMA synchronous = OFF")
    store.sync_cards(cards)
    for k in range(n):
        at = now - rng.uniform(0, 90) * DAY
        card = rng.choice(cards)
        stability = rng.uniform(1, 60)
        store.record_review(
            Review(
                card_id=card.id,
                card_version=card.version,
                session_id=f"r{k // 20}",
                at=at,
                rating=rng.choice((1, 3, 3, 3, 4)),
                state_before=rng.choice((0, 2, 2)),
                state_after=2,
                step=None,
                stability=stability,
                difficulty=5.0,
                due=now + rng.uniform(-5, 20) * DAY,
                interval_s=stability * DAY,
                last_interval_s=DAY,
                answer_ms=rng.randint(800, 9000),
            )
        )
        passed = rng.random() < 0.4
        groups = (
            ("random", 200, 0 if passed else rng.randint(0, 50)),
            ("stability", 12, 0 if passed else rng.randint(0, 6)),
        )
        diagnoses = () if passed else (rng.choice(["unstable", "wrong-reduction", "missing-half"]),)
        store.record_implement_attempt(
            ImplementAttempt(
                f"i{k // 10}",
                rng.choice(tasks),
                passed,
                1.0 if passed else 0.5,
                groups,
                diagnoses,
                rng.uniform(60, 1500),
                rng.randint(0, 2),
                rng.randint(3, 15),
                at=at,
            )
        )
        item_id, kind, topic = rng.choice(items)
        ok = rng.random() < 0.7
        store.record_quiz_answer(
            QuizAnswer(f"q{k // 10}", item_id, 1, kind, topic, ok, float(ok), "1", 4000, at=at)
        )
    store.close()
    return len(cards)


def next_card_ms(home: Path, extra_cards: int = 0) -> tuple[float, float, int]:
    """(median ms of next_card + rate, max ms, cards) over a session of the filled store."""
    from fsrs import Scheduler

    from lossdrill.bank.loader import load_banks
    from lossdrill.bank.schema import Card
    from lossdrill.flashcards.session import FlashcardSession
    from lossdrill.store import open_store

    cards = load_banks().cards()
    cards += [
        Card(f"synthetic-{i}", 1, "regression", f"front {i}", "back", f"synthetic-{i}")
        for i in range(extra_cards)
    ]
    store = open_store(home)
    store.sync_cards(cards)
    now = time.time()
    session = FlashcardSession(
        cards,
        store.card_schedules(),
        scheduler=Scheduler(enable_fuzzing=False),
        now=now,
        new_limit=50,
    )
    store.close()
    times = []
    for _ in range(200):
        t = time.perf_counter()
        card = session.next_card(now)
        times.append(time.perf_counter() - t)
        if card is None:
            break
        session.rate(card, 3, at=now, answer_ms=1000)
    return statistics.median(times) * 1000, max(times) * 1000, len(session.cards)


def import_ms(modules: str, runs: int) -> float:
    """Median wall ms of a fresh interpreter importing ``modules``."""
    return (
        statistics.median(wall([sys.executable, "-c", f"import {modules}"]) for _ in range(runs))
        * 1000
    )


def in_process_ms(home: Path, runs: int) -> dict[str, float]:
    """Median ms of each step of ``lossdrill progress`` after its imports."""
    import io

    from rich.console import Console

    from lossdrill.bank.loader import load_banks
    from lossdrill.bank.summary import load_summary
    from lossdrill.progress.report import build_report
    from lossdrill.store import open_store
    from lossdrill.ui.progress_view import render

    steps: dict[str, list[float]] = {
        "load banks (not done by progress)": [],
        "read the banks' summary": [],
        "open store": [],
        "build report": [],
        "render": [],
    }
    for _ in range(runs):
        t0 = time.perf_counter()
        load_banks()
        t1 = time.perf_counter()
        bank = load_summary()
        assert bank is not None, "the banks' summary is written by load_banks"
        t2 = time.perf_counter()
        store = open_store(home)
        t3 = time.perf_counter()
        report = build_report(store, bank)
        t4 = time.perf_counter()
        render(Console(file=io.StringIO(), width=110), report)
        t5 = time.perf_counter()
        store.close()
        laps = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)
        for name, dt in zip(steps, laps, strict=True):
            steps[name].append(dt * 1000)
    return {name: statistics.median(ts) for name, ts in steps.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        t = time.perf_counter()
        n_cards = fill(home)
        print(
            f"filled store: {N} reviews, {N} attempts, {N} answers, {n_cards} cards "
            f"({time.perf_counter() - t:.1f} s)"
        )
        lossdrill = [sys.executable, "-m", "lossdrill"]
        medians = median_alternating(
            {
                "lossdrill --help": lossdrill + ["--help"],
                "lossdrill progress": lossdrill + ["progress", "--home", str(home)],
                "lossdrill progress --json": lossdrill
                + ["progress", "--json", "--home", str(home)],
            },
            args.runs,
        )
        for name, secs in medians.items():
            print(f"{name:>26}: {secs * 1000:7.1f} ms (median of {args.runs})")
        help_s = medians["lossdrill --help"]
        print(
            f"ratio progress/help: {medians['lossdrill progress'] / help_s:.2f}x (target <= 1.50x)"
        )
        print(f"ratio progress --json/help: {medians['lossdrill progress --json'] / help_s:.2f}x")
        base = import_ms("lossdrill.cli", args.runs)
        print("where the time goes (median ms):")
        print(f"  {'import lossdrill.cli':>44}: {base:6.1f}")
        modules = "lossdrill.cli, lossdrill.commands.progress"
        print(
            f"  {'+ ' + modules.split(', ', 1)[1]:>44}: {import_ms(modules, args.runs) - base:+6.1f}"
        )
        for name, ms in in_process_ms(home, args.runs).items():
            print(f"  {name:>44}: {ms:6.1f}")
        med, worst, cards = next_card_ms(home)
        print(
            f"next card: median {med:.3f} ms, worst {worst:.3f} ms over {cards} cards (target < 5 ms)"
        )
        med, worst, cards = next_card_ms(home, extra_cards=10_000)
        print(
            f"next card: median {med:.3f} ms, worst {worst:.3f} ms over {cards} cards (target < 5 ms)"
        )


if __name__ == "__main__":
    main()
