"""``lossdrill doctor``: the checker's protections on this machine, versions, folders, problems.

:func:`facts` gathers everything as data (a real worker is started to learn what
confinement it got); :func:`run` prints it as a report or as JSON. Exit 0 when no problem
was found, 1 otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

_LIBRARIES = ("typer", "rich", "numpy", "yaml", "fsrs", "genanki", "plotext")
_EXTRAS = {"torch": "oracle", "jax": "oracle"}


def _version(name: str) -> str | None:
    if importlib.util.find_spec(name) is None:
        return None
    from importlib import metadata

    dist = {"yaml": "PyYAML"}.get(name, name)
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        module = __import__(name)
        return str(getattr(module, "__version__", "?"))


def _protections() -> tuple[dict[str, Any], list[str]]:
    """What a real worker reports in force, and the trainer's own measures."""
    from lossdrill.checker import confine, reaper
    from lossdrill.checker.sandbox import Sandbox, SandboxError

    notes: list[str] = []
    state: dict[str, Any] = {
        "landlock_abi": confine.abi_version(),
        "landlock_disabled": bool(os.environ.get(confine.NO_LANDLOCK_ENV)),
    }
    try:
        with Sandbox() as box:
            box.load("doctor", "def probe():\n    return 0.0\n", "probe")
            worker = box.confinement
            state["subreaper"] = reaper.is_subreaper()
    except SandboxError as exc:
        return {**state, "worker": f"cannot start: {exc}"}, [
            f"the checker's worker cannot start: {exc}"
        ]
    state.update(
        filesystem=bool(worker.get("filesystem")),
        signals=bool(worker.get("signals")),
        network=bool(worker.get("network")),
        lossdrill_imports_refused=bool(worker.get("imports")),
        limits="memory 1024 MB, CPU 60 s per request, 2 s per call, files 64 MB",
    )
    if worker.get("reason"):
        notes.append(f"Landlock: {worker['reason']}")
    if not state["filesystem"]:
        notes.append(
            "the worker can read and write the user's files (no Landlock file rules):"
            " a submission could read the caches or the store"
        )
    if not state["signals"]:
        notes.append(
            "the worker can signal the trainer (no Landlock signal scoping, Linux 6.12+):"
            " SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked while a worker runs;"
            " SIGKILL and SIGSTOP cannot be blocked"
        )
    if not state["subreaper"]:
        notes.append(
            "the trainer is not a child subreaper: processes a submission starts in a new"
            " session may outlive the check"
        )
    state["framework_workers"] = _framework_workers(notes, state["filesystem"])
    return state, notes


def _framework_workers(notes: list[str], numpy_confined: bool) -> dict[str, str]:
    """Each installed framework track's worker: confined like the NumPy worker (Landlock after
    the framework's import), or what it lacks."""
    from lossdrill.checker.frameworks import installed, sandbox_options
    from lossdrill.checker.sandbox import Sandbox, SandboxError

    out: dict[str, str] = {}
    for framework in ("torch", "jax"):
        if not installed(framework):
            out[framework] = "not installed"
            continue
        try:
            with Sandbox(**sandbox_options(framework)) as box:
                box.load("doctor", "def probe():\n    return 0.0\n", "probe")
                worker = box.confinement
        except SandboxError as exc:
            out[framework] = f"cannot start: {exc}"
            notes.append(f"the {framework} track's worker cannot start: {exc}")
            continue
        confined = bool(worker.get("filesystem")) and bool(worker.get("imports"))
        out[framework] = (
            "confined (Landlock, lossdrill imports refused)"
            if confined
            else (f"not confined: {worker.get('reason') or 'no Landlock file rules'}")
        )
        if numpy_confined and not confined:
            notes.append(
                f"the {framework} track's worker runs without Landlock file rules "
                f"({worker.get('reason') or 'unknown reason'}); the NumPy worker has them"
            )
    return out


