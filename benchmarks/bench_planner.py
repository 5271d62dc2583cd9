"""The learning engine, measured on synthetic learners (issue 13).

1. **Simulation.** Synthetic learners (seeded) whose memory is *not* FSRS: an ACT-R
   activation model with Pavlik & Anderson's spacing-dependent decay. Item *i* practised
   at days t_1..t_n has activation m(t) = ln Σ_j (t - t_j)^(-d_j), d_j = c·e^(m(t_j)) + a
   (practice at high activation decays fast: massed practice is weak), and is recalled with
   probability σ((m - τ_i)/s), τ_i rising with a per-item difficulty. Misconceptions are
   shared between items: a learner holding one halves the recall of every item naming it
   until practice of such an item repairs it (with probability 0.35 each time). The
   learner studies N minutes a day for D days before the interview; each strategy spends
   the same minutes per item (the planner's estimates). Strategies:

   - **planner**: :func:`lossdrill.schedule.planner.plan_day` over FSRS states updated
     from the graded outcomes (:mod:`lossdrill.schedule.grades`), misconceptions raised by
     wrong answers (:func:`lossdrill.schedule.misconceptions.active`);
   - **random**: items drawn uniformly at random until the minutes are spent;
   - **round-robin**: every item in a fixed shuffled order, resuming where it stopped.

   Reported: the mean share of quiz items and cards recalled on the interview day and of
   implement tasks implementable then (expected values under the learner model).
   Target: planner ≥ 1.25x random on items recalled at 20 min/day over 14 days.
2. **Planning speed.** Choosing today's plan over 10,000 items whose states come from
   100,000 logged reviews (work only: the candidates are built beforehand): target
   under 50 ms.
3. **Command speed.** Bare ``lossdrill`` and ``lossdrill progress`` with 10,000 answers,
   attempts and reviews, against ``python -c "import typer, rich.console, rich.table"``
   measured in the same run: target within 2.0x.

``--quick`` runs a small simulation (20 min/day, 14 days) in under a minute and prints as
its last line ``planner/random recall ratio R``.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lossdrill.schedule.grades import implement_grade, quiz_grade  # noqa: E402
from lossdrill.schedule.memory import Memory, item_scheduler, review  # noqa: E402
from lossdrill.schedule.misconceptions import Misconception, Taxonomy, active  # noqa: E402
from lossdrill.schedule.planner import (  # noqa: E402
    MINUTES,
    Candidate,
    Settings,
    interview_instant,
    plan_day,
)

DAY = 86400.0
START = datetime(2026, 3, 2, tzinfo=timezone.utc)
TOPICS = (
    "regression",
    "classification",
    "embeddings",
    "gradients",
    "stability",
    "information-theory",
    "production",
    "ranking",
)
QUIZ_KINDS = ("choice", "choice", "multi", "numeric", "recall", "scenario", "bug-hunt")
N_MISCONCEPTIONS = 10

# Learner model (ACT-R with spacing-dependent decay; Pavlik & Anderson 2005)
C_DECAY, A_DECAY, S_NOISE, TAU0 = 0.25, 0.25, 0.35, -0.7
MAX_DECAY = 1.5
"""Decay cap (massed repeats within minutes would otherwise overflow the power law)."""
MISC_PENALTY, MISC_REPAIR, MISC_HELD = 0.5, 0.35, 0.6


@dataclass
class Item:
    kind: str
    item_id: str
    topic: str
    tau: float
    misconception: str | None


@dataclass
class Learner:
    rng: random.Random
    items: list[Item]
    held: set[str]
    traces: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    """item id -> [(day practised, decay of that trace)]."""

    def activation(self, item_id: str, t: float) -> float | None:
        tr = self.traces.get(item_id)
        if not tr:
            return None
        total = sum(max(t - tj, 0.01) ** (-dj) for tj, dj in tr)
        return math.log(total)

    def p_recall(self, item: Item, t: float) -> float:
        m = self.activation(item.item_id, t)
        base = 0.05 if m is None else 1 / (1 + math.exp(-(m - item.tau) / S_NOISE))
        if item.misconception in self.held:
            base *= MISC_PENALTY
        return base

    def practise(self, item: Item, t: float) -> bool:
        correct = self.rng.random() < self.p_recall(item, t)
        m = self.activation(item.item_id, t)
        decay = (
            min(MAX_DECAY, C_DECAY * math.exp(m) + A_DECAY)
            if m is not None
            else A_DECAY + C_DECAY * 0.5
        )
        self.traces.setdefault(item.item_id, []).append((t, decay))
        if item.misconception in self.held and self.rng.random() < MISC_REPAIR:
            self.held.discard(item.misconception)
        return correct


def make_bank(rng: random.Random, n_quiz: int, n_cards: int, n_tasks: int) -> list[Item]:
    items = []
    misc = [f"m{k}" for k in range(N_MISCONCEPTIONS)]

    def named() -> str | None:
        return rng.choice(misc) if rng.random() < 0.4 else None

    for i in range(n_quiz):
        items.append(
            Item(
                QUIZ_KINDS[i % len(QUIZ_KINDS)],
                f"q{i}",
                TOPICS[i % len(TOPICS)],
                TAU0 + 0.8 * rng.gauss(0, 1),
                named(),
            )
        )
    for i in range(n_cards):
        items.append(
            Item(
                "card",
                f"c{i}",
                TOPICS[i % len(TOPICS)],
                TAU0 - 0.3 + 0.6 * rng.gauss(0, 1),
                named(),
            )
        )
    for i in range(n_tasks):
        items.append(
            Item(
                "implement",
                f"t{i}",
                TOPICS[i % len(TOPICS)],
                TAU0 + 0.5 + 0.6 * rng.gauss(0, 1),
                named(),
            )
        )
    return items


def minutes(item: Item) -> float:
    return MINUTES[item.kind]


PREDICTIONS: list[tuple[float, int]] = []
"""(FSRS's predicted retrievability, recalled) of every planner review with a prediction."""

TAXONOMY = Taxonomy(
    tuple(Misconception(f"m{k}", f"m{k}", "", "", ()) for k in range(N_MISCONCEPTIONS))
)


class PlannerStrategy:
    def __init__(self, items: list[Item], interview: date, per_day: int) -> None:
        self.items = {i.item_id: i for i in items}
        self.memory: dict[str, Memory] = {}
        self.scheduler = item_scheduler(None)
        self.settings = Settings(interview, per_day)
        self.wrong: list[tuple[str, str, float]] = []
        self.right: dict[str, float] = {}
        self.named = {i.item_id: (i.misconception,) for i in items if i.misconception}

    def day(self, learner: Learner, day: int) -> None:
        now = (START + timedelta(days=day, hours=9)).timestamp()
        cands = [
            Candidate(
                i.kind,
                i.item_id,
                i.topic,
                self.memory.get(i.item_id),
                (i.misconception,) if i.misconception else (),
            )
            for i in self.items.values()
        ]
        weights = active(
            TAXONOMY,
            self.named,
            [w for w in self.wrong if now - w[2] < 21 * DAY],
            self.right.items(),
            [],
            now,
        )
        plan = plan_day(now, cands, self.settings, misconceptions=weights)
        t = 0.0
        picks = [p for s in plan.steps for p in s.picks]
        if plan.mock:  # a mock interview: the weakest task, implemented against the clock
            tasks = [i for i in self.items.values() if i.kind == "implement"]
            weakest = min(
                tasks, key=lambda i: (self.memory.get(i.item_id) or Memory()).stability or 0
            )
            self._answer(learner, weakest, day, now)
        for pick in picks:
            item = self.items[pick.candidate.item_id]
            self._answer(learner, item, day + t / (24 * 60), now + t * 60)
            t += minutes(item)

    def _answer(self, learner: Learner, item: Item, day_t: float, at: float) -> None:
        correct = learner.practise(item, day_t)
        if item.kind == "implement":
            elapsed = 600 * learner.rng.uniform(0.3, 1.3)
            grade = implement_grade(correct, elapsed, 0)
        else:
            grade = quiz_grade(correct, 1.0)
        self.memory[item.item_id], predicted = review(
            self.scheduler, self.memory.get(item.item_id, Memory()), grade, at
        )
        if predicted is not None:
            PREDICTIONS.append((predicted, int(grade > 1)))
        if correct:
            self.right[item.item_id] = at
        else:
            self.wrong.append((item.item_id, "", at))


class RandomStrategy:
    def __init__(self, items: list[Item], rng: random.Random, per_day: int) -> None:
        self.items, self.rng, self.per_day = items, rng, per_day

    def day(self, learner: Learner, day: int) -> None:
        left, t = float(self.per_day), 0.0
        for _ in range(200):
            item = self.rng.choice(self.items)
            if minutes(item) <= left:
                learner.practise(item, day + t / (24 * 60))
                left -= minutes(item)
                t += minutes(item)
            if left < 0.5:
                break


class RoundRobinStrategy:
    def __init__(self, items: list[Item], rng: random.Random, per_day: int) -> None:
        self.order = list(items)
        rng.shuffle(self.order)
        self.pos, self.per_day = 0, per_day

    def day(self, learner: Learner, day: int) -> None:
        left, t = float(self.per_day), 0.0
        for _ in range(len(self.order)):
            item = self.order[self.pos % len(self.order)]
            if minutes(item) > left:
                break
            learner.practise(item, day + t / (24 * 60))
            left -= minutes(item)
            t += minutes(item)
            self.pos += 1


def simulate(
    strategy: str, per_day: int, days: int, seed: int, sizes: tuple[int, int, int]
) -> tuple[float, float]:
    rng = random.Random(seed)
    items = make_bank(rng, *sizes)
    held = {f"m{k}" for k in range(N_MISCONCEPTIONS) if rng.random() < MISC_HELD}
    learner = Learner(random.Random(seed * 7 + 1), items, held)
    interview = (START + timedelta(days=days)).date()
    srng = random.Random(seed * 13 + 5)
    if strategy == "planner":
        s: object = PlannerStrategy(items, interview, per_day)
    elif strategy == "random":
        s = RandomStrategy(items, srng, per_day)
    else:
        s = RoundRobinStrategy(items, srng, per_day)
    for d in range(days):
        s.day(learner, d)  # type: ignore[attr-defined]
    t_day = (interview_instant(interview) - START.timestamp()) / DAY
    recall = [learner.p_recall(i, t_day) for i in items if i.kind != "implement"]
    tasks = [learner.p_recall(i, t_day) for i in items if i.kind == "implement"]
    return statistics.fmean(recall), statistics.fmean(tasks)


def table(
    learners: int, minutes_list: list[int], days_list: list[int], sizes: tuple[int, int, int]
) -> float:
    ratio_20_14 = float("nan")
    print(
        f"{'min/day':>7} {'days':>4} | {'planner':>15} {'random':>15} {'round-robin':>15} |"
        f" {'recall ratio':>12} {'task ratio':>10}"
    )
    print(
        f"{'':>7} {'':>4} | {'items / tasks':>15} {'items / tasks':>15} {'items / tasks':>15} |"
        f" {'vs random':>12} {'vs random':>10}"
    )
    for per_day in minutes_list:
        for days in days_list:
            res = {}
            for strat in ("planner", "random", "round-robin"):
                runs = [simulate(strat, per_day, days, seed, sizes) for seed in range(learners)]
                res[strat] = (
                    statistics.fmean(r[0] for r in runs),
                    statistics.fmean(r[1] for r in runs),
                )
            ratio = res["planner"][0] / res["random"][0]
            task_ratio = res["planner"][1] / max(res["random"][1], 1e-9)
            if per_day == 20 and days == 14:
                ratio_20_14 = ratio
            cells = " ".join(f"{res[s][0]:>7.1%} / {res[s][1]:>5.1%}" for s in res)
            print(
                f"{per_day:>7} {days:>4} | {cells} | {ratio:>12.2f} {task_ratio:>10.2f}", flush=True
            )
    return ratio_20_14


def planning_speed(n_items: int = 10_000, n_reviews: int = 100_000) -> float:
    """Median CPU ms of plan_day over n_items whose FSRS states replay n_reviews graded reviews."""
    rng = random.Random(1)
    scheduler = item_scheduler(None)
    now = (START + timedelta(days=60)).timestamp()
    kinds = ("choice", "multi", "numeric", "recall", "scenario", "bug-hunt", "card", "implement")
    memory: dict[int, Memory] = {}
    for _ in range(n_reviews):
        i = rng.randrange(n_items)
        prev = memory.get(i, Memory())
        at = (prev.last_review or START.timestamp()) + rng.uniform(0.5, 6) * DAY
        memory[i], _ = review(scheduler, prev, rng.choice((1, 2, 3, 3, 4)), min(at, now - 3600))
    cands = [
        Candidate(
            kinds[i % len(kinds)],
            f"i{i}",
            TOPICS[i % len(TOPICS)],
            memory.get(i),
            (f"m{i % 10}",) if i % 3 == 0 else (),
        )
        for i in range(n_items)
    ]
    settings = Settings((START + timedelta(days=70)).date(), 30)
    times = []
    for _ in range(7):  # CPU time of this process: the work, whatever else the machine runs
        t0 = time.process_time()
        plan_day(now, cands, settings, misconceptions={"m3": 0.8})
        times.append((time.process_time() - t0) * 1000)
    return statistics.median(times)


def command_speed(runs: int) -> None:
    import os

    from bench_progress import fill  # 10,000 answers, attempts and reviews
    from timing import median_alternating

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        fill(home)
        env = {**os.environ, "LOSSDRILL_HOME": str(home)}
        os.environ.update(env)
        exe = str(Path(sys.executable).parent / "lossdrill")
        meds = median_alternating(
            {
                "baseline": [sys.executable, "-c", "import typer, rich.console, rich.table"],
                "bare": [exe],
                "progress": [exe, "progress"],
            },
            runs,
        )
    print(f"import typer, rich.console, rich.table: {meds['baseline'] * 1000:.0f} ms")
    for name in ("bare", "progress"):
        print(
            f"lossdrill {'' if name == 'bare' else name:<9} {meds[name] * 1000:.0f} ms"
            f" = {meds[name] / meds['baseline']:.2f}x (target <= 2.0x)"
        )


def _calibration() -> None:
    """FSRS's predictions on the synthetic learners (whose memory is not FSRS)."""
    from lossdrill.schedule.calibration import calibrate

    cal = calibrate(PREDICTIONS)
    if cal is not None:
        print(
            f"calibration on {cal.reviews} simulated reviews (recall rate {cal.recall_rate:.1%}):"
            f" FSRS log loss {cal.log_loss:.3f}, RMSE(bins) {cal.rmse_bins:.3f};"
            f" average-recall-rate baseline {cal.baseline_log_loss:.3f},"
            f" {cal.baseline_rmse_bins:.3f}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="20 min/day, 14 days, few learners")
    ap.add_argument("--learners", type=int, default=300)
    ap.add_argument("--runs", type=int, default=7, help="runs per command timing")
    args = ap.parse_args()
    sizes = (120, 60, 12)
    if args.quick:
        ratio = table(40, [20], [14], sizes)
        _calibration()
    else:
        print(
            f"planning with 10,000 items / 100,000 reviews: {planning_speed():.1f} ms"
            " (target < 50 ms)",
            flush=True,
        )
        command_speed(args.runs)
        ratio = table(args.learners, [10, 20, 40], [7, 14, 28], sizes)
        _calibration()
    print(f"planner/random recall ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
