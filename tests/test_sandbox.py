"""The sandbox runs learners' code in a real worker process and always comes back with a verdict."""

from __future__ import annotations

import os
import signal
import sys
import textwrap

import numpy as np
import pytest

from lossdrill.checker.sandbox import CallOutcome, Sandbox

MSE = """
import numpy as np

def mse(y_true, y_pred):
    return float(0.5 * np.mean((y_pred - y_true) ** 2))
"""


def _source(body: str) -> str:
    return textwrap.dedent(body).lstrip("\n")


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(call_timeout=1.0, load_timeout=2.0) as box:
        yield box


def _load_ok(box: Sandbox, slot: str, body: str, function: str = "f") -> None:
    outcome = box.load(slot, _source(body), function)
    assert outcome.status == "ok", outcome


def _mse_still_works(box: Sandbox) -> None:
    _load_ok(box, "check", MSE, "mse")
    outcome = box.call("check", (np.array([0.0, 0.0]), np.array([1.0, 3.0])), {})
    # 0.5 * mean(1, 9) = 2.5
    assert outcome.status == "ok"
    assert outcome.value == pytest.approx(2.5)


# -- values -------------------------------------------------------------------------------------


def test_a_correct_function_returns_its_value(sandbox):
    _load_ok(sandbox, "submission", MSE, "mse")
    outcome = sandbox.call("submission", (np.array([1.0, 2.0]), np.array([1.0, 4.0])), {})
    # 0.5 * mean(0, 4) = 1.0
    assert outcome == CallOutcome("ok", 1.0, "float", seconds=outcome.seconds)


def test_keyword_hyperparameters_reach_the_function(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        def f(x, *, alpha=0.25, gamma=2.0):
            return alpha * gamma * x
        """,
    )
    assert sandbox.call("submission", (3.0,), {"alpha": 0.5, "gamma": 4.0}).value == 6.0
    assert sandbox.call("submission", (3.0,), {}).value == 1.5


def test_numpy_scalar_and_array_results_come_back_as_numpy(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import numpy as np
        def f(kind):
            if kind == "scalar":
                return np.float32(1.5)
            return np.arange(6, dtype=np.int16).reshape(2, 3)[:, ::2]
        """,
    )
    scalar = sandbox.call("submission", ("scalar",), {})
    assert scalar.value_type == "float32"
    assert type(scalar.value) is np.float32 and scalar.value == 1.5
    array = sandbox.call("submission", ("array",), {})
    assert array.value_type == "ndarray"
    assert array.value.dtype == np.int16
    np.testing.assert_array_equal(array.value, [[0, 2], [3, 5]])


def test_list_none_and_str_results_are_named_by_type(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import numpy as np
        def f(kind):
            return {"list": [1.0, np.float64(2.0), [3, True]], "tuple": (1, 2),
                    "none": None, "str": "0.5"}[kind]
        """,
    )
    listed = sandbox.call("submission", ("list",), {})
    assert (listed.status, listed.value, listed.value_type) == ("ok", [1.0, 2.0, [3, True]], "list")
    assert type(listed.value[1]) is float
    assert sandbox.call("submission", ("tuple",), {}).value == [1, 2]
    assert sandbox.call("submission", ("tuple",), {}).value_type == "tuple"
    none = sandbox.call("submission", ("none",), {})
    assert (none.status, none.value, none.value_type) == ("ok", None, "NoneType")
    text = sandbox.call("submission", ("str",), {})
    assert (text.status, text.value, text.value_type, text.message) == ("ok", None, "str", "'0.5'")


def test_a_user_class_instance_is_reported_by_name_and_never_unpickled(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        class Loss:
            def __repr__(self):
                return "Loss(0.3)"
            def __reduce__(self):
                import os
                return (os.system, ("echo unpickled > pwned.txt",))

        def f():
            return Loss()
        """,
    )
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.value, outcome.value_type) == ("ok", None, "Loss")
    assert outcome.message == "Loss(0.3)"
    assert not os.path.exists("pwned.txt")
    assert not os.path.exists(os.path.join(sandbox.workdir, "pwned.txt"))


