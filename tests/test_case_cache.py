"""The case cache serves exactly what building the cases gives, and never a stale copy."""

from __future__ import annotations

import numpy as np

from lossdrill.checker import case_cache
from lossdrill.checker.tasks import TASKS


def build_focal():
    spec = TASKS["focal"]
    cases = spec.cases(7)
    return cases, [
        np.asarray(spec.reference()(*c.args, **c.kwargs), dtype=np.float64) for c in cases
    ]


def same(a, b) -> bool:
    (cases_a, exp_a), (cases_b, exp_b) = a, b
    return (
        [(c.group, c.name, c.kwargs, c.rules) for c in cases_a]
        == [(c.group, c.name, c.kwargs, c.rules) for c in cases_b]
        and any(
            c.rules for c in cases_a
        )  # the rule ids survive the cache (ignores-rule needs them)
        and all(
            len(x.args) == len(y.args)
            and all(
                np.array_equal(p, q) and np.asarray(p).dtype == np.asarray(q).dtype
                for p, q in zip(x.args, y.args, strict=True)
            )
            for x, y in zip(cases_a, cases_b, strict=True)
        )
        and all(np.array_equal(p, q, equal_nan=True) for p, q in zip(exp_a, exp_b, strict=True))
    )


def test_second_call_is_served_from_disk_and_equal(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path))
    monkeypatch.delenv("LOSSDRILL_NO_CACHE", raising=False)
    calls = []

    def build():
        calls.append(1)
        return build_focal()

    first = case_cache.cases_and_expected("focal", 7, build)
    second = case_cache.cases_and_expected("focal", 7, build)
    assert len(calls) == 1
    assert list((tmp_path / "cache" / "cases").glob("focal-*.npz"))
    assert same(first, second)
    assert same(second, build_focal())


def test_a_damaged_or_foreign_cache_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path))
    monkeypatch.delenv("LOSSDRILL_NO_CACHE", raising=False)
    case_cache.cases_and_expected("focal", 7, build_focal)
    (target,) = (tmp_path / "cache" / "cases").glob("focal-*.npz")
    target.write_bytes(b"not an npz file")
    assert same(case_cache.cases_and_expected("focal", 7, build_focal), build_focal())


def test_the_key_changes_with_the_numpy_version(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path))
    before = case_cache._fingerprint()
    monkeypatch.setattr(np, "__version__", "0.0.0-other")
    assert case_cache._fingerprint() != before
