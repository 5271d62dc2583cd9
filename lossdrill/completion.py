"""Shell-completion callbacks (Typer's own mechanism: ``lossdrill --install-completion``).

They run only while the shell asks for completions, never for ``--help`` or a command, so
what they import is imported here, inside each function. Each must answer fast and never
fail: any error completes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def _matching(names: Iterable[str], incomplete: str) -> list[str]:
    return sorted({n for n in names if n.startswith(incomplete)})


def _safe(source: Callable[[], Iterable[str]]) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        try:
            return _matching(source(), incomplete)
        except Exception:  # a broken bank must not break the user's shell
            return []

    return complete


def _bank():
    from lossdrill.bank.loader import load_banks

    return load_banks()


def _task_ids() -> list[str]:
    return [t.id for t in _bank().tasks()]


def _topics() -> list[str]:
    return [i.topic for i in _bank().items]


def _kinds() -> tuple[str, ...]:
    from lossdrill.bank.schema import KINDS

    return KINDS


def _quiz_kinds() -> tuple[str, ...]:
    from lossdrill.bank.schema import QUIZ_KINDS

    return QUIZ_KINDS


def _losses() -> list[str]:
    # Every implement task can be plotted (plotting.slices has one slice per task); the bank
    # answers without importing NumPy, which the plotting modules need.
    return _task_ids()


def _bug_hunts() -> list[str]:
    return [h.id for h in _bank().bug_hunts()]


task_ids = _safe(_task_ids)
topics = _safe(_topics)
kinds = _safe(_kinds)
quiz_kinds = _safe(_quiz_kinds)
losses = _safe(_losses)
bug_hunts = _safe(_bug_hunts)
