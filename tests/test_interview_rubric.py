"""The interviewer's rubric: evidence in, scores, evidence lines and advice out."""

from __future__ import annotations

import json

from lossdrill.checker.result import CheckResult, Diagnosis, GroupResult, Tolerance
from lossdrill.interview.rubric import (
    GroupEvidence,
    ImplementEvidence,
    QuestionEvidence,
    implement_evidence,
    score_sheet,
)

ALL_OK = (
    GroupEvidence("edge", 8, 0),
    GroupEvidence("dtypes", 3, 0),
    GroupEvidence("random", 200, 0),
    GroupEvidence("stability", 4, 0),
)


def passing(task: str = "mse", seconds: float = 300.0, lines: int = 6, **kw) -> ImplementEvidence:
    return ImplementEvidence(task, True, True, ALL_OK, (), seconds, lines, checks=1, **kw)


def right(step: str = "when to use it", item: str = "reg-mse-when", topic: str = "regression"):
    return QuestionEvidence(step, item, topic, True, 1.0, "2")


def wrong(step: str = "how it fails", item: str = "reg-mse-fails", topic: str = "regression"):
    return QuestionEvidence(step, item, topic, False, 0.0, "b")


def sheet(
    implement, gradient=None, questions=(), task="mse", topic="regression", done=6, planned=6
):
    return score_sheet(
        task,
        topic,
        implement,
        gradient,
        list(questions),
        started=1000.0,
        finished=1000.0 + 900,
        minutes=20,
        steps_done=done,
        steps_planned=planned,
    )


def criterion(s, name):
    return next(c for c in s.criteria if c.name == name)


def test_a_clean_fast_pass_scores_full_marks_on_the_implementation():
    s = sheet(
        passing(),
        passing("mse-grad", lines=1),
        [right(), right("in production", "prod-x", "production")],
    )
    assert [c.points for c in s.criteria] == [4, 4, 4, 4, 4]
    assert s.score == 1.0
    assert s.verdict == "strong"
    assert "first pass after 5m 00s (target under 10m)" in criterion(s, "speed").evidence
    assert "gradient follow-up mse-grad: passed" in criterion(s, "correctness").evidence


def test_passing_the_functional_groups_but_failing_stability_scores_stability_low():
    groups = (
        GroupEvidence("edge", 7, 0),
        GroupEvidence("dtypes", 3, 0),
        GroupEvidence("random", 200, 0),
        GroupEvidence("stability", 4, 4),
    )
    ev = ImplementEvidence(
        "bce", True, False, groups, (("unstable", "inf/nan on extreme logits"),), 240.0, 6, checks=2
    )
    s = sheet(ev, task="bce", topic="classification")
    stab = criterion(s, "numerical stability")
    assert stab.points == 0
    assert stab.practise.command == "lossdrill flashcards --topic stability"
    assert "stability group: 4 of 4 extreme cases failed" in stab.evidence
    assert "diagnosis unstable: inf/nan on extreme logits" in stab.evidence
    assert criterion(s, "correctness").points == 4  # every functional group passed
    assert criterion(s, "speed").points == 0  # no pass, no speed


def test_some_stability_cases_right_is_still_low():
    groups = ALL_OK[:3] + (GroupEvidence("stability", 12, 5),)
    ev = ImplementEvidence("focal", True, False, groups, (), 200.0, 7, checks=1)
    assert criterion(sheet(ev, task="focal"), "numerical stability").points == 1


def test_speed_against_the_lecture_target():
    assert criterion(sheet(passing(seconds=9 * 60, lines=8)), "speed").points == 4
    long = criterion(sheet(passing(seconds=9 * 60, lines=12)), "speed")
    assert long.points == 3
    assert "solution: 12 lines (target 5–8)" in long.evidence
    assert long.practise.command == "lossdrill reveal mse"
    slow = criterion(sheet(passing(seconds=13 * 60)), "speed")
    assert slow.points == 2
    assert slow.practise.command == "lossdrill implement mse"
    assert criterion(sheet(passing(seconds=25 * 60)), "speed").points == 1
    gave_up = ImplementEvidence("mse", True, False, ALL_OK, (), 200.0, 0, gave_up=True)
    c = criterion(sheet(gave_up), "speed")
    assert c.points == 0
    assert c.evidence == ("no pass after 3m 20s (gave up)",)


def test_an_empty_batch_mistake_costs_edge_cases_and_points_to_bug_hunts():
    groups = (GroupEvidence("edge", 8, 1),) + ALL_OK[1:]
    ev = ImplementEvidence(
        "mse",
        True,
        False,
        groups,
        (("empty-batch", "np.mean of an empty batch is nan"),),
        200.0,
        5,
        checks=1,
    )
    c = criterion(sheet(ev), "edge cases")
    assert c.points <= 2
    assert "edge group: 1 of 8 failed" in c.evidence
    assert c.practise.command == "lossdrill bughunt"


