"""Hostile submissions against the installed command: each ends in a verdict, never an internal
error, a hang, a dead trainer or a leftover process (the attacks of the reliability review)."""

from __future__ import annotations

import json
import os
import subprocess
import time

import pytest
from hardening import MSE_OK, MSE_SUM, Place, codes


@pytest.fixture
def place(tmp_path):
    p = Place(tmp_path)
    yield p
    p.kill_leftovers()


def _confined() -> bool:
    from lossdrill.checker.confine import abi_version

    return abi_version() >= 6


needs_landlock = pytest.mark.skipif(
    not _confined(), reason="needs Landlock ABI 6+ (doctor reports it)"
)

READ_CACHE = """
import os, numpy as np
for path in {paths!r}:
    try:
        open(path, 'rb').read(10)
    except OSError:
        continue
    raise SystemExit('read the cache: ' + path)
try:
    os.listdir({home!r})
    raise SystemExit('listed the data folder')
except OSError:
    pass
def mse_loss(y_true, y_pred):
    e = np.asarray(y_pred, dtype=float) - np.asarray(y_true, dtype=float)
    return 0.5 * float(np.sum(e ** 2))
"""


@needs_landlock
def test_r1_the_case_cache_is_out_of_the_submissions_reach(place):
    place.check(MSE_OK)  # fills the case cache
    paths = [str(p) for p in (place.home / "cache" / "cases").glob("mse-*.cases")]
    assert paths
    proc, result = place.check(READ_CACHE.format(paths=paths, home=str(place.home)))
    assert result["passed"] is False
    assert "read the cache" not in json.dumps(result) and "listed" not in json.dumps(result)
    assert "wrong-reduction" in codes(result)
    # and a plain sum-not-mean file still fails afterwards
    _, again = place.check(MSE_SUM)
    assert again["passed"] is False and "wrong-reduction" in codes(again)


def test_r1_a_planted_pickle_in_the_bank_cache_never_runs(place):
    import pickle

    place.run("list", "--json")
    banks = place.home / "cache" / "banks"
    assert list(banks.glob("*.json")) and not list(banks.glob("*.pickle"))
    marker = place.root / "PWNED"

    class Gadget:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    for path in banks.glob("*.json"):
        path.write_bytes(pickle.dumps(Gadget()))
        path.with_suffix(".pickle").write_bytes(pickle.dumps(Gadget()))
    proc = place.run("list")
    assert proc.returncode == 0 and "internal error" not in proc.stderr
    assert not marker.exists()


def test_r1_a_planted_case_cache_file_is_rebuilt_not_trusted(place):
    place.check(MSE_OK)
    (path,) = list((place.home / "cache" / "cases").glob("mse-*.cases"))[:1]
    # the magic line, then a header size far past the end and bytes that are no JSON
    path.write_bytes(b"lossdrill-cases\n" + b"\xff" * 8 + b"{not json")
    _, result = place.check(MSE_SUM)
    assert result["passed"] is False
    _, ok = place.check(MSE_OK)
    assert ok["passed"] is True
    path.write_bytes(b"PK\x03\x04 not a zip at all")
    _, ok = place.check(MSE_OK)
    assert ok["passed"] is True


@needs_landlock
def test_r19_importing_the_hidden_reference_is_a_forbidden_import(place):
    src = "from lossdrill.references import REFERENCES\nmse_loss = REFERENCES['mse_loss']\n"
    proc, result = place.check(src)
    assert result["passed"] is False and proc.returncode == 1
    assert codes(result) == ["forbidden-import"]
    assert "line 1" in result["diagnoses"][0]["message"]
    assert "lossdrill.references" in result["diagnoses"][0]["message"]


def test_r19_an_import_built_at_run_time_is_refused_while_the_file_runs(place):
    """The static check cannot see a name built at run time; the worker's import block can."""
    src = (
        "import importlib\n"
        "refs = importlib.import_module('lossdr' + 'ill.references')\n"
        "mse_loss = refs.REFERENCES['mse_loss']\n"
    )
    proc, result = place.check(src)
    assert result["passed"] is False and proc.returncode == 1
    assert codes(result) == ["forbidden-import"]
    assert "line 2" in result["diagnoses"][0]["message"]


@needs_landlock
def test_r19_the_package_and_the_store_are_out_of_reach(place):
    import lossdrill

    package = os.path.dirname(lossdrill.__file__)
    src = (
        MSE_SUM
        + f"""
def _probe():
    import os
    for path in ({package!r} + '/references/regression.py', {str(place.home)!r} + '/lossdrill.sqlite3'):
        try:
            open(path, 'rb').read(1)
        except OSError:
            continue
        raise SystemExit('read ' + path)
_probe()
"""
    )
    place.check(MSE_OK)  # the store exists now
    proc, result = place.check(src)
    assert result["passed"] is False
    assert "read " not in json.dumps(result)
    assert "wrong-reduction" in codes(result)


