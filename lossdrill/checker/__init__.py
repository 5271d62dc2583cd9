"""The implement checker: run a learner's function in a sandbox and compare it with the reference.

``from lossdrill.checker import run_check`` is imported lazily, so importing
:mod:`lossdrill.checker.codes` stays free of NumPy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["run_check", "UnknownTask"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from lossdrill.checker import engine

        return getattr(engine, name)
    raise AttributeError(name)