def _store_problems(path: Path) -> list[str]:
    from lossdrill.store.db import wal_damage

    problems: list[str] = []
    folder = path.parent
    for aside in sorted(folder.glob(f"{path.name}.corrupt-*")):
        if not aside.name.endswith(("-wal", "-shm")):
            problems.append(f"an earlier damaged store was moved aside to {aside}")
    if not path.exists():
        return problems
    damage = wal_damage(path.with_name(path.name + "-wal"))
    if damage:
        problems.append(f"the store's journal {path.name}-wal is damaged: {damage}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2)
        try:
            result = conn.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            conn.close()
        if result != "ok":
            problems.append(f"the store {path} is damaged: {result}")
    except sqlite3.Error as exc:
        problems.append(f"the store {path} cannot be checked: {exc}")
    if not os.access(path, os.W_OK):
        problems.append(f"the store {path} is read-only: answers are kept only for the session")
    return problems


def _cache_problems(cache: Path) -> list[str]:
    """Cache files that are stale (another version or source) or in an old format."""
    from lossdrill.checker.case_cache import SUFFIX, _fingerprint, stored_key

    problems: list[str] = []
    old = sorted(cache.glob("*/*.pickle"))
    if old:
        problems.append(
            f"{len(old)} cache files in the old pickle format under {cache} are ignored"
            " (never read); they can be deleted"
        )
    earlier = sorted((cache / "cases").glob("*.npz"))
    if earlier:
        problems.append(
            f"{len(earlier)} case cache files in the earlier .npz format under "
            f"{cache / 'cases'} are ignored (never read); they can be deleted"
        )
    current = _fingerprint()
    stale = 0
    for file in sorted((cache / "cases").glob(f"*{SUFFIX}")):
        key = stored_key(file)
        stale += key is None or len(key) < 3 or key[2] != current
    if stale:
        problems.append(
            f"{stale} stale or unreadable case cache files under {cache / 'cases'}"
            " (rebuilt on use; they can be deleted)"
        )
    return problems


def facts() -> dict[str, Any]:
    """Everything the doctor reports, as data."""
    import platform

    from lossdrill import __version__
    from lossdrill.paths import cache_home, data_home
    from lossdrill.store import store_path

    protections, notes = _protections()
    versions = {
        "lossdrill": __version__,
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
    }
    versions.update({name: _version(name) or "missing" for name in _LIBRARIES})
    problems = [f"{name} is not installed" for name in _LIBRARIES if versions[name] == "missing"]
    extras = {
        name: _version(name) or f"not installed (pip install 'lossdrill[{extra}]')"
        for name, extra in _EXTRAS.items()
    }
    folders = {
        "data": str(data_home()),
        "store": str(store_path()),
        "cache": str(cache_home()),
        "executable": sys.executable,
    }
    problems += _store_problems(store_path()) + _cache_problems(cache_home())
    return {
        "protections": protections,
        "notes": notes,
        "versions": versions,
        "extras": extras,
        "folders": folders,
        "problems": problems,
    }


def run(*, as_json: bool) -> int:
    report = facts()
    if as_json:
        print(json.dumps(report, indent=2))
        return 1 if report["problems"] else 0
    from rich.markup import escape
    from rich.table import Table

    from lossdrill.ui.console import make_console

    console = make_console()
    p = report["protections"]
    table = Table(title="checker protections", show_header=False, title_justify="left")
    yes = {True: "[green]yes[/]", False: "[yellow]no[/]"}
    abi = p.get("landlock_abi", 0)
    table.add_row(
        "Landlock ABI",
        f"{abi}" + (" (disabled by LOSSDRILL_NO_LANDLOCK)" if p.get("landlock_disabled") else ""),
    )
    for key, label in (
        ("filesystem", "file rules (no access to data, caches, home, lossdrill)"),
        ("signals", "signal scoping (cannot signal the trainer)"),
        ("network", "TCP refused"),
        ("lossdrill_imports_refused", "lossdrill imports refused"),
        ("subreaper", "leftover processes killed (subreaper)"),
    ):
        if key in p:
            table.add_row(label, yes[bool(p[key])])
    if "limits" in p:
        table.add_row("limits", escape(p["limits"]))
    for framework, state in p.get("framework_workers", {}).items():
        table.add_row(f"{framework} track's worker", escape(state))
    console.print(table)
    for note in report["notes"]:
        console.print(f"[yellow]note:[/] {escape(note)}")
    versions = Table(title="versions", show_header=False, title_justify="left")
    for name, value in {**report["versions"], **report["extras"]}.items():
        versions.add_row(name, escape(str(value)))
    console.print(versions)
    folders = Table(title="folders", show_header=False, title_justify="left")
    for name, value in report["folders"].items():
        folders.add_row(name, escape(value))
    console.print(folders)
    if report["problems"]:
        for problem in report["problems"]:
            console.print(f"[red]problem:[/] {escape(problem)}")
        return 1
    console.print("[green]no problem found[/]")
    return 0
