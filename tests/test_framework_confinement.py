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


LAZY = """
import sys


def lazy(name):
    before = name in sys.modules
    try:
        __import__(name)
        found = "imported"
    except ImportError as error:
        found = type(error).__name__ + ": " + str(error)
    raise RuntimeError(repr({"before": before, "import": found}))
"""


@needs_landlock
def test_a_confined_torch_worker_can_still_import_lazily_from_its_site_packages() -> None:
    """PyTorch imports sympy lazily (in some backward passes), after the worker is confined.
    With lossdrill installed in the same site-packages (as CI installs it), the folder's
    listing must stay granted, or the import fails."""
    from conftest import framework_module

    framework_module("torch")
    with Sandbox(**sandbox_options("torch")) as box:
        assert box.load("p", LAZY, "lazy", "lazy.py").status == "ok"
        outcome = box.call_many("p", [(("sympy",), {})])[0]
        assert box.confinement["filesystem"] is True, box.confinement
    text = outcome.message.split("RuntimeError: ", 1)[1].rsplit(" (line", 1)[0]
    import ast

    found = ast.literal_eval(text)
    assert found == {"before": False, "import": "imported"}, found


CARVE_OUT = """
import importlib, json, os, sys
spec = __import__("importlib.util").util.spec_from_file_location("c", {confine!r})
confine = __import__("importlib.util").util.module_from_spec(spec)
spec.loader.exec_module(confine)
state = confine.landlock({work!r}, [{hidden!r}], read=[{site!r}])
sys.path.insert(0, {site!r})  # listed after confinement, as a lazy import lists it
importlib.invalidate_caches()
out = {{"filesystem": state["filesystem"]}}
try:
    import lazymod
    out["lazy"] = lazymod.VALUE
except ImportError as error:
    out["lazy"] = type(error).__name__
try:
    open(os.path.join({hidden!r}, "secret.py")).read()
    out["secret"] = "read"
except OSError as error:
    out["secret"] = type(error).__name__
print(json.dumps(out))
"""


@needs_landlock
def test_a_read_folder_holding_a_forbidden_one_still_serves_imports(tmp_path: Path) -> None:
    """The layout of a non-editable install: lossdrill inside the site-packages a framework
    worker may read. A module imported only after confinement is found there (the folder's
    listing is granted); the forbidden package's files stay unreadable."""
    import subprocess
    import sys

    import lossdrill.checker.confine as confine

    site = tmp_path / "site-packages"
    hidden = site / "lossdrill"
    hidden.mkdir(parents=True)
    (hidden / "secret.py").write_text("ANSWER = 42\n")
    (site / "lazymod.py").write_text("VALUE = 'found'\n")
    work = tmp_path / "work"
    work.mkdir()
    script = CARVE_OUT.format(
        site=str(site), confine=confine.__file__, work=str(work), hidden=str(hidden)
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    import json

    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"filesystem": True, "lazy": "found", "secret": "PermissionError"}, (
        found,
        done.stderr[-2000:],
    )
