"""The progress store: :func:`open_store` opens (or creates) it; see :mod:`lossdrill.store.db`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from lossdrill.paths import data_home
from lossdrill.store.db import (
    FILENAME,
    CardSchedule,
    DamagedStore,
    Review,
    Store,
    damaged_notice,
    is_damage,
    move_aside,
)
from lossdrill.store.migrations import NewerSchemaError

__all__ = [
    "FILENAME",
    "CardSchedule",
    "DamagedStore",
    "Review",
    "Store",
    "open_store",
    "store_path",
]

_NOT_SAVED = "progress is not being saved this time"


def store_path(home: str | Path | None = None) -> Path:
    return data_home(home) / FILENAME


def open_store(home: str | Path | None = None) -> Store:
    """The store in ``data_home(home)``, created on first use.

    A damaged or unreadable file is moved aside to ``lossdrill.sqlite3.corrupt-<time>``
    and a fresh store is started; :attr:`Store.notice` then says where the old file is.
    When no file can be used at all (a folder that cannot be written, a store from a newer
    lossdrill, a store locked for too long), an in-memory store is returned with a notice,
    so a drill still runs.
    """
    path = store_path(home)
    if path.parent.exists() and not path.parent.is_dir():
        return Store(
            ":memory:",
            notice=(
                f"the data folder {path.parent} is a file, not a folder (set LOSSDRILL_HOME or"
                f" --home to a folder); {_NOT_SAVED}"
            ),
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return Store(
            ":memory:",
            notice=f"cannot create the data folder {path.parent} ({reason}); {_NOT_SAVED}",
        )
    try:
        return Store(path)
    except NewerSchemaError as exc:
        return Store(":memory:", notice=f"{path}: {exc}; {_NOT_SAVED}")
    except sqlite3.Error as exc:
        if not is_damage(exc):
            return Store(":memory:", notice=f"cannot open {path} ({exc}); {_NOT_SAVED}")
        damage = exc
    try:
        aside = move_aside(path)
    except OSError as exc:
        return Store(
            ":memory:",
            notice=f"{path} is damaged ({damage}) and cannot be moved ({exc}); {_NOT_SAVED}",
        )
    try:
        store = Store(path)
    except sqlite3.Error as exc:
        return Store(":memory:", notice=f"cannot create {path} ({exc}); {_NOT_SAVED}")
    store.notice = damaged_notice(path, damage, aside)
    return store
