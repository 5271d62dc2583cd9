"""Where lossdrill keeps the learner's data and its disposable caches."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HOME_ENV = "LOSSDRILL_HOME"

NO_CACHE_ENV = "LOSSDRILL_NO_CACHE"
"""Set to any value to use no cache: bank files parsed and the checker's cases built afresh."""


def _user_home() -> Path | None:
    """The user's home folder when ``$HOME`` (or the password database) gives an absolute one."""
    home = os.environ.get("HOME", "")
    if os.path.isabs(home) and home != "/":
        return Path(home)
    try:
        import pwd

        entry = pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError, OSError):
        entry = ""
    if os.path.isabs(entry) and entry != "/":
        return Path(entry)
    return None


def _xdg(name: str, fallback: tuple[str, ...]) -> Path:
    """``$XDG_*`` when absolute (the XDG spec says relative values are ignored), else the default.

    With no usable home folder either (``HOME=""``), a folder under the system's temporary
    directory named for the user, rather than the root of the file system.
    """
    value = os.environ.get(name, "")
    if os.path.isabs(value):
        return Path(value)
    home = _user_home()
    if home is not None:
        return home.joinpath(*fallback)
    import tempfile

    return (
        Path(tempfile.gettempdir())
        / f"lossdrill-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    )


def data_home(override: str | Path | None = None) -> Path:
    """``--home``, else ``$LOSSDRILL_HOME``, else the platform's user data directory.

    Linux and other Unixes follow XDG (``$XDG_DATA_HOME/lossdrill``, default
    ``~/.local/share/lossdrill``; a relative ``$XDG_DATA_HOME`` is ignored, as the XDG spec
    says); macOS uses ``~/Library/Application Support/lossdrill``; Windows ``%APPDATA%\\lossdrill``.
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
    return _xdg("XDG_DATA_HOME", (".local", "share")) / "lossdrill"


def work_dir(override: str | Path | None = None) -> Path:
    """Folder where ``lossdrill implement`` writes starter files."""
    return data_home(override) / "work"


def cache_home(override: str | Path | None = None) -> Path:
    """Disposable caches: ``<home>/cache`` for ``--home`` or ``$LOSSDRILL_HOME``, else
    ``$XDG_CACHE_HOME/lossdrill``."""
    if override:
        return Path(override).expanduser() / "cache"
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser() / "cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "lossdrill"
    return _xdg("XDG_CACHE_HOME", (".cache",)) / "lossdrill"


def caches_enabled() -> bool:
    """False while ``$LOSSDRILL_NO_CACHE`` is set: every cache is neither read nor written."""
    return not os.environ.get(NO_CACHE_ENV)


def adopt_home_option(argv: list[str]) -> None:
    """Make ``--home DIR`` on the command line act exactly as ``LOSSDRILL_HOME=DIR``.

    Called by the CLI before any command runs, so the caches (case cache, bank parse cache)
    move with the data, and the checker's confinement keeps the worker out of that folder.
    """
    for i, arg in enumerate(argv[1:], start=1):
        if arg == "--":
            return
        value = None
        if arg == "--home" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--home="):
            value = arg.split("=", 1)[1]
        if value:
            os.environ[HOME_ENV] = str(Path(value).expanduser())
            return
