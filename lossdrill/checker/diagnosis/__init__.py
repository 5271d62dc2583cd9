"""Name the mistake: sandbox verdicts, then the task's known mutants, then fingerprints,
then re-enacted hypotheses.

The order is from the most certain to the least, and it is declared here, in
:func:`diagnose`, and nowhere else:

1. what the sandbox saw (:mod:`.verdicts`): the file does not parse, the function is
   missing, raises, hangs, runs out of memory, modifies an input, returns the wrong type or
   shape, fails only on the empty batch;
2. a stated rule whose literal cases alone fail (:func:`.fingerprints.broken_rule`), then
   the task's bank mutants (:mod:`.mutants`), each run in the sandbox on the failing cases
   (and a sample of passing ones): a mutant that behaves like the submission names the
   mistake;
3. fingerprints of the numbers (:mod:`.fingerprints`): a constant ratio got/expected of n
   or 1/n, 2 or ½, −1, or failures only on extreme inputs (``unstable``);
4. known mistakes re-enacted with the reference (:mod:`.hypotheses`);
5. otherwise ``wrong-result``.
"""

from __future__ import annotations

from collections.abc import Sequence

from lossdrill.checker.cases import Run
from lossdrill.checker.diagnosis.fingerprints import broken_rule, fingerprint
from lossdrill.checker.diagnosis.hypotheses import explain, explains_empty
from lossdrill.checker.diagnosis.mutants import match_mutants
from lossdrill.checker.diagnosis.verdicts import load_diagnosis, verdict_diagnoses, wrong_result
from lossdrill.checker.protocols import MutantSource, SandboxLike
from lossdrill.checker.result import Diagnosis
from lossdrill.checker.tasks import TaskSpec

__all__ = ["diagnose", "load_diagnosis"]


def diagnose(
    spec: TaskSpec, runs: Sequence[Run], mutants: MutantSource, sandbox: SandboxLike
) -> list[Diagnosis]:
    """The diagnoses of a failing check, most specific first. ``mutants`` is called only when
    a non-empty case fails (fetching them may load the bank).

    A failing empty batch is named last unless it is all there is (the first failure shown
    is a non-empty case whenever there is one)."""
    out = verdict_diagnoses(spec, runs)
    empty = [d for d in out if d.code == "empty-batch"]
    out = [d for d in out if d.code != "empty-batch"]
    seen = {d.code for d in out}
    nonempty_failures = [r for r in runs if r.failed and not r.case.is_empty]
    if nonempty_failures:
        # only the literal cases of one stated rule fail: quote the rule (a mutant agreeing on
        # so few cases would do so by chance)
        found = broken_rule(spec, runs)
        if not found:
            found = match_mutants(spec, runs, mutants(), sandbox)
        if not found:
            found = fingerprint(spec, runs)
        if not found:
            found = explain(spec, runs)
            if found and explains_empty(spec, runs, found[0]):
                empty = []  # the same mistake, not a missing guard
        for d in found:
            if d.code not in seen:
                out.append(d)
                seen.add(d.code)
        if not out:  # the non-empty failures must be named too, not only the empty batch
            out.append(wrong_result(runs, skip_empty=True))
    out += empty
    if not out:
        out.append(wrong_result(runs))
    return out