def test_wrong_results_on_random_cases_cost_correctness():
    groups = (
        GroupEvidence("edge", 8, 8),
        GroupEvidence("dtypes", 3, 3),
        GroupEvidence("random", 200, 200),
        GroupEvidence("stability", 4, 4),
    )
    ev = ImplementEvidence(
        "mse",
        True,
        False,
        groups,
        (("missing-half", "the ½ is missing: every loss is twice the reference"),),
        400.0,
        5,
        checks=3,
    )
    c = criterion(sheet(ev), "correctness")
    assert c.points == 0
    assert (
        "diagnosis missing-half: the ½ is missing: every loss is twice the reference" in c.evidence
    )
    assert c.practise.command == "lossdrill implement mse"


def test_a_failed_gradient_follow_up_costs_a_point_and_is_what_to_practise():
    grad = ImplementEvidence(
        "mse-grad",
        True,
        False,
        ALL_OK[:2] + (GroupEvidence("random", 200, 200),),
        (("wrong-sign", "the sign is flipped"),),
        100.0,
        1,
        checks=1,
    )
    c = criterion(sheet(passing(), grad), "correctness")
    assert c.points == 3
    assert "gradient follow-up mse-grad: failed (wrong-sign)" in c.evidence
    assert c.practise.command == "lossdrill implement mse-grad"


def test_concepts_follow_the_quiz_answers():
    c = criterion(sheet(passing(), questions=[right(), wrong()]), "concepts")
    assert c.points == 2
    assert "✗ how it fails: reg-mse-fails (answered 'b')" in c.evidence
    assert c.practise.command == "lossdrill quiz --topic regression"
    full = criterion(sheet(passing(), questions=[right()]), "concepts")
    assert full.practise.command == "lossdrill flashcards --topic regression"


def test_a_session_ended_before_the_implement_step_scores_zero_there_and_is_incomplete():
    s = sheet(None, questions=[right()], done=1)
    assert [c.points for c in s.criteria] == [0, 0, 0, 0, 4]
    assert s.score == 4 / 20  # the unreached implement criteria count, at 0
    assert not s.complete
    assert s.verdict == "incomplete"
    assert s.status == f"incomplete: 1 of {s.steps_planned} steps"
    nothing = sheet(None, done=0)
    assert nothing.score == 0.0
    assert nothing.verdict == "incomplete"


def test_an_incomplete_interview_is_never_better_than_incomplete():
    # every criterion full marks, but only 5 of 6 steps reached
    s = sheet(passing(), questions=[right()], done=5)
    assert s.score == 1.0
    assert not s.complete
    assert s.verdict == "incomplete"
    assert s.to_dict()["verdict"] == "incomplete"
    assert s.to_dict()["status"] == f"incomplete: 5 of {s.steps_planned} steps"
    complete = sheet(passing(), questions=[right()])
    assert complete.verdict == "strong"
    assert complete.status == ""


def test_unanswered_planned_questions_score_zero():
    s = score_sheet(
        "mse",
        "regression",
        passing(),
        None,
        [right()],
        started=0.0,
        finished=60.0,
        minutes=30,
        steps_done=3,
        steps_planned=6,
        questions_planned=4,
    )
    c = criterion(s, "concepts")
    assert c.points == 1  # 1 of 4 questions right: round(4 * 1/4)
    assert "✗ 3 of 4 questions not reached or not answered (0 each)" in c.evidence
    none = score_sheet(
        "mse",
        "regression",
        None,
        None,
        [],
        started=0.0,
        finished=60.0,
        minutes=30,
        steps_done=0,
        steps_planned=6,
        questions_planned=4,
    )
    assert criterion(none, "concepts").points == 0
    assert none.score == 0.0


def test_a_step_with_no_check_scores_zero():
    ev = ImplementEvidence("bce", False, seconds=600.0, time_up=True)
    s = sheet(ev, task="bce", topic="classification")
    assert criterion(s, "correctness").points == 0
    assert criterion(s, "correctness").evidence == ("no check was run on the submission",)
    assert criterion(s, "speed").evidence == ("no pass after 10m 00s (time ran out)",)


def test_the_sheet_is_json_data_with_score_and_verdict():
    data = sheet(passing(), questions=[right(), wrong()]).to_dict()
    again = json.loads(json.dumps(data))
    assert again["task"] == "mse"
    assert again["score"] == round((4 + 4 + 4 + 4 + 2) / 20, 4)
    assert again["verdict"] == "strong"
    assert again["elapsed_s"] == 900.0
    assert [c["name"] for c in again["criteria"]] == [
        "correctness",
        "numerical stability",
        "edge cases",
        "speed",
        "concepts",
    ]
    assert again["criteria"][3]["practise"]["command"].startswith("lossdrill ")


def test_evidence_is_read_from_a_check_result():
    tol = Tolerance(1e-6, 1e-8)
    result = CheckResult(
        task="bce",
        function="binary_ce_with_logits",
        passed=False,
        score=0.75,
        seed=1,
        groups=(GroupResult("edge", 7, 0), GroupResult("stability", 4, 2)),
        diagnoses=(Diagnosis("unstable", "nan for logits of 800"),),
        first_failure=None,
        tolerance64=tol,
        tolerance32=tol,
    )
    ev = implement_evidence("bce", result, seconds=61.0, lines=6, checks=2)
    assert ev.checked and not ev.passed
    assert ev.group("stability") == GroupEvidence("stability", 4, 2)
    assert ev.codes == ("unstable",)
    assert implement_evidence("bce", None, seconds=5.0).checked is False


