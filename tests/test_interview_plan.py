"""Planning a mock interview: the task, the questions picked for it, the time boxes."""

from __future__ import annotations

import random

from lossdrill.bank.loader import load_banks
from lossdrill.bank.schema import Bank, ChoiceItem, ImplementItem, Option, ScenarioItem, Step
from lossdrill.interview.plan import (
    TaskRecord,
    interview_tasks,
    plan_interview,
    step_minutes,
    weakest_task,
)

OPTIONS = (Option("right", True), Option("wrong", False))


def common(item_id: str, kind: str, topic: str, tags: tuple[str, ...]) -> dict:
    return dict(
        id=item_id,
        version=1,
        kind=kind,
        topic=topic,
        tags=tags,
        difficulty=1,
        prompt="?",
        explanation="",
        source="test",
        file="t.yaml",
        line=1,
    )


def task(task_id: str, function: str, topic: str, tags: tuple[str, ...]) -> ImplementItem:
    return ImplementItem(
        **common(task_id, "implement", topic, tags),
        function=function,
        starter=f"def {function}(y_true, y_pred):\n    pass\n",
    )


def choice(item_id: str, topic: str, *tags: str) -> ChoiceItem:
    return ChoiceItem(**common(item_id, "choice", topic, tags), options=OPTIONS)


def scenario(item_id: str, topic: str, *tags: str) -> ScenarioItem:
    return ScenarioItem(
        **common(item_id, "scenario", topic, tags), steps=(Step("s1", "which?", OPTIONS),)
    )


def bank(*extra) -> Bank:
    return Bank(
        items=[
            task("mse", "mse_loss", "regression", ("mse", "regression", "lecture")),
            task("mse-grad", "mse_gradient", "gradients", ("mse", "gradients")),
            task("focal", "focal_loss", "classification", ("focal", "imbalance", "stability")),
            choice("reg-mse-when", "regression", "mse", "decision-guide"),
            choice("reg-mse-fails", "regression", "mse", "outliers", "gotcha"),
            choice("reg-mae-median", "regression", "mae", "minimiser"),
            choice("cls-focal-why", "classification", "focal", "imbalance", "gotcha"),
            choice("cls-bce-when", "classification", "bce", "decision-guide"),
            choice("prod-outliers", "production", "mse", "business"),
            choice("prod-monitoring", "production", "monitoring"),
            *extra,
        ]
    )


def test_an_interview_on_mse_asks_about_mse_then_its_gradient():
    plan = plan_interview(bank(scenario("scn-sensor", "regression", "mse")), "mse", 20, seed=1)
    assert [(s.kind, s.item_id or s.task) for s in plan.steps] == [
        ("warm-up", "reg-mse-when"),
        ("warm-up", "reg-mse-fails"),
        ("implement", "mse"),
        ("gradient", "mse-grad"),
        ("scenario", "scn-sensor"),
        ("production", "prod-outliers"),
    ]
    assert plan.steps[0].title == "when to use it"
    assert plan.steps[1].title == "how it fails"


def test_a_loss_without_a_gradient_task_has_no_follow_up():
    plan = plan_interview(bank(), "focal", 20, seed=1)
    kinds = [s.kind for s in plan.steps]
    assert "gradient" not in kinds
    assert plan.steps[0].item_id == "cls-focal-why" or plan.steps[1].item_id == "cls-focal-why"


def test_a_decision_guide_question_stands_in_for_a_missing_scenario():
    plan = plan_interview(bank(), "focal", 20, seed=2)
    scenario_step = next(s for s in plan.steps if s.kind == "scenario")
    assert scenario_step.item_id in {"reg-mse-when", "cls-bce-when"}
    asked = [s.item_id for s in plan.steps if s.item_id]
    assert len(asked) == len(set(asked))  # no question twice


def test_the_same_seed_gives_the_same_plan():
    b = bank(scenario("scn-a", "regression", "mse"), scenario("scn-b", "regression", "mse"))
    assert plan_interview(b, "mse", 20, seed=7) == plan_interview(b, "mse", 20, seed=7)


