"""``lossdrill config [KEY [VALUE]]``: show or save the learner's settings."""

from __future__ import annotations

import sys


def run(key: str | None, value: str | None, home: str | None) -> int:
    from lossdrill.config import SETTINGS, load_settings, save_setting, settings_path

    if key is None:
        for name, current in load_settings(home).items():
            print(f"{name} = {current}")
        return 0
    if key not in SETTINGS:
        sys.stderr.write(f"error: unknown setting {key!r}; settings: {', '.join(SETTINGS)}\n")
        return 2
    if value is None:
        print(load_settings(home)[key])
        return 0
    if key == "framework":
        from lossdrill.checker.frameworks import installed, missing_message

        if value in SETTINGS[key] and not installed(value):
            sys.stderr.write(f"error: {missing_message(value)}\n")
            return 2
    try:
        save_setting(key, value, home)
    except ValueError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except OSError as exc:
        sys.stderr.write(f"error: cannot save {settings_path(home)}: {exc}\n")
        return 2
    print(f"{key} = {value} (saved in {settings_path(home)})")
    return 0