def test_a_list_holding_a_user_object_is_not_sent_back(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        class Box: pass
        def f():
            return [1.0, Box()]
        """,
    )
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.value, outcome.value_type) == ("ok", None, "list")


def test_an_object_array_is_not_sent_back(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import numpy as np
        def f():
            return np.array([1, "a"], dtype=object)
        """,
    )
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.value, outcome.value_type) == ("ok", None, "ndarray")


# -- failures inside a call -------------------------------------------------------------------


def test_an_exception_names_its_line_in_the_users_file(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        def f(x):
            total = 1.0
            count = 0
            return total / count
        """,
    )
    outcome = sandbox.call("submission", (1.0,), {})
    assert outcome.status == "exception"
    assert outcome.message == "ZeroDivisionError: float division by zero (line 4)"
    assert outcome.line == 4
    assert 'File "solution.py", line 4, in f' in outcome.traceback


def test_an_exception_inside_numpy_names_the_users_line(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import numpy as np
        def f(a, b):
            return np.dot(a, b)
        """,
    )
    outcome = sandbox.call("submission", (np.ones(3), np.ones(4)), {})
    assert outcome.status == "exception"
    assert outcome.message.startswith("ValueError: shapes (3,) and (4,) not aligned")
    assert outcome.line == 3


def test_a_keyboard_interrupt_raised_by_user_code_is_an_exception(sandbox):
    _load_ok(sandbox, "submission", "def f():\n    raise KeyboardInterrupt\n")
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.message, outcome.line) == (
        "exception",
        "KeyboardInterrupt (line 2)",
        2,
    )
    _mse_still_works(sandbox)


def test_sys_exit_is_an_exit_and_the_worker_survives(sandbox):
    _load_ok(sandbox, "submission", "import sys\ndef f(code):\n    sys.exit(code)\n")
    pid = sandbox.worker_pid
    assert sandbox.call("submission", (3,), {}).message == "called sys.exit(3)"
    outcome = sandbox.call("submission", (0,), {})
    assert (outcome.status, outcome.message, outcome.line) == ("exit", "called sys.exit(0)", 3)
    assert sandbox.worker_pid == pid
    _mse_still_works(sandbox)


def test_os_exit_ends_the_worker_and_the_sandbox_goes_on(sandbox):
    _load_ok(sandbox, "submission", "import os\ndef f():\n    os._exit(1)\n")
    pid = sandbox.worker_pid
    outcome = sandbox.call("submission", (), {})
    assert outcome.status == "exit"
    assert outcome.message == "ended the process with exit code 1 (os._exit)"
    assert sandbox.call("submission", (), {}).status == "exit"  # reloaded in a new worker
    assert sandbox.worker_pid != pid
    _mse_still_works(sandbox)


def test_a_segfault_is_a_crash_and_the_sandbox_goes_on(sandbox):
    _load_ok(sandbox, "submission", "import ctypes\ndef f():\n    return ctypes.string_at(0)\n")
    outcome = sandbox.call("submission", (), {})
    assert outcome.status == "crash"
    assert outcome.message == "crashed the process (segmentation fault, SIGSEGV)"
    # faulthandler's dump names the user's line
    assert 'File "solution.py", line 3 in f' in outcome.output
    _mse_still_works(sandbox)


def test_an_infinite_loop_times_out_and_the_sandbox_goes_on(sandbox):
    _load_ok(sandbox, "submission", "def f():\n    while True:\n        pass\n")
    outcome = sandbox.call("submission", (), {}, timeout=0.5)
    assert (outcome.status, outcome.message) == ("timeout", "did not return within 0.5 s")
    _mse_still_works(sandbox)


def test_a_long_sleep_times_out_at_the_sandbox_default(sandbox):
    _load_ok(sandbox, "submission", "import time\ndef f():\n    time.sleep(100)\n")
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.message) == ("timeout", "did not return within 1.0 s")
    _mse_still_works(sandbox)


