"""``lossdrill hint TASK``: the next hint of an implement task, remembered across sessions."""

from __future__ import annotations

from lossdrill.checker.frameworks.content import default_track_item
from lossdrill.commands.preamble import banks_with_warnings, implement_item, recorder_with_notice
from lossdrill.hints import next_hint
from lossdrill.ui.console import make_console


def run(task: str, banks: list[str], home: str | None) -> int:
    from lossdrill.ui.implement_view import render_hint

    console = make_console()
    err = make_console(stderr=True)
    item = implement_item(banks_with_warnings(banks, err), task, err)
    if item is None:
        return 2
    item = default_track_item(item, home)
    recorder = recorder_with_notice(home, err)
    try:
        level, text, repeated = next_hint(item, recorder)
        render_hint(console, item.id, level, len(item.hints), text, repeated=repeated)
    finally:
        recorder.close()
    return 0
