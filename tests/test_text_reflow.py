"""Bank prose reflowed at render time (ui/text.py), and as the installed command shows it."""

from __future__ import annotations

import re
import tempfile

from drive import Session

from lossdrill.ui.text import wrap

HARD_WRAPPED = """\
Write f(x): the first paragraph, hard-wrapped at a
narrow width by its author.

    y = a·x + b
    L = mean (y − t)²

- first item, whose text goes on
  on a continuation line.
- second item.
```
code   stays  as is
```"""


def test_paragraphs_are_joined_and_wrapped_at_spaces_with_formula_lines_kept():
    assert wrap(HARD_WRAPPED, 30) == [
        "Write f(x): the first",
        "paragraph, hard-wrapped at a",
        "narrow width by its author.",
        "",
        "    y = a·x + b",
        "    L = mean (y − t)²",
        "",
        "- first item, whose text goes",
        "  on on a continuation line.",
        "- second item.",
        "```",
        "code   stays  as is",
        "```",
    ]


def test_a_wide_terminal_gets_one_line_per_paragraph():
    lines = wrap(HARD_WRAPPED, 200)
    assert (
        lines[0] == "Write f(x): the first paragraph, hard-wrapped at a narrow width by its author."
    )
    assert lines[5] == "- first item, whose text goes on on a continuation line."


def test_words_are_never_cut_even_when_longer_than_the_width():
    lines = wrap("see torchvision.ops.sigmoid_focal_loss for details", 12)
    assert "torchvision.ops.sigmoid_focal_loss" in lines


def screen(task: str, cols: int) -> str:
    home = tempfile.mkdtemp()
    s = Session(
        ["implement", task, "--file", f"{home}/{task}.py"],
        {"LOSSDRILL_HOME": home, "NO_COLOR": "1"},
        tty=True,
        cols=cols,
    )
    s.expect(r"Save the file", timeout=60)
    s.send("q")
    s.finish()
    return s.text


def test_the_softmax_task_reads_as_paragraphs_at_60_and_100_columns():
    for cols in (60, 100):
        text = screen("softmax", cols)
        body = [line.strip("│ ") for line in text.splitlines() if line.startswith("│")]
        assert max(len(line) for line in text.splitlines()) <= cols
        assert "    softmax(x)_i = e^(x_i) / Σ_j e^(x_j)" in text  # the formula line as written
        # No ragged short line in the middle of a paragraph ("sums to" / "1."):
        assert not any(line in ("1.", "c) = softmax(x) for") for line in body)
        flat = " ".join(" ".join(body).split())
        assert "every slice along the last axis sums to 1." in flat
    wide = screen("focal", 100)
    assert re.search(
        r"│ Write focal_loss\(y_true, logits, alpha=0\.25, gamma=2\.0\): the binary focal loss of",
        wide,
    )
    # a list item's continuation hangs under its text:
    assert re.search(r"│ - Stability: .*\n│   \S", wide)
