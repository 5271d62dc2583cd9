"""``lossdrill export anki``: a valid .apkg (zip + SQLite) with stable GUIDs and escaped fields."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import genanki
from drive import lossdrill_command

BANK = str(Path(__file__).parent / "data" / "flashcards_bank")
ENV = {"LOSSDRILL_BUILTIN_BANKS": "0", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}


def bare_env() -> dict[str, str]:
    """A bare environment, but with the test's own home and caches (tests/conftest.py)."""
    isolation = {
        k: os.environ[k]
        for k in ("LOSSDRILL_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
        if k in os.environ
    }
    return {**ENV, **isolation}


def export(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        lossdrill_command() + ["export", "anki", str(out), "--bank", BANK, *extra],
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


def notes(apkg: Path, tmp: Path) -> dict[str, list[str]]:
    """GUID -> fields of every note, read back from the package's SQLite collection."""
    with zipfile.ZipFile(apkg) as z:
        assert "collection.anki2" in z.namelist()
        z.extract("collection.anki2", tmp)
    conn = sqlite3.connect(tmp / "collection.anki2")
    try:
        rows = conn.execute("SELECT guid, flds FROM notes").fetchall()
        (cards,) = conn.execute("SELECT count(*) FROM cards").fetchone()
    finally:
        conn.close()
    assert cards == len(rows)
    return {guid: flds.split("\x1f") for guid, flds in rows}


def test_the_deck_holds_every_card_with_guids_from_card_ids(tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    result = export(out)
    assert result.returncode == 0, result.stderr
    assert f"Wrote {out}: 3 cards" in result.stdout
    got = notes(out, tmp_path)
    assert set(got) == {genanki.guid_for(i) for i in ("tc-mse", "tc-focal", "tc-html")}
    front, back, topic, card_id = got[genanki.guid_for("tc-html")]
    assert front == "Is 0 &lt; p &amp; p &lt; 1 needed in &lt;b&gt;BCE&lt;/b&gt;?"
    assert back == "Yes: log(0) = -inf. Use logits &amp; log-sum-exp."
    assert (topic, card_id) == ("classification", "tc-html")


def test_a_second_export_keeps_the_same_guids(tmp_path: Path) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert export(first).returncode == 0
    assert export(second).returncode == 0
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    assert set(notes(first, tmp_path / "x")) == set(notes(second, tmp_path / "y"))


def test_a_topic_filter_exports_only_that_topic(tmp_path: Path) -> None:
    out = tmp_path / "c.apkg"
    assert export(out, "--topic", "regression").returncode == 0
    assert set(notes(out, tmp_path)) == {genanki.guid_for("tc-mse")}


def test_bad_output_paths_are_clear_errors(tmp_path: Path) -> None:
    result = export(tmp_path / "missing" / "deck.apkg")
    assert result.returncode == 2
    assert "No folder" in result.stderr and "Traceback" not in result.stderr
    result = export(tmp_path / "deck.txt")
    assert result.returncode == 2 and "must end in .apkg" in result.stderr


MULTILINE_CARD = """\
bank: multiline
items:
  - id: ml-card
    version: 1
    kind: flashcard
    topic: regression
    tags: [mse]
    difficulty: 1
    source: "test"
    front: "Write MSE & its gradient"
    back: |
      L = mean((p - y)^2)
      dL/dp = 2(p - y) / n
        (n < 1 is impossible)
"""


def test_newlines_in_a_card_become_line_breaks_after_escaping(tmp_path: Path) -> None:
    bank = tmp_path / "bank"
    bank.mkdir()
    (bank / "cards.yaml").write_text(MULTILINE_CARD, encoding="utf-8")
    out = tmp_path / "ml.apkg"
    result = subprocess.run(
        lossdrill_command() + ["export", "anki", str(out), "--bank", str(bank)],
        env=bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    fields = notes(out, tmp_path)[genanki.guid_for("ml-card")]
    assert fields[0] == "Write MSE &amp; its gradient"
    # Escaped first, then each line break is a <br> (the tags are not escaped away), and
    # an indented line keeps its indentation.
    assert fields[1] == (
        "L = mean((p - y)^2)<br>dL/dp = 2(p - y) / n<br>&nbsp;&nbsp;(n &lt; 1 is impossible)"
    )


def test_exporting_again_to_the_same_file_replaces_it_with_the_same_notes(tmp_path: Path) -> None:
    out = tmp_path / "deck.apkg"
    first = export(out)
    assert first.returncode == 0 and first.stdout.startswith("Wrote ")
    (tmp_path / "x").mkdir()
    before = notes(out, tmp_path / "x")
    again = export(out)
    assert again.returncode == 0 and again.stdout.startswith("Replaced ")
    (tmp_path / "y").mkdir()
    assert notes(out, tmp_path / "y") == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_a_folder_or_a_file_for_a_folder_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    result = export(tmp_path)
    assert result.returncode == 2
    assert f"{tmp_path} is a folder" in result.stderr
    assert "lossdrill.apkg" in result.stderr
    blocker = tmp_path / "notes.txt"
    blocker.write_text("x")
    result = export(blocker / "deck.apkg")
    assert result.returncode == 2 and "is a file, not a folder" in result.stderr
    result = export(tmp_path / "deck")
    assert result.returncode == 2 and "deck.apkg" in result.stderr
    assert export(tmp_path / "DECK.APKG").returncode == 0


def test_an_unwritable_location_is_a_clear_error(tmp_path: Path) -> None:
    # /proc accepts no new files, whoever runs the test (root included).
    result = export(Path("/proc") / "deck.apkg")
    assert result.returncode == 1
    assert "Cannot write /proc/deck.apkg" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
