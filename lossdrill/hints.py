"""Hints and the revealed solution of an implement task, remembered by the recorder.

Used by ``lossdrill hint``, ``lossdrill reveal`` and the ``h``/``r`` commands of watch mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lossdrill.bank.schema import ImplementItem
    from lossdrill.recording import Recorder


def next_hint(item: ImplementItem, recorder: Recorder) -> tuple[int, str, bool]:
    """(level, text, repeated): the next unseen hint, recorded; the last one again when all are seen."""
    hints = item.hints
    shown = recorder.hints_shown(item.id)
    if shown >= len(hints):
        return len(hints), hints[-1], True
    level = shown + 1
    recorder.record_hint(item.id, level)
    return level, hints[level - 1], False


def reveal(item: ImplementItem, recorder: Recorder) -> None:
    """Record that the solution was seen (as every hint used)."""
    if recorder.hints_shown(item.id) < len(item.hints):
        recorder.record_hint(item.id, len(item.hints))