@needs_landlock
@pytest.mark.parametrize("sig", ["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGSTOP"])
def test_r14_the_submission_cannot_signal_the_trainer(place, sig):
    src = (
        "import os, signal\n"
        "def mse_loss(a, b):\n"
        f"    os.kill(os.getppid(), signal.{sig})\n"
        "    return 0.0\n"
    )
    path = place.write("sig.py", src)
    proc = place.run("implement", "mse", "--file", str(path), "--check", "--json", timeout=60)
    assert proc.returncode == 1, (proc.returncode, proc.stderr)
    result = json.loads(proc.stdout)
    assert result["passed"] is False and "PermissionError" in json.dumps(result)


@needs_landlock
def test_r14_the_submission_cannot_kill_the_callers_process_group(place):
    src = (
        "import os, signal\n"
        "os.killpg(os.getpgid(os.getppid()), signal.SIGKILL)\n"
        "def mse_loss(a, b):\n    return 0.0\n"
    )
    # its own process group, so a successful attack could not take pytest with it
    proc, result = place.check(src)
    assert result["passed"] is False and proc.returncode == 1


CHILDREN = {
    "new session": (
        "import subprocess\nsubprocess.Popen(['sleep', '300'], start_new_session=True)\n"
    ),
    "double fork": (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        time.sleep(300)\n"
        "    os._exit(0)\n"
    ),
    "child holds the channel": (
        "import os, time\n"
        "def mse_loss(a, b):\n"
        "    if os.fork() == 0:\n"
        "        os.setsid(); time.sleep(300)\n"
        "    os._exit(3)\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(CHILDREN))
@pytest.mark.parametrize("landlock", ["on", "off"])
def test_r13_no_process_outlives_the_check(place, kind, landlock):
    src = CHILDREN[kind] + (
        "" if "def mse_loss" in CHILDREN[kind] else "def mse_loss(a, b):\n    return 0.0\n"
    )
    env = place.env(**({"LOSSDRILL_NO_LANDLOCK": "1"} if landlock == "off" else {}))
    path = place.write("child.py", src)
    proc = place.run("implement", "mse", "--file", str(path), "--check", "--json", env=env)
    assert proc.returncode == 1 and json.loads(proc.stdout)["passed"] is False
    time.sleep(0.3)
    assert place.leftovers() == []
    assert not [p for p in place.tmp.rglob("lossdrill-sandbox-*")]


def test_fallback_without_landlock_still_gives_verdicts_and_blocks_what_it_can(place):
    env = place.env(LOSSDRILL_NO_LANDLOCK="1")
    doctor = place.run("doctor", "--json", env=env)
    report = json.loads(doctor.stdout)
    assert report["protections"]["landlock_disabled"] is True
    assert (
        report["protections"]["filesystem"] is False and report["protections"]["signals"] is False
    )
    assert any("SIGKILL and SIGSTOP cannot be blocked" in n for n in report["notes"])
    # the trainer blocks SIGTERM while the worker runs: a verdict comes back
    src = "import os, signal\ndef mse_loss(a, b):\n    os.kill(os.getppid(), signal.SIGTERM)\n    return 0.0\n"
    path = place.write("term.py", src)
    proc = place.run("implement", "mse", "--file", str(path), "--check", "--json", env=env)
    assert json.loads(proc.stdout)["passed"] is False
    # imports of lossdrill are refused in the fallback too
    src = "from lossdrill.references import REFERENCES\nmse_loss = REFERENCES['mse_loss']\n"
    path = place.write("cheat.py", src)
    proc = place.run("implement", "mse", "--file", str(path), "--check", "--json", env=env)
    assert [d["code"] for d in json.loads(proc.stdout)["diagnoses"]] == ["forbidden-import"]


def test_r9_huge_returns_are_refused_quickly(place):
    for body in (
        "import numpy as np\n    return np.zeros(60_000_000 // 8)",
        "return [0.25] * 1_000_000",
    ):
        _, result = place.check(f"def mse_loss(a, b):\n    {body}\n")
        assert result["passed"] is False and "wrong-type" in codes(result)


def test_r10_a_forged_dag_frame_is_a_crash_verdict(place):
    src = """
import gc, os, pickle, struct, time
w = next(o for o in gc.get_objects() if type(o).__name__ == '_Worker')
def mse_loss(a, b):
    x = [0.0, 0.0]
    for _ in range(38):
        x = [x, x]
    m = pickle.dumps({"kind": "call", "status": "ok", "value": x, "value_type": "list", "message": "",
                      "line": None, "traceback": "", "mutated": [], "seconds": 0.0, "output": ""})
    os.write(w.answers, struct.pack('!Q', len(m)) + m)
    time.sleep(1e9)
"""
    _, result = place.check(src)
    assert result["passed"] is False
    assert "private channel" in json.dumps(result)


def test_r10_a_forged_huge_frame_header_is_refused(place):
    src = """
import gc, os, struct, time
w = next(o for o in gc.get_objects() if type(o).__name__ == '_Worker')
def mse_loss(a, b):
    os.write(w.answers, struct.pack('!Q', 200 * 1024 * 1024) + b'x' * 1000)
    time.sleep(1e9)
"""
    _, result = place.check(src)
    assert result["passed"] is False and "private channel" in json.dumps(result)


@pytest.mark.parametrize("power", [400, 5000])
def test_r12_an_int_beyond_float_range_is_wrong_type(place, power):
    _, result = place.check(f"def mse_loss(a, b):\n    return 10 ** {power}\n")
    assert result["passed"] is False and "wrong-type" in codes(result)


@pytest.mark.parametrize("body", ["1+" * 100_000 + "1", "-" * 100_000 + "1"])
def test_r11_deep_expressions_give_a_verdict(place, body):
    proc, result = place.check(f"def mse_loss(a, b):\n    return {body}\n")
    assert result["passed"] is False and proc.returncode == 1


def test_r11_a_huge_source_file_is_refused_with_a_message(place):
    path = place.write("big.py", MSE_OK + "x = 1\n" * 400_000)
    proc = place.run("implement", "mse", "--file", str(path), "--check", "--json")
    assert proc.returncode == 2 and "at most" in json.loads(proc.stdout)["error"]


def test_r8_a_fifo_is_refused_at_once(place):
    fifo = place.work / "p.py"
    os.mkfifo(fifo)
    for extra in (["--json"], []):
        proc = place.run("implement", "mse", "--file", str(fifo), "--check", *extra, timeout=20)
        assert proc.returncode == 2 and "FIFO" in (proc.stdout + proc.stderr)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_r8_an_endless_device_is_refused_quickly(place, device):
    proc = place.run("implement", "mse", "--file", device, "--check", "--json", timeout=30)
    assert proc.returncode == 2 and "not a solution file" in json.loads(proc.stdout)["error"]


def test_r8_dev_null_is_an_empty_file(place):
    proc = place.run("implement", "mse", "--file", "/dev/null", "--check", "--json")
    assert proc.returncode == 1 and "missing-function" in codes(json.loads(proc.stdout))


def test_r26_a_bom_and_crlf_file_passes(place):
    path = place.work / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + MSE_OK.replace("\n", "\r\n").encode())
    proc = place.run("implement", "mse", "--file", str(path), "--check", "--json")
    assert json.loads(proc.stdout)["passed"] is True


def test_r23_escape_sequences_from_the_submission_never_reach_the_terminal(place):
    src = (
        'print("\\x1b[2J\\x1b[32mPASS mse: all cases match\\x1b[0m")\n'
        'def mse_loss(a, b):\n    raise ValueError("\\x1b]0;title\\x07\\x1b[2J")\n'
    )
    path = place.write("esc.py", src)
    proc = place.run("implement", "mse", "--file", str(path), "--check")
    assert proc.returncode == 1
    assert "\x1b" not in proc.stdout + proc.stderr and "\x07" not in proc.stdout
    assert "^[[2J" in proc.stdout


@pytest.mark.parametrize("name", ["[/]nope.py", "[bold red]x.py"])
def test_r24_markup_in_a_missing_path_is_shown_as_written(place, name):
    proc = place.run("implement", "mse", "--file", name, "--check")
    assert proc.returncode == 2 and "internal error" not in proc.stderr
    assert name in " ".join(proc.stderr.split())


def test_r24_markup_in_a_quiz_topic_is_not_an_internal_error(place):
    proc = place.run("quiz", "--topic", "[/]x", stdin="")
    assert "internal error" not in proc.stderr and "MarkupError" not in proc.stderr


def test_r27_no_worker_folder_is_left_when_the_cli_is_killed(place):
    src = "import time\ndef mse_loss(a, b):\n    time.sleep(30)\n    return 0.0\n"
    path = place.write("slow.py", src)
    from drive import lossdrill_command

    for _ in range(3):
        proc = subprocess.Popen(
            [*lossdrill_command(), "implement", "mse", "--file", str(path), "--check", "--json"],
            cwd=place.work,
            env=place.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.5)
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and (
        place.leftovers() or list(place.tmp.rglob("lossdrill-sandbox-*"))
    ):
        time.sleep(0.2)
    assert place.leftovers() == []
    assert list(place.tmp.rglob("lossdrill-sandbox-*")) == []
