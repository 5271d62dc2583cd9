"""Store faults against the installed command: damage found after opening, a damaged WAL, a
read-only store, a store locked for longer than the busy timeout. Every one is announced and
nothing is recorded against rows that are gone or lost without a word."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import time

import pytest
from hardening import MSE_OK, Place


@pytest.fixture
def place(tmp_path):
    return Place(tmp_path)


def _db(place: Place):
    return place.home / "lossdrill.sqlite3"


def _quiz(place: Place, seed: int, n: int = 3, **kwargs):
    return place.run("quiz", "-n", str(n), "--seed", str(seed), stdin="1\n" * 40, **kwargs)


def _counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return {
            t: conn.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("sessions", "quiz_answers", "hints")
        }
    finally:
        conn.close()


def _damage_table(path, table: str) -> None:
    conn = sqlite3.connect(path)
    (root,) = conn.execute("select rootpage from sqlite_master where name=?", (table,)).fetchone()
    (size,) = conn.execute("pragma page_size").fetchone()
    conn.execute("pragma wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * size : root * size] = bytes((i * 37) % 251 for i in range(size))
    path.write_bytes(bytes(data))


def test_r4_damage_found_mid_session_is_announced_and_nothing_is_orphaned(place):
    assert _quiz(place, 1, 10).returncode == 0
    assert _quiz(place, 2, 10).returncode == 0
    _damage_table(_db(place), "quiz_answers")
    proc = _quiz(place, 9)
    assert proc.returncode == 0 and "internal error" not in proc.stderr
    moved = [
        p
        for p in place.home.iterdir()
        if ".corrupt-" in p.name and not p.name.endswith(("-wal", "-shm"))
    ]
    assert len(moved) == 1
    assert str(moved[0]) in " ".join(proc.stderr.split()).replace(" ", "") or moved[
        0
    ].name in proc.stderr.replace("\n", "")
    counts = _counts(_db(place))
    assert counts["quiz_answers"] >= 1
    conn = sqlite3.connect(_db(place))
    orphans = conn.execute(
        "select count(*) from quiz_answers where session_id not in (select id from sessions)"
    ).fetchone()[0]
    conn.close()
    assert orphans == 0


def test_r4_damage_found_by_a_check_is_announced(place):
    path = place.write("ok.py", MSE_OK)
    for _ in range(2):
        place.run("implement", "mse", "--file", str(path), "--check", "--json")
    _damage_table(_db(place), "implement_attempts")
    proc = place.run("implement", "mse", "--file", str(path), "--check", "--json")
    assert json.loads(proc.stdout)["passed"] is True
    assert ".corrupt-" in proc.stderr


def _hints_in_wal(place: Place) -> None:
    assert _quiz(place, 1, 1).returncode == 0
    script = (
        "import sqlite3,os,time; c=sqlite3.connect(os.environ['P'],isolation_level=None);"
        " c.execute('PRAGMA wal_autocheckpoint=0');"
        " [c.execute(\"insert into hints(task,level,at) values('mse',1,?)\",(time.time(),)) for _ in range(5)];"
        " os._exit(0)"
    )
    subprocess.run(["python3", "-c", script], env={**os.environ, "P": str(_db(place))}, check=True)


@pytest.mark.parametrize("where", ["header", "frame"])
def test_r28_a_damaged_wal_is_kept_and_announced(place, where):
    _hints_in_wal(place)
    wal = place.home / "lossdrill.sqlite3-wal"
    assert wal.stat().st_size > 32
    original = wal.read_bytes()
    data = bytearray(original)
    offset = 0 if where == "header" else 32 + 24 + 100
    data[offset : offset + 32] = os.urandom(32)
    wal.write_bytes(bytes(data))
    proc = place.run("progress", "--json")
    assert proc.returncode == 0 and "internal error" not in proc.stderr
    assert "journal" in proc.stderr and "damaged" in proc.stderr
    copies = list(place.home.glob("lossdrill.sqlite3-wal.damaged-*"))
    assert len(copies) == 1 and copies[0].read_bytes() == bytes(data)


def test_r28_a_sound_wal_is_not_reported(place):
    _hints_in_wal(place)
    proc = place.run("progress", "--json")
    assert "journal" not in proc.stderr
    mse = [t for t in json.loads(proc.stdout)["tasks"] if t["task"] == "mse"]
    assert mse and mse[0]["hints"] == 1  # max level of the five hints


SETPRIV = shutil.which("setpriv")


def _unprivileged(place: Place, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    from drive import lossdrill_command

    prefix = (
        [SETPRIV, "--bounding-set=-all", "--inh-caps=-all", "--ambient-caps=-all", "--"]
        if os.getuid() == 0
        else []
    )
    return subprocess.run(
        [*prefix, *lossdrill_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=place.work,
        env=place.env(),
    )


@pytest.mark.skipif(
    os.getuid() == 0 and not SETPRIV, reason="root without setpriv cannot make a file read-only"
)
def test_r6_a_read_only_store_keeps_the_answers_for_the_session_and_says_so(place):
    assert _quiz(place, 1, 2).returncode == 0
    before = _counts(_db(place))
    _db(place).chmod(0o444)
    try:
        proc = _unprivileged(place, "quiz", "-n", "2", "--seed", "3", stdin="1\n" * 20)
        assert proc.returncode == 0, proc.stderr
        assert "internal error" not in proc.stderr
        assert "read-only" in proc.stderr and "could not be written" in proc.stderr
        path = place.write("ok.py", MSE_OK)
        check = _unprivileged(place, "implement", "mse", "--file", str(path), "--check", "--json")
        assert json.loads(check.stdout)["passed"] is True and "read-only" in check.stderr
    finally:
        _db(place).chmod(0o644)
    assert _counts(_db(place)) == before


def test_r7_a_store_locked_past_the_busy_timeout_keeps_the_answers_and_writes_them_later(place):
    assert _quiz(place, 1, 1).returncode == 0
    before = _counts(_db(place))
    hold = (
        "import sqlite3,time,os; c=sqlite3.connect(os.environ['P'],isolation_level=None);"
        " c.execute('BEGIN EXCLUSIVE'); c.execute(\"insert into hints(task,level,at) values('x',1,0)\");"
        " print('held', flush=True); time.sleep(float(os.environ['S'])); c.execute('ROLLBACK')"
    )
    holder = subprocess.Popen(
        ["python3", "-c", hold],
        env={**os.environ, "P": str(_db(place)), "S": "17"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        proc = _quiz(place, 7, 3, timeout=90)
        assert proc.returncode == 0 and "internal error" not in proc.stderr
        assert "kept in memory" in proc.stderr
        waited = time.monotonic() - started
    finally:
        holder.wait(timeout=60)
    after = _counts(_db(place))
    if waited > 17:  # the lock was gone by the end of the session: the answers were written
        assert "written" in proc.stderr
        assert after["quiz_answers"] == before["quiz_answers"] + 3
        assert after["sessions"] == before["sessions"] + 1
    else:
        assert "could not be written" in proc.stderr
