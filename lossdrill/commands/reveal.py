"""``lossdrill reveal TASK``: the debrief and the reference solution of an implement task.

Before the task is passed it asks for confirmation (``--yes`` skips it). Revealing counts
as having used every hint.
"""

from __future__ import annotations

from typing import Any

from lossdrill.commands.preamble import banks_with_warnings, implement_item, recorder_with_notice
from lossdrill.recording import Recorder
from lossdrill.ui.console import AnswerSource, EndOfInput, make_console


def reveal(item: Any, recorder: Recorder) -> None:
    """Record that the solution was seen (as every hint used)."""
    if recorder.hints_shown(item.id) < len(item.hints):
        recorder.record_hint(item.id, len(item.hints))


def run(task: str, yes: bool, banks: list[str], home: str | None) -> int:
    from lossdrill.ui.implement_view import render_reveal

    console = make_console()
    err = make_console(stderr=True)
    item = implement_item(banks_with_warnings(banks, err), task, err)
    if item is None:
        return 2
    item = _on_default_track(item, home)
    recorder = recorder_with_notice(home, err)
    try:
        if not yes and not recorder.has_passed(task):
            console.print(f"You have not passed {task} yet. Reveal the solution anyway? \\[y/N]")
            try:
                answer = AnswerSource(console).ask("reveal? ")
            except EndOfInput:
                answer = ""
            if answer.lower() not in ("y", "yes"):
                console.print("Not revealed. Keep going — `lossdrill hint " + task + "` helps.")
                return 1
        reveal(item, recorder)
        render_reveal(console, item)
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