def test_time_boxes_follow_the_lecture_target():
    boxes = step_minutes(20)
    assert boxes["implement"] == 10  # the lecture: under 10 minutes
    assert boxes["gradient"] == 4
    questions = 2 * boxes["warm-up"] + boxes["scenario"] + boxes["production"]
    assert questions + boxes["implement"] + boxes["gradient"] == 20
    assert step_minutes(6)["implement"] == 3


def test_the_weakest_task_is_the_one_with_most_failures():
    records = [
        TaskRecord("mse", attempts=4, passes=4, topic_answers=10, topic_correct=9),
        TaskRecord("focal", attempts=3, passes=0, topic_answers=5, topic_correct=2),
        TaskRecord("huber"),
    ]
    assert weakest_task(records, random.Random(0)) == "focal"
    assert weakest_task([TaskRecord("mse"), TaskRecord("mae")], random.Random(0)) is None


def test_a_weak_topic_counts_for_tasks_not_yet_attempted():
    records = [
        TaskRecord("mse", attempts=2, passes=2, topic_answers=10, topic_correct=10),
        TaskRecord("triplet", topic_answers=4, topic_correct=1),
    ]
    assert weakest_task(records, random.Random(0)) == "triplet"


def test_gradient_tasks_are_not_interview_topics_on_their_own():
    assert [t.id for t in interview_tasks(bank())] == ["mse", "focal"]


def test_the_countdown_shows_the_time_left_in_the_terminal_title_and_says_when_it_is_up():
    import io
    import time

    from rich.console import Console

    from lossdrill.ui.interview_view import Countdown

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80, color_system=None)
    with Countdown(console, "lossdrill interview · mse", time.monotonic() - 1):
        for _ in range(100):  # the clock ticks in its own thread
            if "Time is up" in out.getvalue():
                break
            time.sleep(0.05)
    text = out.getvalue()
    assert "\x1b]2;lossdrill interview · mse · 00:00 left\x07" in text
    assert "Time is up." in text
    assert text.startswith("\x1b[22;2t") and text.endswith("\x1b[23;2t")


def test_the_interviewer_states_the_task_without_the_tricks():
    from lossdrill.ui.interview_view import task_statement

    prompt = (
        "Write softmax(x): along the LAST axis.\n\n"
        "    softmax(x)_i = e^(x_i) / Σ_j e^(x_j)\n\n"
        "Stable: subtract each slice's maximum first.\n"
    )
    statement = task_statement(prompt)
    assert "Write softmax(x)" in statement
    assert "e^(x_i) / Σ_j e^(x_j)" in statement
    assert "maximum" not in statement


def test_without_a_gradient_step_its_time_goes_to_the_questions():
    b = load_banks([])
    plan = plan_interview(b, "focal", 20, seed=7)  # focal has no gradient task
    assert "gradient" not in [s.kind for s in plan.steps]
    assert sum(s.minutes for s in plan.steps) == 20
    implement = next(s for s in plan.steps if s.kind == "implement")
    assert implement.minutes == 10
    with_gradient = plan_interview(b, "mse", 20, seed=7)
    assert sum(s.minutes for s in with_gradient.steps) == 20


def test_a_one_minute_interview_does_not_plan_more_than_a_few_minutes():
    boxes = step_minutes(1)
    assert boxes["implement"] == 1
    assert boxes["warm-up"] == 0.5


def test_step_titles_do_not_repeat_the_step_kind():
    plan = plan_interview(load_banks([]), "mse", 20, seed=7)
    titles = {s.kind: s.title for s in plan.steps}
    assert titles["implement"] == "mse_loss"
    assert titles["gradient"] == "mse_gradient"


def test_the_gradient_follow_up_never_gets_more_time_than_the_implementation():
    boxes = step_minutes(90)
    assert boxes["gradient"] <= boxes["implement"] == 10