def test_a_stable_but_wrong_formula_is_not_marked_down_on_stability_or_edge_cases():
    # The lecture's constant α: every group fails because the formula is wrong, while the
    # code is stable and handles the empty batch. Those criteria cannot be judged yet.
    groups = (
        GroupEvidence("edge", 7, 4),
        GroupEvidence("dtypes", 3, 3),
        GroupEvidence("params", 12, 10),
        GroupEvidence("random", 200, 177),
        GroupEvidence("stability", 4, 4),
    )
    ev = ImplementEvidence(
        "focal",
        True,
        False,
        groups,
        (("constant-alpha", "weights every example by alpha"),),
        300.0,
        7,
        checks=2,
    )
    s = sheet(ev, task="focal", topic="classification")
    stab = criterion(s, "numerical stability")
    assert stab.points is None
    assert stab.evidence == (
        "stability group: 4 of 4 extreme cases failed, but so did 177 of 200 "
        "ordinary random cases: not judged until the ordinary cases pass",
    )
    assert stab.practise.command == "lossdrill implement focal"
    edge = criterion(s, "edge cases")
    assert edge.points is None
    assert "edge group: 4 of 7 failed" in edge.evidence
    assert criterion(s, "correctness").points == 0
    assert s.score == 0.0  # correctness 0, speed 0 over the assessed criteria


def test_an_unstable_formula_is_marked_down_even_when_ordinary_cases_fail_too():
    groups = ALL_OK[:2] + (GroupEvidence("random", 200, 3), GroupEvidence("stability", 4, 4))
    ev = ImplementEvidence(
        "bce", True, False, groups, (("unstable", "inf on logits of 800"),), 300.0, 6, checks=1
    )
    assert criterion(sheet(ev, task="bce"), "numerical stability").points == 0


def test_an_untouched_starter_scores_zero_for_stability_and_edge_cases():
    ev = ImplementEvidence("mse", False, seconds=60.0, time_up=True)
    s = sheet(ev)
    assert criterion(s, "numerical stability").points == 0
    assert criterion(s, "edge cases").points == 0
    assert criterion(s, "numerical stability").evidence == ("no check was run on the submission",)
    assert [c.name for c in s.assessed] == [
        "correctness",
        "numerical stability",
        "edge cases",
        "speed",
    ]


def test_a_partly_right_scenario_shows_its_credit_not_the_raw_answers():
    partly = QuestionEvidence(
        "a scenario", "scn-fraud", "classification", False, 0.75, "a | b | b | c"
    )
    c = criterion(sheet(passing(), questions=[partly]), "concepts")
    assert "✗ a scenario: scn-fraud (75% credit)" in c.evidence
    assert c.points == 3


def test_the_next_loss_after_a_full_mark_is_not_called_harder():
    c = criterion(sheet(passing("focal"), task="focal", topic="classification"), "correctness")
    assert c.practise.command == "lossdrill implement weighted-bce"
    assert c.practise.why == "the next loss to master after focal"


def test_every_practise_next_names_a_real_command_task_and_topic():
    import shlex

    from lossdrill.bank.loader import load_banks
    from lossdrill.cli import app
    from lossdrill.interview.plan import interview_tasks

    bank = load_banks([])
    commands = {c.name or c.callback.__name__ for c in app.registered_commands}
    tasks = {t.id for t in bank.tasks()}
    topics = {i.topic for i in bank.quiz_items()}
    failing = (
        GroupEvidence("edge", 8, 2),
        GroupEvidence("dtypes", 3, 0),
        GroupEvidence("random", 200, 0),
        GroupEvidence("stability", 4, 4),
    )
    seen = set()
    for task in interview_tasks(bank):
        shapes = [
            sheet(passing(task.id), task=task.id, topic=task.topic, questions=[right()]),
            sheet(passing(task.id, seconds=700, lines=12), task=task.id, topic=task.topic),
            sheet(
                ImplementEvidence(
                    task.id,
                    True,
                    False,
                    failing,
                    (("empty-batch", "nan"), ("unstable", "inf")),
                    300.0,
                    6,
                    checks=1,
                ),
                task=task.id,
                topic=task.topic,
                questions=[wrong()],
            ),
            sheet(
                ImplementEvidence(task.id, False, seconds=60.0, gave_up=True),
                task=task.id,
                topic=task.topic,
            ),
            sheet(None, task=task.id, topic=task.topic, done=1),
        ]
        for s in shapes:
            for c in s.criteria:
                seen.add(c.practise.command)
    for command in sorted(seen):
        words = shlex.split(command)
        assert words[0] == "lossdrill" and words[1] in commands, command
        if words[1] in ("implement", "reveal"):
            assert words[2] in tasks, command
        if "--topic" in words:
            assert words[words.index("--topic") + 1] in topics, command
