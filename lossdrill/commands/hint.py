"""``lossdrill hint TASK``: the next hint of an implement task, remembered across sessions."""

from __future__ import annotations

from typing import Any

from lossdrill.commands.preamble import banks_with_warnings, implement_item, recorder_with_notice
from lossdrill.recording import Recorder
from lossdrill.ui.console import make_console


def next_hint(item: Any, recorder: Recorder) -> tuple[int, str, bool]:
    """(level, text, repeated): the next unseen hint, recorded; the last one again when all are seen."""
    hints = item.hints
    shown = recorder.hints_shown(item.id)
    if shown >= len(hints):
        return len(hints), hints[-1], True
    level = shown + 1
    recorder.record_hint(item.id, level)
    return level, hints[level - 1], False


def run(task: str, banks: list[str], home: str | None) -> int:
    from lossdrill.ui.implement_view import render_hint

    console = make_console()
    err = make_console(stderr=True)
    item = implement_item(banks_with_warnings(banks, err), task, err)
    if item is None:
        return 2
    item = _on_default_track(item, home)
    recorder = recorder_with_notice(home, err)
    try:
        level, text, repeated = next_hint(item, recorder)
        render_hint(console, item.id, level, len(item.hints), text, repeated=repeated)
    finally:
        recorder.close()
    return 0


def _on_default_track(item: Any, home: str | None) -> Any:
    """The item's texts on the learner's default track (`lossdrill config framework`)."""
    from lossdrill.checker.frameworks.choice import chosen

    framework = chosen(None, home)
    if framework == "numpy" or item.record is None:
        return item
    from lossdrill.checker.frameworks.content import track_item

    return track_item(item, framework, item.record.signature(item.function))
