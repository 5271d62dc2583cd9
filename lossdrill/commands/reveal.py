"""``lossdrill reveal TASK``: the debrief and the reference solution of an implement task.

Before the task is passed it asks for confirmation (``--yes`` skips it). Revealing counts
as having used every hint.
"""

from __future__ import annotations

from lossdrill.commands.preamble import recorder_with_notice, saved_track_item
from lossdrill.hints import reveal
from lossdrill.ui.console import AnswerSource, EndOfInput, make_console


def run(task: str, yes: bool, banks: list[str], home: str | None) -> int:
    from lossdrill.ui.implement_view import render_reveal

    console = make_console()
    err = make_console(stderr=True)
    item = saved_track_item(task, banks, home, err)
    if item is None:
        return 2
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
