"""What the sandbox saw: a file that does not load, calls that raise, hang, run out of
memory, modify an input, return the wrong type or shape, or fail only on the empty batch.

The most certain diagnoses, so the first strategy; :func:`wrong_result` is the last resort
when nothing else names the mistake."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from lossdrill.checker.cases import HAZARDS, Run
from lossdrill.checker.compare import as_real_array, fmt
from lossdrill.checker.protocols import Outcome
from lossdrill.checker.result import Diagnosis
from lossdrill.checker.tasks import TaskSpec


def load_diagnosis(outcome: Outcome, function: str, source: str = "") -> Diagnosis:
    """The diagnosis of a file that could not be loaded (``source`` adds the line in question)."""
    status, message = outcome.status, outcome.message
    if status == "syntax-error":
        line = _source_line(source, getattr(outcome, "line", None))
        where = f" in “{line}”" if line else ""
        return Diagnosis("syntax-error", f"the file does not parse: {message}{where}")
    if status == "missing-function":
        if message == f"no function named {function}" and not source.strip():
            message = "the file is empty"
        elif message == f"no function named {function}":
            others = _defined_functions(source)
            message = (
                f"it defines {', '.join(f'{n}()' for n in others)}; the checker calls {function}()"
                if others
                else ""
            )
        return Diagnosis(
            "missing-function",
            f"the file does not define {function}()" + (f": {message}" if message else ""),
        )
    message = message.removeprefix("while loading: ").removesuffix(" while loading")
    if status == "timeout":
        return Diagnosis("timeout", f"loading the file never finished: {message}")
    if status == "memory":
        return Diagnosis("memory", f"loading the file {message}")
    if status in ("exit", "crash") or message.startswith("called sys.exit"):
        return Diagnosis(
            "exception",
            f"while loading, the file {message}: code at the top "
            "level runs when the file is loaded; keep it inside the function",
        )
    return Diagnosis("exception", f"loading the file failed: {message}")


def _source_line(source: str, line: int | None) -> str:
    lines = source.splitlines()
    if not line or not 1 <= line <= len(lines):
        return ""
    text = lines[line - 1].strip()
    return text if len(text) <= 60 else text[:57] + "..."


def _defined_functions(source: str) -> list[str]:
    import ast

    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))][:3]


def cases_phrase(runs: Sequence[Run], total: int) -> str:
    names = ", ".join(f"“{name}”" for name in list(dict.fromkeys(r.case.name for r in runs))[:2])
    return f"{len(runs)} of {total} cases, e.g. {names}"


def verdict_diagnoses(spec: TaskSpec, runs: Sequence[Run]) -> list[Diagnosis]:
    """What the sandbox and the type/shape checks saw, most serious first."""
    failed = [r for r in runs if r.failed]
    total = len(runs)
    out: list[Diagnosis] = []
    empty = _empty_batch_failures(failed)
    by_kind: dict[str, list[Run]] = {}
    for r in failed:
        if r not in empty:
            by_kind.setdefault(r.verdict.kind, []).append(r)

    skipped = len(by_kind.get("not-run", ()))
    rest = f"; the other {skipped} cases were not run" if skipped else ""
    if "timeout" in by_kind:
        rs = by_kind["timeout"]
        out.append(
            Diagnosis(
                "timeout",
                f"{rs[0].outcome.message or 'did not return in time'} on {cases_phrase(rs, total)}: "
                f"look for an endless loop or a loop far too slow for the batch{rest}",
            )
        )
        rest = ""
    if "memory" in by_kind:
        rs = by_kind["memory"]
        out.append(
            Diagnosis(
                "memory",
                f"{rs[0].outcome.message} on {cases_phrase(rs, total)}: a huge temporary array "
                f"is usually the cause{rest}",
            )
        )
        rest = ""
    for kind in ("exit", "crash"):
        if kind in by_kind:
            rs = by_kind[kind]
            out.append(
                Diagnosis(
                    "exception", f"{rs[0].outcome.message} on {cases_phrase(rs, total)}{rest}"
                )
            )
            rest = ""
    # an in-place operator that raises on mixed dtypes (int -= float) is the same mistake
    if "mutates-input" in by_kind:
        rs = by_kind["mutates-input"]
        names = " and ".join(dict.fromkeys(spec.arg_names(rs[0].outcome.mutated)))
        out.append(
            Diagnosis(
                "mutates-input",
                f"modifies its input {names} in place (an in-place operator such as -= or *=, "
                "or writing into a slice); compute into a new array instead",
            )
        )
    if "exception" in by_kind:
        rs = by_kind["exception"]
        messages: dict[str, list[Run]] = {}
        for r in rs:
            messages.setdefault(r.outcome.message, []).append(r)
        first, group = next(iter(messages.items()))
        others = len(messages) - 1
        extra = f" ({others} other kind{'s' if others > 1 else ''} of error too)" if others else ""
        todo = ""
        if first.startswith("NotImplementedError"):
            todo = " — the starter's placeholder: write the body"
        elif first.startswith("TypeError") and ("argument" in first):
            todo = f" — the signature must be {spec.signature()}"
        out.append(
            Diagnosis("exception", f"raised {first} on {cases_phrase(group, total)}{extra}{todo}")
        )
    if "wrong-type" in by_kind:
        rs = by_kind["wrong-type"]
        out.append(
            Diagnosis("wrong-type", f"{rs[0].verdict.message}, on {cases_phrase(rs, total)}")
        )
    if "wrong-shape" in by_kind:
        rs = by_kind["wrong-shape"]
        out.append(
            Diagnosis("wrong-shape", f"{rs[0].verdict.message}, on {cases_phrase(rs, total)}")
        )
    if empty:
        out.append(_empty_batch(spec, empty[0]))
    return out


def _failure_key(r: Run) -> tuple[str, str]:
    return r.verdict.kind, r.outcome.message or r.verdict.message


def _empty_batch_failures(failed: Sequence[Run]) -> list[Run]:
    """Failures on empty batches that are particular to them.

    An empty case that fails the way non-empty cases fail too (the starter's
    NotImplementedError, a wrong signature, a list returned everywhere) is explained by
    that failure, not by the empty batch.
    """
    elsewhere = {_failure_key(r) for r in failed if not r.case.is_empty}
    return [
        r
        for r in failed
        if r.case.is_empty
        and r.verdict.kind not in HAZARDS
        and _failure_key(r) not in elsewhere
        and not (r.outcome.message or "").startswith("NotImplementedError")
    ]


def _empty_batch(spec: TaskSpec, r: Run) -> Diagnosis:
    want = "0.0" if spec.output == "loss" else "an empty array"
    fix = (
        "return 0.0 when the batch is empty"
        if spec.output == "loss"
        else "array operations give an empty array for an empty input; no special case needed"
    )
    if r.outcome.status == "ok":
        got = as_real_array(r.outcome.value)
        if got is not None and got.ndim == 0:
            what = (
                f"returned {fmt(got)}"
                if spec.output == "loss"
                else (f"returned the single number {fmt(got)}")
            )
            if np.isnan(got):
                what += " (np.mean of an empty array is nan)"
        else:
            what = r.verdict.message or f"returned a {r.outcome.value_type}"
            what = what.split(";")[0]
    else:
        what = (
            f"raised {r.outcome.message}"
            if r.verdict.kind == "exception"
            else (r.verdict.message or r.outcome.message)
        )
        if "ZeroDivision" in what:
            what += ", dividing by the length of the empty batch"
    return Diagnosis(
        "empty-batch", f"an empty batch must give {want}, but your function {what}: {fix}"
    )


def wrong_result(runs: Sequence[Run], *, skip_empty: bool = False) -> Diagnosis:
    """``N of M cases differ``; ``skip_empty``: the empty batch is named on its own."""
    failed = [r for r in runs if r.failed and not (skip_empty and r.case.is_empty)]
    offsets: list[np.ndarray] = []
    for r in failed:
        got = as_real_array(r.outcome.value) if r.outcome.status == "ok" else None
        if got is None or got.shape != r.expected.shape or not np.all(np.isfinite(got)):
            offsets = []
            break
        offsets.append(got - r.expected)
    message = f"{len(failed)} of {len(runs)} cases differ from the reference"
    if offsets:
        d = np.concatenate([np.ravel(o) for o in offsets])
        if d.size and np.allclose(d, d[0], rtol=1e-6, atol=1e-9) and abs(d[0]) > 1e-9:
            message += f"; every value is off by the same constant {d[0]:+.6g}"
    groups = sorted({r.case.group for r in failed})
    message += f" (failing groups: {', '.join(groups)})"
    return Diagnosis("wrong-result", message)