@pytest.mark.parametrize(
    "expression",
    ["np.ones(10**11)", "[0] * 10**10", '"x" * 10**11', "bytearray(2 * 1024**3)"],
)
def test_a_huge_allocation_is_a_memory_verdict(sandbox, expression):
    _load_ok(
        sandbox,
        "submission",
        f"import numpy as np\ndef f():\n    big = {expression}\n    return 0.0\n",
    )
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.message, outcome.line) == (
        "memory",
        "used more than 1024 MB (line 3)",
        3,
    )
    _mse_still_works(sandbox)


def test_memory_growing_in_a_loop_is_a_memory_verdict(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        def f():
            chunks = []
            while True:
                chunks.append(bytearray(50 * 1024 * 1024))
        """,
    )
    # filling a gigabyte takes about a second on a slow machine: the deadline is not the point
    outcome = sandbox.call("submission", (), {}, timeout=20)
    assert outcome.status == "memory"
    _mse_still_works(sandbox)


def test_numpy_imports_under_the_memory_cap_and_the_cap_holds():
    with Sandbox(memory_mb=512) as box:
        _load_ok(
            box,
            "submission",
            """
            import resource
            import numpy as np
            def f(kind):
                if kind == "limit":
                    return resource.getrlimit(resource.RLIMIT_AS)[0]
                return float(np.ones(10**8).sum())  # 800 MB
            """,
        )
        assert box.call("submission", ("limit",), {}).value == 512 * 1024 * 1024
        outcome = box.call("submission", ("allocate",), {})
        assert (outcome.status, outcome.message) == ("memory", "used more than 512 MB (line 6)")


def test_the_worker_runs_in_its_own_session_directory_and_environment(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import os, sys
        def f(name):
            return {
                "session leader": [float(os.getsid(0) == os.getpid())],
                "cwd": [float(os.getcwd() == os.path.realpath(os.environ["HOME"]))],
                "threads": [float(os.environ.get(name, "unset") == "1")],
                "startup": [float("PYTHONSTARTUP" not in os.environ)],
                "isolated": [float(sys.flags.isolated)],
            }[name]
        """,
    )
    for name in ("session leader", "cwd", "startup", "isolated"):
        assert sandbox.call("submission", (name,), {}).value == [1.0], name
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        _load_ok(
            sandbox,
            "env",
            f"import os\ndef f():\n    return [float(os.environ[{name!r}] == '1')]\n",
        )
        assert sandbox.call("env", (), {}).value == [1.0], name
    assert os.path.realpath(sandbox.workdir) != os.path.realpath(os.getcwd())


def test_a_huge_allocation_at_import_is_a_load_memory_verdict(sandbox):
    outcome = sandbox.load("submission", "import numpy as np\nTABLE = np.ones(10**11)\n", "f")
    assert (outcome.status, outcome.message, outcome.line) == (
        "memory",
        "used more than 1024 MB (line 2)",
        2,
    )
    _mse_still_works(sandbox)


def test_start_is_idempotent_and_does_not_wait_for_the_worker():
    with Sandbox() as box:
        box.start()
        pid = box.worker_pid
        box.start()
        assert box.worker_pid == pid
        _mse_still_works(box)
        assert box.worker_pid == pid


def test_a_worker_that_cannot_start_is_a_sandbox_error(monkeypatch, tmp_path):
    from lossdrill.checker import sandbox as sandbox_module

    broken = tmp_path / "worker.py"
    broken.write_text("raise ImportError('numpy is missing')\n")
    monkeypatch.setattr(sandbox_module, "WORKER_SCRIPT", str(broken))
    with Sandbox() as box, pytest.raises(sandbox_module.SandboxError, match="numpy is missing"):
        box.load("submission", MSE, "mse")


def test_the_cpu_limit_ends_a_busy_loop_the_deadline_would_allow():
    with Sandbox(call_timeout=30.0, cpu_seconds=1) as box:
        _load_ok(box, "submission", "def f():\n    while True:\n        pass\n")
        outcome = box.call("submission", (), {})
        assert (outcome.status, outcome.message) == ("timeout", "used more than 1 s of CPU time")
        _mse_still_works(box)


# -- output ---------------------------------------------------------------------------------------


