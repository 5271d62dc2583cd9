"""``lossdrill export anki``: a valid .apkg (zip + SQLite) with stable GUIDs and escaped fields."""

from __future__ import annotations

import sqlite3
import subprocess
import zipfile
from pathlib import Path

import genanki
from drive import lossdrill_command

BANK = str(Path(__file__).parent / "data" / "flashcards_bank")
ENV = {"LOSSDRILL_BUILTIN_BANKS": "0", "NO_COLOR": "1", "PATH": "/usr/bin:/bin"}


def export(out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(lossdrill_command() + ["export", "anki", str(out), "--bank", BANK, *extra],
                          env=ENV, capture_output=True, text=True, timeout=120)


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
    assert "Wrote 3 cards" in result.stdout
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
