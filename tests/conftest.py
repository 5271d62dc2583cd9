"""Shared test fixtures."""

from __future__ import annotations

import os
from types import ModuleType

import pytest

REQUIRE_ORACLE_ENV = "LOSSDRILL_REQUIRE_ORACLE"


def oracle() -> ModuleType:
    """Import PyTorch, the independent oracle for the references (the ``oracle`` extra).

    Without torch the calling test is skipped, or fails when ``LOSSDRILL_REQUIRE_ORACLE=1``
    (CI sets it so that a missing oracle can never pass silently).
    """
    try:
        import torch
    except ImportError as exc:
        message = (
            f"PyTorch oracle not importable ({exc}); install the 'oracle' extra "
            "(pip install '.[oracle]')"
        )
        if os.environ.get(REQUIRE_ORACLE_ENV) == "1":
            pytest.fail(f"{message}; {REQUIRE_ORACLE_ENV}=1 requires it", pytrace=False)
        pytest.skip(message)
    return torch


@pytest.fixture
def torch() -> ModuleType:
    """The PyTorch module (see :func:`oracle`)."""
    return oracle()