def test_prints_are_captured_per_call(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import sys
        def f(x):
            print("value", x)
            print("warn", file=sys.stderr)
            return x
        """,
    )
    first, second = sandbox.call_many("submission", [((1,), {}), ((2,), {})])
    assert (first.output, second.output) == ("value 1\nwarn\n", "value 2\nwarn\n")


def test_ten_megabytes_of_prints_are_truncated(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        def f():
            for _ in range(10 * 1024):
                print("x" * 1023)
            return 1.0
        """,
    )
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.value) == ("ok", 1.0)
    # each print writes 1023 x and a newline: 10 MiB in all, of which 2000 characters are kept
    kept = "x" * 1023 + "\n" + "x" * 976
    assert outcome.output == kept + f"\n[... {10 * 1024 * 1024 - 2000} more characters]"


def test_writing_to_fd_1_cannot_corrupt_the_channel(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import os, pickle, struct
        def f():
            junk = pickle.dumps({"kind": "call", "status": "ok", "value": 99.0})
            os.write(1, struct.pack("!Q", len(junk)) + junk)
            os.write(2, b"to stderr\\n")
            return 1.0
        """,
    )
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.value) == ("ok", 1.0)
    assert outcome.output.endswith("to stderr\n")
    _mse_still_works(sandbox)


def test_a_forged_answer_on_the_private_channel_is_refused_not_unpickled(sandbox, tmp_path):
    marker = tmp_path / "forged-answer-ran"
    _load_ok(
        sandbox,
        "submission",
        f"""
        import fcntl, os, pickle, struct

        class Payload:
            def __reduce__(self):
                return (os.system, ("touch {marker}",))

        def f():
            frame = pickle.dumps({{"kind": "call", "status": "ok", "value": Payload()}})
            for fd in range(3, 64):
                try:
                    is_pipe = os.readlink(f"/proc/self/fd/{{fd}}").startswith("pipe:")
                    writable = fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
                except OSError:
                    continue
                if is_pipe and writable:
                    os.write(fd, struct.pack("!Q", len(frame)) + frame)
            return 1.0
        """,
    )
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.message) == (
        "crash",
        "wrote into the checker's private channel",
    )
    assert not marker.exists()
    _mse_still_works(sandbox)


def test_prints_and_fd_writes_keep_their_order(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import os
        def f():
            print("one")
            os.write(1, b"two\\n")
            print("three")
            return 0.0
        """,
    )
    assert sandbox.call("submission", (), {}).output == "one\ntwo\nthree\n"


def test_what_was_printed_before_a_hang_is_kept(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        def f():
            print("starting the loop")
            while True:
                pass
        """,
    )
    outcome = sandbox.call("submission", (), {}, timeout=0.5)
    assert (outcome.status, outcome.output) == ("timeout", "starting the loop\n")


def test_megabytes_written_to_fd_1_are_truncated(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import os
        def f():
            for _ in range(20):
                os.write(1, b"y" * 1024 * 1024)
            return 2.0
        """,
    )
    outcome = sandbox.call("submission", (), {})
    assert (outcome.status, outcome.value) == ("ok", 2.0)
    assert outcome.output.startswith("y" * 2000 + "\n[... ")
    assert len(outcome.output) < 2100


# -- input mutation -------------------------------------------------------------------------------


def test_in_place_changes_of_inputs_are_reported(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        def f(y_true, y_pred, *, weights=None):
            y_pred += 1
            y_true[0] = 5
            weights.sort()
            return 0.0
        """,
    )
    outcome = sandbox.call(
        "submission",
        (np.array([1.0, 2.0]), np.array([0.5, 0.5])),
        {"weights": [3, 1, 2]},
    )
    assert (outcome.status, outcome.mutated) == ("ok", ("arg0", "arg1", "weights"))


def test_array_sort_in_place_is_a_mutation_but_reading_is_not(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import numpy as np
        def f(a, b):
            a.sort()
            return float(np.sum(b))
        """,
    )
    outcome = sandbox.call("submission", (np.array([3.0, np.nan, 1.0]), np.array([np.nan])), {})
    assert outcome.mutated == ("arg0",)
    unchanged = sandbox.call("submission", (np.array([1.0, 2.0]), np.array([np.nan])), {})
    assert unchanged.mutated == ()


