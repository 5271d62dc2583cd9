"""The task's bank mutants, each run in the sandbox on the failing cases (and a sample of
passing ones): a mutant that behaves like the submission names the mistake."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from lossdrill.checker.cases import HAZARDS, Run
from lossdrill.checker.codes import describe
from lossdrill.checker.compare import outcomes_agree
from lossdrill.checker.protocols import SandboxLike
from lossdrill.checker.result import Diagnosis
from lossdrill.checker.tasks import TaskSpec

if TYPE_CHECKING:
    from lossdrill.bank.schema import Mutant


def match_mutants(
    spec: TaskSpec,
    runs: Sequence[Run],
    mutants: Sequence[Mutant],
    sandbox: SandboxLike,
    *,
    max_failing: int = 16,
    max_passing: int = 16,
) -> list[Diagnosis]:
    """Codes of the bank mutants that behave like the submission on its failing cases.

    A mutant must agree with the submission on every sampled case, failing and passing:
    "behaves exactly like" is a claim about the whole sample. A mutant that fails where the
    submission passes is another mistake (it matched the one failing case by chance), and
    the other strategies (fingerprints, hypotheses) name the submission instead.
    """
    failing = [
        r for r in runs if r.failed and r.verdict.kind not in HAZARDS and not r.case.is_empty
    ]
    if not failing or not mutants:
        return []
    failing = _spread(failing, max_failing)
    passing = _spread([r for r in runs if not r.failed], max_passing)
    sample = failing + passing
    calls = [(r.case.args, r.case.kwargs) for r in sample]
    scored: list[tuple[int, Any]] = []
    for mutant in mutants:
        slot = f"mutant:{mutant.name}"
        loaded = sandbox.load(slot, mutant.code, spec.function, f"<mutant {mutant.name}>")
        if loaded.status != "ok":
            continue
        outcomes = sandbox.call_many(slot, calls, timeout=1.0)
        agree = [
            outcomes_agree(r.outcome, o, spec.tol32 if r.case.float32() else spec.tol64)
            for r, o in zip(sample, outcomes, strict=False)
        ]
        if all(agree):
            scored.append((len(agree), mutant))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    out: dict[str, Diagnosis] = {}
    for score, mutant in scored:
        if score == best and mutant.diagnosis not in out:
            name = mutant.name.replace("-", " ")
            note = mutant.note
            if note:
                what = f": {note}"
            elif mutant.diagnosis == "wrong-result":
                what = "; compare each term with the definition in the prompt"
            else:
                what = f": {describe(mutant.diagnosis)}"
            out[mutant.diagnosis] = Diagnosis(
                mutant.diagnosis,
                f"your function behaves exactly like the known mistake “{name}”{what}",
            )
    return list(out.values())


def _spread(runs: Sequence[Run], limit: int) -> list[Run]:
    """At most ``limit`` runs, taken round-robin over the groups so each group is represented."""
    by_group: dict[str, list[Run]] = {}
    for r in runs:
        by_group.setdefault(r.case.group, []).append(r)
    out: list[Run] = []
    queues = [list(v) for v in by_group.values()]
    while len(out) < limit and any(queues):
        for q in queues:
            if q and len(out) < limit:
                out.append(q.pop(0))
    return out
