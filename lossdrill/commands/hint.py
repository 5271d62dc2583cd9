"""``lossdrill hint TASK``: the next hint of an implement task, remembered across sessions."""

from __future__ import annotations

from lossdrill.commands.preamble import recorder_with_notice, saved_track_item
from lossdrill.hints import next_hint
from lossdrill.ui.console import make_console


def run(task: str, banks: list[str], home: str | None) -> int:
    from lossdrill.ui.implement_view import render_hint

    console = make_console()
    err = make_console(stderr=True)
    item = saved_track_item(task, banks, home, err)
    if item is None:
        return 2
    recorder = recorder_with_notice(home, err)
    try:
        level, text, repeated = next_hint(item, recorder)
        render_hint(console, item.id, level, len(item.hints), text, repeated=repeated)
    finally:
        recorder.close()
    return 0