def test_a_mutation_does_not_leak_into_the_next_case_sharing_the_array(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        def f(x):
            first = float(x[0])
            x[0] = 100.0
            return first
        """,
    )
    shared = np.array([1.0, 2.0])
    outcomes = sandbox.call_many("submission", [((shared,), {}), ((shared,), {})])
    assert [o.value for o in outcomes] == [1.0, 1.0]
    assert shared[0] == 1.0  # the caller's array is untouched too


# -- loading ----------------------------------------------------------------------------------------


def test_a_syntax_error_names_its_line(sandbox):
    outcome = sandbox.load("submission", "import numpy as np\n\ndef f(x)\n    return x\n", "f")
    assert (outcome.status, outcome.line) == ("syntax-error", 3)
    assert outcome.message == "line 3: expected ':'"


def test_a_missing_function_is_named(sandbox):
    outcome = sandbox.load("submission", "def focal(x):\n    return x\n", "focal_loss")
    assert (outcome.status, outcome.message) == ("missing-function", "no function named focal_loss")
    not_callable = sandbox.load("submission", "focal_loss = 3\n", "focal_loss")
    assert not_callable.message == "focal_loss is a int, not a function"


def test_an_exception_at_import_is_a_load_exception_with_its_line(sandbox):
    outcome = sandbox.load("submission", "import numpy as np\nX = np.zeros(2)\nY = Z + 1\n", "f")
    assert outcome.status == "exception"
    assert outcome.message == "NameError: name 'Z' is not defined (line 3)"
    assert outcome.line == 3


def test_sys_exit_at_import_is_a_load_exception(sandbox):
    outcome = sandbox.load("submission", "print('bye')\nraise SystemExit(2)\n", "f")
    assert (outcome.status, outcome.message, outcome.output) == (
        "exception",
        "called sys.exit(2) while loading",
        "bye\n",
    )


def test_a_module_looping_forever_at_top_level_times_out(sandbox):
    outcome = sandbox.load("submission", "while True:\n    pass\n", "f")
    assert (outcome.status, outcome.message) == (
        "timeout",
        "the module did not finish loading within 2.0 s",
    )
    _mse_still_works(sandbox)


def test_a_module_crashing_at_top_level_is_a_crash(sandbox):
    outcome = sandbox.load("submission", "import os\nos._exit(4)\n", "f")
    assert outcome.status == "crash"
    assert outcome.message == "while loading: ended the process with exit code 4 (os._exit)"
    _mse_still_works(sandbox)


def test_calling_a_slot_that_never_loaded_is_a_programming_error(sandbox):
    sandbox.load("broken", "def f(:\n", "f")
    with pytest.raises(KeyError):
        sandbox.call("broken", (), {})


def test_the_parent_never_imports_the_users_module(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = _source(
        """
        open("imported-marker.txt", "w").write("imported")
        MARKER_MODULE = True
        def f():
            return 1.0
        """
    )
    with Sandbox() as box:
        assert box.load("submission", source, "f").status == "ok"
        assert box.call("submission", (), {}).value == 1.0
        assert os.path.exists(os.path.join(box.workdir, "imported-marker.txt"))
    assert not (tmp_path / "imported-marker.txt").exists()
    # vars(), not getattr(): some modules (torch's lazy ones) answer any attribute name
    assert not any(
        (getattr(module, "__dict__", None) or {}).get("MARKER_MODULE")
        for module in list(sys.modules.values())
    )


# -- batches and slots -------------------------------------------------------------------------------


def test_call_many_goes_on_after_bad_cases_in_the_middle(sandbox):
    _load_ok(
        sandbox,
        "submission",
        """
        import os, sys, time
        def f(x):
            if x == 2:
                while True:
                    pass
            if x == 4:
                os._exit(3)
            if x == 6:
                sys.exit(1)
            if x == 8:
                return 1 / 0
            return x * 10
        """,
    )
    outcomes = sandbox.call_many("submission", [((x,), {}) for x in range(10)], timeout=0.5)
    assert [o.status for o in outcomes] == [
        "ok", "ok", "timeout", "ok", "exit", "ok", "exit", "ok", "exception", "ok",
    ]  # fmt: skip
    assert [o.value for o in outcomes if o.status == "ok"] == [0, 10, 30, 50, 70, 90]


def test_a_batch_too_large_for_one_request_is_sent_in_parts(sandbox):
    from lossdrill.checker import sandbox as sandbox_module

    _load_ok(sandbox, "submission", "def f(x):\n    return float(x.sum())\n")
    # 40 arrays of 2 MB each: 80 MB of inputs, more than one 64 MB request
    assert sandbox_module.MAX_REQUEST_BYTES < 80 * 1024 * 1024
    calls = [((np.full(250_000, float(i)),), {}) for i in range(40)]
    outcomes = sandbox.call_many("submission", calls)
    assert [o.value for o in outcomes] == [250_000.0 * i for i in range(40)]


def test_every_slot_is_reloaded_after_a_restart(sandbox):
    _load_ok(
        sandbox,
        "submission",
        "import os\ndef f(x):\n    if x:\n        os._exit(1)\n    return 1.0\n",
    )
    _load_ok(sandbox, "mutant:double", "def f(x):\n    return 2.0\n")
    restarts = sandbox.restarts
    assert sandbox.call("submission", (True,), {}).status == "exit"
    assert sandbox.restarts == restarts + 1
    assert sandbox.call("mutant:double", (False,), {}).value == 2.0
    assert sandbox.call("submission", (False,), {}).value == 1.0


def test_a_slot_that_no_longer_loads_after_a_restart_reports_a_crash(tmp_path, monkeypatch):
    # The module keeps a marker outside the worker's folder: only without Landlock
    # (the fallback path) can it write there.
    monkeypatch.setenv("LOSSDRILL_NO_LANDLOCK", "1")
    sandbox = Sandbox()
    sandbox.start()
    marker = tmp_path / "loaded-once"
    _load_ok(
        sandbox,
        "flaky",
        f"""
        import os
        if os.path.exists({str(marker)!r}):
            raise RuntimeError("second load")
        open({str(marker)!r}, "w").close()
        def f():
            os._exit(1)
        """,
    )
    assert sandbox.call("flaky", (), {}).status == "exit"
    outcomes = sandbox.call_many("flaky", [((), {}), ((), {})])
    message = "could not be loaded again after a restart: RuntimeError: second load (line 3)"
    assert outcomes == [CallOutcome("crash", message=message)] * 2
    _mse_still_works(sandbox)
    sandbox.close()


def test_close_kills_the_worker_and_a_new_sandbox_works():
    box = Sandbox()
    box.start()
    _load_ok(box, "submission", MSE, "mse")
    pid = box.worker_pid
    workdir = box.workdir
    box.close()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not os.path.exists(workdir)
    with Sandbox() as again:
        _mse_still_works(again)


def test_a_sandbox_left_open_is_cleaned_up_when_the_program_ends(tmp_path):
    import subprocess

    script = tmp_path / "forgetful.py"
    script.write_text(
        _source(
            """
            from lossdrill.checker.sandbox import Sandbox
            box = Sandbox()
            box.load("s", "def f():\\n    return 1.0\\n", "f")
            print(box.worker_pid, box.workdir, flush=True)
            """
        )
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    pid, workdir = done.stdout.split()
    assert done.returncode == 0 and done.stderr == ""
    assert not _running(int(pid))
    assert not os.path.exists(workdir)


def test_the_worker_exits_when_its_parent_dies(tmp_path):
    import subprocess
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        _source(
            """
            import sys, time
            from lossdrill.checker.sandbox import Sandbox
            box = Sandbox(call_timeout=100)
            box.load("s", "import time\\ndef f():\\n    time.sleep(1000)\\n", "f")
            print(box.worker_pid, box.workdir, flush=True)
            box.call("s", (), {})
            """
        )
    )
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    pid, workdir = parent.stdout.readline().split()
    worker_pid = int(pid)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    for _ in range(50):
        if not _running(worker_pid):
            break
        time.sleep(0.1)
    else:
        os.kill(worker_pid, signal.SIGKILL)
        pytest.fail("the worker outlived its parent")
    assert not os.path.exists(workdir)


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting to be reaped is not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
