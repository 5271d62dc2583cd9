"""Implement drills: what ``lossdrill implement`` and the interview's implement step share.

:func:`starter` is the file a learner starts from, :func:`record_attempt` turns a check
into the recorder's :class:`~lossdrill.recording.ImplementAttempt`, :func:`read_source`
reads a submission. The watch loop is :mod:`lossdrill.implement.watch`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lossdrill.recording import ImplementAttempt, Recorder

TARGET_MINUTES = 10
"""The lecture's target for implementing a loss from scratch."""
TARGET_LINES = (5, 8)
"""The lecture's target length of a solution, in lines."""

if TYPE_CHECKING:
    from lossdrill.bank.schema import ImplementItem
    from lossdrill.checker.result import CheckResult
    from lossdrill.checker.tasks import TaskSpec


def digest(text: str) -> str:
    """The SHA-256 of a submission's text: an unchanged file is not checked or recorded twice."""
    import hashlib  # here: ``progress`` imports this package for its targets, not for this

    return hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()


def starter(spec: TaskSpec, item: ImplementItem | None, framework: str = "numpy") -> str:
    """The item's starter (on a framework track: the track's item, see
    :func:`lossdrill.checker.frameworks.content.track_item`), or a bare signature under the
    framework's import that raises NotImplementedError; ends in a newline."""
    from lossdrill.checker.frameworks.content import starter as bare

    text = (
        item.starter
        if item is not None and item.starter.strip()
        else bare(spec.signature(), framework)
    )
    return text if text.endswith("\n") else text + "\n"


def record_attempt(
    recorder: Recorder,
    session: str,
    task: str,
    result: CheckResult,
    elapsed: float,
    lines: int,
    hints_used: int,
    *,
    kind: str = "timed",
    watch_id: str = "",
    digest: str = "",
) -> None:
    """Record one check of a submission (``kind``, ``watch_id``: see
    :class:`~lossdrill.recording.ImplementAttempt`)."""
    recorder.record_implement_attempt(
        ImplementAttempt(
            session_id=session,
            task=task,
            passed=result.passed,
            score=result.score,
            groups=tuple((g.name, g.total, g.failed) for g in result.groups),
            diagnoses=result.codes,
            elapsed_s=elapsed,
            hints_used=hints_used,
            lines=lines,
            kind=kind,
            watch_id=watch_id,
            digest=digest,
            framework=result.framework,
        )
    )


def read_source(path: Path) -> str:
    """The file's text ('' when it cannot be read), read with the checker's bounds (a FIFO,
    an endless device or a huge file is not read; a BOM is dropped); undecodable bytes
    become U+FFFD."""
    from lossdrill.checker.source import SourceError, read_submission

    try:
        return read_submission(path)
    except (OSError, SourceError):
        return ""
