"""Framework workers are confined as NumPy workers are: Landlock after the framework's import
(its site-packages read-only, JAX's compilation cache folder the one writable folder of the
cache), and ``lossdrill`` refused at run time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lossdrill.checker.confine import abi_version
from lossdrill.checker.frameworks import sandbox_options
from lossdrill.checker.sandbox import Sandbox
from lossdrill.paths import cache_home

needs_landlock = pytest.mark.skipif(abi_version() < 1, reason="needs Landlock (doctor reports it)")

PROBE = """
import os


def probe(paths, writable):
    out = {}
    for path in paths:
        try:
            if os.path.isdir(path):
                os.listdir(path)
            else:
                open(path, "rb").read(1)
            out[path] = "read"
        except OSError as error:
            out[path] = type(error).__name__
    for folder in writable:
        target = os.path.join(folder, "planted.bin")
        try:
            with open(target, "wb") as fh:
                fh.write(b"x")
            os.remove(target)
            out[folder + " (write)"] = "written"
        except OSError as error:
            out[folder + " (write)"] = type(error).__name__
    try:
        __import__("loss" + "drill.references")
        out["import"] = "imported"
    except ImportError as error:
        out["import"] = type(error).__name__
    raise RuntimeError(repr(out))
"""


def _probe(framework: str, paths: list[str], writable: list[str]) -> tuple[dict, dict]:
    with Sandbox(**sandbox_options(framework)) as box:
        assert box.load("p", PROBE, "probe", "probe.py").status == "ok"
        outcome = box.call_many("p", [((paths, writable), {})])[0]
        confinement = box.confinement
    assert outcome.status == "exception", outcome.message
    text = outcome.message.split("RuntimeError: ", 1)[1].rsplit(" (line", 1)[0]
    import ast

    return ast.literal_eval(text), confinement


@needs_landlock
def test_a_framework_worker_is_confined_after_its_import(framework: str) -> None:
    import lossdrill

    home = Path(os.environ["LOSSDRILL_HOME"])
    secret = home / "secret.txt"
    secret.write_text("not yours\n")
    cache = cache_home().resolve()
    cache.mkdir(parents=True, exist_ok=True)
    package = Path(lossdrill.__file__).resolve().parent
    reference = str(package / "references" / "classification.py")
    module = __import__(framework)
    framework_file = str(Path(module.__file__).resolve())
    found, confinement = _probe(
        framework, [str(secret), str(cache), reference, framework_file], [str(cache)]
    )
    assert confinement["filesystem"] is True, confinement
    assert confinement["imports"] is True
    assert found[str(secret)] == "PermissionError"
    assert found[str(cache)] == "PermissionError"
    assert found[reference] == "PermissionError"
    assert found[str(cache) + " (write)"] == "PermissionError"
    assert found[framework_file] == "read"  # the framework's own files stay readable
    assert found["import"] == "ForbiddenImport"


@needs_landlock
def test_the_jax_worker_may_write_its_compilation_cache_and_nothing_beside_it() -> None:
    from conftest import framework_module

    framework_module("jax")
    compiled = sandbox_options("jax")["cache_dir"]
    cache = str(Path(compiled).parent)
    found, confinement = _probe("jax", [compiled, cache], [compiled, cache])
    assert confinement["filesystem"] is True, confinement
    assert found[compiled] == "read"
    assert found[compiled + " (write)"] == "written"
    assert found[cache] == "PermissionError"
    assert found[cache + " (write)"] == "PermissionError"
