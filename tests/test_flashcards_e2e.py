"""``lossdrill flashcards`` end to end: the installed command through pipes and a terminal."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
from pathlib import Path

import pytest
from drive import Session, lossdrill_command
from fsrs import Scheduler

from lossdrill.store import open_store

BANK = str(Path(__file__).parent / "data" / "flashcards_bank")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    store = open_store(home)
    store.set_scheduler_parameters(Scheduler(enable_fuzzing=False).to_dict())
    store.close()
    return home


# A new card's intervals with py-fsrs 6's default learning steps (1 min, 10 min), no fuzz:
# Again 1 min, Hard (1 + 10) / 2 = 5.5 min, Good 10 min, Easy its initial stability, 8 days.
RATING_LINE = "1 Again · 1m   2 Hard · 6m   3 Good · 10m   4 Easy · 8d"


def env(home: Path) -> dict[str, str]:
    return {"LOSSDRILL_HOME": str(home), "LOSSDRILL_BUILTIN_BANKS": "0", "NO_COLOR": "1"}


def reviews(home: Path) -> list[tuple]:
    conn = sqlite3.connect(home / "lossdrill.sqlite3")
    try:
        return conn.execute(
            "SELECT card_id, rating, state_before FROM reviews ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def test_a_scripted_session_rates_cards_and_shows_the_next_due_times(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK], env(home), tty=False)
    s.expect("0 due, 3 new")
    s.expect(r"MSE with the half")
    s.expect("Enter to reveal > ")
    s.send("")
    s.expect(r"½·mean")
    s.expect(RATING_LINE)
    s.send("3")
    s.expect(r"Good · next due in 10 min")
    s.expect(r"Focal loss")
    s.expect("Enter to reveal > ")
    s.send("what")  # an answer typed before revealing is kept, shown next to the back
    s.expect(r"you: what")
    s.expect(r"α where y = 1")
    s.expect(RATING_LINE)
    s.send("7")  # bad input: asked again
    s.expect(r"Rate with 1, 2, 3 or 4")
    s.send("4")
    s.expect(r"Easy · next due in 8 days")
    s.expect(r"Is 0 < p & p < 1 needed in <b>BCE</b>\?")  # shown as written, not as markup
    s.send("")
    s.send("1")
    s.expect(r"Again · next due in 1 min")
    s.close_input()
    assert s.finish() == 0
    assert "Session over: 3 cards (3 new)" in s.text
    assert "1 Again, 1 Good, 1 Easy" in s.text
    assert reviews(home) == [("tc-mse", 3, 0), ("tc-focal", 4, 0), ("tc-html", 1, 0)]


def test_the_daily_new_card_quota_holds_across_sessions(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK, "--new", "1"], env(home), tty=False)
    s.expect("Enter to reveal > ")
    s.send("")
    s.send("3")
    assert s.finish() == 0
    s = Session(["flashcards", "--bank", BANK, "--new", "1"], env(home), tty=False)
    assert s.finish() == 0
    assert "the day's limit (--new 1); 2 more wait" in " ".join(s.text.split())
    assert len(reviews(home)) == 1


def test_end_of_input_mid_card_saves_and_summarises(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK], env(home), tty=False)
    s.expect("Enter to reveal > ")
    s.send("")
    s.send("2")
    s.expect("Enter to reveal > ")
    s.close_input()
    assert s.finish() == 0
    assert "Session over: 1 card (1 new)" in s.text
    assert reviews(home) == [("tc-mse", 2, 0)]


def test_cram_leaves_the_schedule_alone(home: Path) -> None:
    s = Session(
        ["flashcards", "--bank", BANK, "--cram", "--topic", "classification"], env(home), tty=False
    )
    for _ in range(2):
        s.expect("Enter to reveal > ")
        s.send("")
        s.send("1")
    assert s.finish() == 0
    assert "Cram session: the schedule was not changed" in s.text
    # Logged as cram reviews (state before = after = new); the cards are still new.
    assert reviews(home) == [("tc-focal", 1, 0), ("tc-html", 1, 0)]
    conn = sqlite3.connect(home / "lossdrill.sqlite3")
    try:
        assert conn.execute("SELECT cram, state_after FROM reviews").fetchall() == [(1, 0), (1, 0)]
        assert conn.execute("SELECT count(*) FROM cards WHERE state != 0").fetchone() == (0,)
    finally:
        conn.close()
    s = Session(["flashcards", "--bank", BANK, "--new", "3"], env(home), tty=False)
    s.expect(r"Flashcards: 0 due, 3 new\.")  # crammed cards used none of the day's new cards
    s.close_input()
    s.finish()


def test_an_unknown_topic_is_a_clear_error(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK, "--topic", "astrology"], env(home), tty=False)
    assert s.finish() == 2
    assert "error: unknown topic 'astrology'" in s.text
    assert "Traceback" not in s.text


def test_in_a_terminal_ctrl_c_saves_and_summarises(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK], env(home), tty=True)
    s.expect("Enter to reveal > ")
    s.send("")
    s.expect("4 Easy · 8d > ")
    s.send_keys("g")  # one key, no Enter
    s.expect("next due in 10 min")
    s.expect("Enter to reveal > ")
    s.send("")
    s.expect("u undo > ")
    s.send_keys("x")
    s.expect("Rate with 1, 2, 3 or 4")
    s.interrupt()
    assert s.finish() == 130  # Ctrl-C: 130, as git gives
    assert "Session over: 1 card (1 new)" in s.text
    assert "Traceback" not in s.text
    assert reviews(home) == [("tc-mse", 3, 0)]


def test_a_session_killed_mid_card_loses_only_the_card_in_flight(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK], env(home), tty=False)
    s.expect("Enter to reveal > ")
    s.send("")
    s.send("3")
    s.expect("next due in 10 min")
    s.expect("Enter to reveal > ")
    s.send("")
    s.send("4")
    s.expect("next due in 8 days")
    s.expect("Enter to reveal > ")
    s.send("")
    s.expect("4 Easy · 8d   u undo > ")  # the third card is revealed, not yet rated
    os.kill(s.proc.pid, signal.SIGKILL)
    s.finish()
    assert reviews(home) == [("tc-mse", 3, 0), ("tc-focal", 4, 0)]
    store = open_store(home)
    assert store.notice is None
    assert store.card_schedule("tc-focal").state == 2
    assert store.card_schedule("tc-html").state == 0
    store.close()


def test_ctrl_c_the_moment_the_prompt_appears_ends_at_once_without_repeating_it(home: Path) -> None:
    # Ctrl-C arriving while the prompt is still being written used to print the prompt a
    # second time, or to be lost until the next Enter; try the moment several times.
    for _ in range(4):
        s = Session(["flashcards", "--bank", BANK], env(home), tty=True)
        s.expect("Enter to reveal > ")
        s.interrupt()
        assert s.finish(timeout=15) == 130  # Ctrl-C: 130, as git gives
        assert s.text.count("Enter to reveal >") == 1
        assert "Session over: no card was rated." in s.text
        assert "Traceback" not in s.text


def test_when_the_days_new_cards_are_used_up_it_says_so_and_how_to_get_more(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK, "--new", "1"], env(home), tty=False)
    s.expect("Enter to reveal > ")
    s.send("")
    s.send("4")  # Easy: due in 8 days
    assert s.finish() == 0
    s = Session(["flashcards", "--bank", BANK, "--new", "1"], env(home), tty=False)
    assert s.finish() == 0
    flat = " ".join(s.text.split())
    assert (
        "Nothing is due. The next card is due in 8 days. You started 1 new card today, the"
        " day's limit (--new 1); 2 more wait."
    ) in flat
    assert "lossdrill flashcards --new 11" in flat


def test_when_every_card_is_seen_and_none_is_due_it_offers_cram(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK], env(home), tty=False)
    for _ in range(3):
        s.expect("Enter to reveal > ")
        s.send("")
        s.send("4")
    assert s.finish() == 0
    s = Session(["flashcards", "--bank", BANK], env(home), tty=False)
    assert s.finish() == 0
    flat = " ".join(s.text.split())
    assert "Nothing is due and every card has been seen. The next card is due in 8 days." in flat
    assert "lossdrill flashcards --cram" in flat


def test_a_failed_focal_check_before_the_first_session_brings_the_focal_card_first(
    home: Path,
) -> None:
    from lossdrill.recording import ImplementAttempt

    store = open_store(home)  # no card is in the store yet: flashcards never ran
    store.record_implement_attempt(
        ImplementAttempt(
            "s", "focal", False, 0.2, (("random", 200, 180),), ("constant-alpha",), 0.0, 0, 6
        )
    )
    store.close()
    s = Session(["flashcards", "--bank", BANK], env(home), tty=False)
    s.expect(
        r"Flashcards: 0 due, 3 new\. 1 of them is brought forward by a recent wrong answer"
        r" or failed check\."
    )
    s.expect(r"#1 · classification · after a recent mistake")
    s.expect("Focal loss: what is α_t?")
    s.close_input()
    assert s.finish() == 0


def cards(home: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(home / "lossdrill.sqlite3")
    try:
        rows = conn.execute("SELECT card_id, state, due, reps, last_review FROM cards").fetchall()
    finally:
        conn.close()
    return {r[0]: r[1:] for r in rows}


def test_in_a_terminal_single_keys_rate_a_typed_answer_is_kept_and_u_undoes(home: Path) -> None:
    before = cards_after_sync(home)
    s = Session(["flashcards", "--bank", BANK], env(home), tty=True, cols=60)
    s.expect("MSE with the half")
    s.expect("Enter to reveal > ")
    s.send_keys(" ")  # space reveals at once
    s.expect(r"½·mean")
    s.expect(RATING_LINE + " > ")
    s.send_keys("4")  # Easy, no Enter
    s.expect("Easy · next due in 8 days")
    s.expect("Focal loss")
    s.expect("Enter to reveal > ")
    s.send_keys("alpha for positives")  # typed before revealing
    s.send_keys("\x7fs\r")  # backspace edits the line
    s.expect(r"you: alpha for positives")
    s.expect(r"α where y = 1")
    s.expect(r"1 Again·1m  2 Hard·6m  3 Good·10m  4 Easy·8d  u undo > ")  # one line at 60 columns
    assert reviews(home) == [("tc-mse", 4, 0)]
    assert cards(home)["tc-mse"][0] == 2  # review state
    s.send_keys("u")  # take back the Easy given to the MSE card
    s.expect(r"Undone: the last rating \(MSE with the half: formula\?\)\s+is\s+taken\s+back")
    s.expect(r"#1 · regression")
    s.expect("Enter to reveal > ")
    assert reviews(home) == []
    assert cards(home) == before  # the card's state is as it was, not only the log
    s.send("")
    s.expect(RATING_LINE + " > ")  # nothing left to undo
    s.send_keys("1")
    s.expect("Again · next due in 1 min")
    s.expect("Enter to reveal > ")
    s.send_keys("q\r")
    assert s.finish() == 0
    assert "Session over: 1 card (1 new)" in s.text and "1 Again." in s.text
    assert reviews(home) == [("tc-mse", 1, 0)]
    assert "Traceback" not in s.text


def cards_after_sync(home: Path) -> dict[str, tuple]:
    """The cards as a session finds them (synced from the bank, none reviewed)."""
    s = Session(["flashcards", "--bank", BANK], env(home), tty=False)
    s.expect("Enter to reveal > ")
    s.close_input()
    assert s.finish() == 0
    return cards(home)


def test_an_undo_in_a_script_and_a_line_answer_work_without_a_terminal(home: Path) -> None:
    s = Session(["flashcards", "--bank", BANK], env(home), tty=False)
    s.expect("Enter to reveal > ")
    s.send("")
    s.send("3")
    s.expect("Good · next due in 10 min")
    s.expect("Enter to reveal > ")
    s.send("u")  # undo at the next card's reveal prompt
    s.expect("Undone: the last rating")
    s.expect("MSE with the half")
    s.send("")
    s.send("2")
    s.expect("Hard · next due in 6 min")
    s.close_input()
    assert s.finish() == 0
    assert reviews(home) == [("tc-mse", 2, 0)]


def test_the_card_id_shows_only_with_the_back(tmp_path):
    """Many card ids name the answer (fc-softmax-shift-invariance): the front panel has no id,
    the back panel does."""
    env = {**os.environ, "LOSSDRILL_HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "100"}
    done = subprocess.run(
        [*lossdrill_command(), "flashcards", "--new", "1", "--topic", "stability"],
        input="\n3\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    front, _, back = done.stdout.partition("Enter to reveal >")
    ids = re.findall(r"─ (fc-[a-z0-9-]+) ─", back)
    assert ids, done.stdout
    assert ids[0] not in front
