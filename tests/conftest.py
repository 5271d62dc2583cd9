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


REQUIRE_FRAMEWORKS_ENV = "LOSSDRILL_REQUIRE_FRAMEWORKS"


def framework_module(name: str) -> ModuleType:
    """Import ``torch`` or ``jax`` for a framework-track test (the extras of that name).

    Without it the test is skipped, or fails when ``LOSSDRILL_REQUIRE_FRAMEWORKS=1`` (CI).
    """
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = f"{name} not importable ({exc}); install the '{name}' extra (pip install '.[{name}]')"
        if os.environ.get(REQUIRE_FRAMEWORKS_ENV) == "1":
            pytest.fail(f"{message}; {REQUIRE_FRAMEWORKS_ENV}=1 requires it", pytrace=False)
        pytest.skip(message)
        raise  # unreachable: skip raises


@pytest.fixture(params=["torch", "jax"])
def framework(request: pytest.FixtureRequest) -> str:
    """Each framework track in turn (skipped or failed as :func:`framework_module` says)."""
    framework_module(request.param)
    return request.param
