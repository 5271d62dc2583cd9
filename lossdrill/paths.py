"""Where lossdrill keeps the learner's data."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HOME_ENV = "LOSSDRILL_HOME"


def data_home(override: str | Path | None = None) -> Path:
    """``--home``, else ``$LOSSDRILL_HOME``, else the platform's user data directory.

    Linux and other Unixes follow XDG (``$XDG_DATA_HOME/lossdrill``, default
    ``~/.local/share/lossdrill``); macOS uses ``~/Library/Application Support/lossdrill``;
    Windows ``%APPDATA%\\lossdrill``.
    """
    if override:
        return Path(override).expanduser()
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "lossdrill"
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", Path.home())) / "lossdrill"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "lossdrill"


def work_dir(override: str | Path | None = None) -> Path:
    """Folder where ``lossdrill implement`` writes starter files."""
    return data_home(override) / "work"


def cache_home() -> Path:
    """Disposable caches: under ``$LOSSDRILL_HOME`` when set, else ``$XDG_CACHE_HOME/lossdrill``."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser() / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "lossdrill"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lossdrill"
