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
    assert list((tmp_path / "cache" / "cases").glob("focal-*.cases"))
    assert same(first, second)
    assert same(second, build_focal())


def test_a_damaged_or_foreign_cache_file_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path))
    monkeypatch.delenv("LOSSDRILL_NO_CACHE", raising=False)
    case_cache.cases_and_expected("focal", 7, build_focal)
    (target,) = (tmp_path / "cache" / "cases").glob("focal-*.cases")
    target.write_bytes(b"not a case cache file")
    assert same(case_cache.cases_and_expected("focal", 7, build_focal), build_focal())


def test_the_key_changes_with_the_numpy_version(tmp_path, monkeypatch):
    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path))
    before = case_cache._fingerprint()
    monkeypatch.setattr(np, "__version__", "0.0.0-other")
    assert case_cache._fingerprint() != before


def test_the_file_holds_every_dtype_and_shape_a_case_has(tmp_path, monkeypatch):
    """Written and read back: float32 and float64, int64 labels, bools, 0-d, empty and
    2-d arrays, NumPy scalars, nan and inf, nested lists and dicts; the arrays come back
    writable and equal bit for bit."""
    from lossdrill.checker.cases import Case

    monkeypatch.setenv("LOSSDRILL_HOME", str(tmp_path))
    monkeypatch.delenv("LOSSDRILL_NO_CACHE", raising=False)
    args = (
        np.array([1.5, np.nan, -np.inf], dtype=np.float32),
        np.arange(6, dtype=np.int64).reshape(2, 3),
        np.zeros((0, 4)),
        np.array(True),
        np.float64(2.5),
        [np.array([1, 0], dtype=np.uint8), {"k": 3}],
    )
    built = ([Case("edge", "all kinds", args, {"alpha": 0.25, "n": 3}, ("ties",))], [np.array(7.0)])
    case_cache.cases_and_expected("mixed", 1, lambda: built)
    (cases, expected) = case_cache.cases_and_expected("mixed", 1, lambda: 1 / 0)
    (case,) = cases
    assert case.kwargs == {"alpha": 0.25, "n": 3} and case.rules == ("ties",)
    for got, want in zip(case.args[:4], args[:4], strict=True):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert got.tobytes() == want.tobytes()
        assert got.flags.writeable
    assert case.args[4] == 2.5 and isinstance(case.args[4], np.float64)
    assert case.args[5][0].tolist() == [1, 0] and case.args[5][1] == {"k": 3}
    assert float(expected[0]) == 7.0
