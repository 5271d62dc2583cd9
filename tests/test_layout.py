"""The package's layering: the store answers questions and nobody else writes SQL; the
record types do not import the store; commands do not import commands."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "lossdrill"
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b", re.S)


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def test_no_sql_outside_the_store():
    offenders = []
    for path in _modules():
        if path.parent.name == "store":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SQL.search(node.value)
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def test_the_sql_check_would_see_a_query():
    assert SQL.search("SELECT task, count(*) FROM implement_attempts")


def test_the_record_types_do_not_import_the_store():
    assert not any(m.startswith("lossdrill.store") for m in _imports(PACKAGE / "recording.py"))


def test_every_test_has_its_own_home(isolated_home):
    import os

    assert os.environ["LOSSDRILL_HOME"] == str(isolated_home)
    assert (isolated_home / "cache").is_dir()
    home = Path.home()
    for var in ("XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"):
        assert not Path(os.environ[var]).is_relative_to(home) or str(home).startswith("/tmp")


def test_no_command_imports_another_command():
    """Commands share the preamble (parsing helpers), nothing else: logic lives below them."""
    commands = PACKAGE / "commands"
    for path in commands.glob("*.py"):
        others = {
            m
            for m in _imports(path)
            if m.startswith("lossdrill.commands.")
            and not m.startswith("lossdrill.commands.preamble")
        }
        assert others == set(), path.name
