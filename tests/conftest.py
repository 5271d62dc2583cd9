"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path
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


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache folder for the whole run (parsed banks, checker cases): disposable data that
    every test may share, kept out of the developer's real cache."""
    return tmp_path_factory.mktemp("lossdrill-cache")


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, shared_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test gets its own ``LOSSDRILL_HOME`` and XDG folders (as pipx's tests do), so
    no test reads or writes the developer's data, config or caches; subprocesses inherit
    them. The home's ``cache`` folder links to :func:`shared_cache` so caches stay warm."""
    root = tmp_path_factory.mktemp("isolated")
    home = root / "lossdrill-home"
    home.mkdir()
    (home / "cache").symlink_to(shared_cache, target_is_directory=True)
    monkeypatch.setenv("LOSSDRILL_HOME", str(home))
    for var, name in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
    ):
        (root / name).mkdir()
        monkeypatch.setenv(var, str(root / name))
    return home


REQUIRE_FRAMEWORKS_ENV = "LOSSDRILL_REQUIRE_FRAMEWORKS"


def framework_module(name: str) -> ModuleType:
    """Import ``torch`` or ``jax`` for a framework-track test (the extras of that name).

    Without it the test is skipped, or fails when ``LOSSDRILL_REQUIRE_FRAMEWORKS=1`` (CI).
    """
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as exc:
        message = (
            f"{name} not importable ({exc}); install the '{name}' extra (pip install '.[{name}]')"
        )
        if os.environ.get(REQUIRE_FRAMEWORKS_ENV) == "1":
            pytest.fail(f"{message}; {REQUIRE_FRAMEWORKS_ENV}=1 requires it", pytrace=False)
        pytest.skip(message)
        raise  # unreachable: skip raises


@pytest.fixture(params=["torch", "jax"])
def framework(request: pytest.FixtureRequest) -> str:
    """Each framework track in turn (skipped or failed as :func:`framework_module` says)."""
    framework_module(request.param)
    return request.param
