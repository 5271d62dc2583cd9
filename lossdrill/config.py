"""The learner's settings: a small JSON file, ``settings.json``, in the data folder.

``lossdrill config framework torch`` saves the default track of ``implement``; an
``--framework`` option overrides it. Reading never fails: a missing or damaged file means
the defaults.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from lossdrill.paths import data_home

SETTINGS = {"framework": ("numpy", "torch", "jax")}
"""Each setting and its allowed values (the first is the default)."""


def settings_path(home: str | None = None) -> Path:
    return data_home(home) / "settings.json"


def load_settings(home: str | None = None) -> dict[str, str]:
    """Every setting, saved or default."""
    out = {key: values[0] for key, values in SETTINGS.items()}
    try:
        saved = json.loads(settings_path(home).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return out
    if isinstance(saved, dict):
        for key, value in saved.items():
            if key in SETTINGS and value in SETTINGS[key]:
                out[key] = value
    return out


def save_setting(key: str, value: str, home: str | None = None) -> None:
    """Save one setting (atomically). Raises ValueError for an unknown key or value."""
    if key not in SETTINGS:
        raise ValueError(f"unknown setting {key!r}; settings: {', '.join(SETTINGS)}")
    if value not in SETTINGS[key]:
        raise ValueError(f"{key} must be one of {', '.join(SETTINGS[key])}; got {value!r}")
    path = settings_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    current = load_settings(home)
    current[key] = value
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)
