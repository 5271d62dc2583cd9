"""The mismatch message counts and locates differences with the case's own tolerance."""

from __future__ import annotations

import numpy as np

from lossdrill.checker.compare import check_value
from lossdrill.checker.result import Tolerance

TOL32 = Tolerance(rtol=1e-4, atol=1e-6)
TOL64 = Tolerance(rtol=1e-6, atol=1e-8)


def test_a_float32_value_within_its_tolerance_is_not_called_different():
    expected = np.array([0.5, 1.0, 2.0, 3.0])
    # relative noise of 2e-5 everywhere (inside float32's 1e-4), one real error at index 3
    got = expected * (1 + 2e-5)
    got[3] = 3.5
    verdict = check_value(got, expected, "elementwise", TOL32)
    assert verdict.kind == "mismatch"
    assert verdict.message == "1 of 4 values differ; at index 3: expected 3, got 3.5"


def test_the_same_noise_differs_under_the_float64_tolerance():
    expected = np.array([0.5, 1.0, 2.0, 3.0])
    got = expected * (1 + 2e-5)
    verdict = check_value(got, expected, "elementwise", TOL64)
    assert verdict.message.startswith("4 of 4 values differ; at index 0: expected 0.5, got 0.50001")


def test_the_exception_type_is_read_from_the_workers_message():
    from lossdrill.checker.compare import exception_type

    assert exception_type("ZeroDivisionError: division by zero (line 4)") == "ZeroDivisionError"
    assert exception_type("ValueError: a: b (line 2)") == "ValueError"
    assert exception_type("KeyboardInterrupt (line 7)") == "KeyboardInterrupt"
    assert exception_type("StopIteration") == "StopIteration"
    assert exception_type("called sys.exit(2)") == "called sys.exit(2)"


def test_two_exceptions_agree_by_type_not_by_detail():
    from types import SimpleNamespace

    from lossdrill.checker.compare import outcomes_agree

    def raised(message: str) -> SimpleNamespace:
        return SimpleNamespace(status="exception", message=message)

    same = outcomes_agree(
        raised("IndexError: index 3 is out of bounds (line 5)"),
        raised("IndexError: index 9 is out of bounds (line 2)"),
        TOL64,
    )
    other = outcomes_agree(
        raised("IndexError: index 3 is out of bounds (line 5)"),
        raised("ValueError: shapes differ (line 5)"),
        TOL64,
    )
    assert same and not other
