"""Bank prose at any width: hard-wrapped paragraphs are joined again and wrapped to the
terminal when shown, with a hanging indent for list items; formula and code lines stay
as they are written.

A bank's text is written hard-wrapped at about 76 columns. Rules, per line:

* a blank line ends a paragraph; a fenced block (```` ``` ````) is kept verbatim;
* a line that starts a list item (``- ``, ``* ``, ``• ``, ``1. ``) starts a new paragraph
  whose continuation lines hang under the item's text;
* a line indented more than its paragraph (and not a list item's continuation), or an
  indented line that starts no paragraph, is a formula or code line: kept verbatim;
* any other line continues the paragraph it follows.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text

_ITEM = re.compile(r"^(\s*)([-*•]|\d+[.)])\s+")


@dataclass(frozen=True)
class Block:
    """One logical line: a paragraph or list item (``verbatim`` False) or a kept line."""

    text: str
    indent: int = 0
    """Columns before the first line's text (a list item's marker included in ``text``)."""
    hang: int = 0
    """Columns before every following line's text."""
    verbatim: bool = False


def reflow(text: str) -> list[Block]:
    """The logical lines of ``text``; a blank line is ``Block("")``."""
    blocks: list[Block] = []
    fenced = False
    current: Block | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(current)
            current = None

    for raw in text.strip("\n").splitlines():
        line = raw.rstrip()
        lead = len(line) - len(line.lstrip())
        if line.lstrip().startswith("```"):
            close()
            fenced = not fenced
            blocks.append(Block(line, verbatim=True))
            continue
        if fenced:
            blocks.append(Block(line, verbatim=True))
            continue
        if not line:
            close()
            blocks.append(Block(""))
            continue
        item = _ITEM.match(line)
        if item:
            close()
            current = Block(line.strip(), lead, item.end(), False)
            continue
        if current is not None and lead <= current.hang and (lead >= current.indent or lead == 0):
            current = Block(f"{current.text} {line.strip()}", current.indent, current.hang)
            continue
        if current is not None and lead > current.hang:  # a formula or code line
            close()
            blocks.append(Block(line, verbatim=True))
            continue
        close()
        if lead > 0:  # an indented line that starts no paragraph: a formula or code line
            blocks.append(Block(line, verbatim=True))
            continue
        current = Block(line.strip(), lead, lead)
    close()
    return blocks


def wrap(text: str, width: int) -> list[str]:
    """``text`` reflowed and wrapped to ``width`` columns, at spaces only."""
    lines: list[str] = []
    for block in reflow(text):
        if block.verbatim or not block.text:
            lines.append(block.text)
            continue
        lines.extend(
            textwrap.wrap(
                block.text,
                max(10, width),
                initial_indent=" " * block.indent,
                subsequent_indent=" " * block.hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
            or [""]
        )
    return lines


class Prose:
    """A rich renderable: bank text reflowed to the width it is given."""

    def __init__(self, text: str, style: str = "") -> None:
        self.text = text
        self.style = style

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in wrap(self.text, options.max_width):
            yield Text(line, style=self.style, overflow="fold", no_wrap=False)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        longest = max((len(b.text) + b.indent for b in reflow(self.text)), default=0)
        return Measurement(min(20, longest), min(longest, options.max_width))
