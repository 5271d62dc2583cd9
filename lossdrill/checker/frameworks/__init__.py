"""The framework tracks: implement a task in PyTorch or JAX instead of NumPy.

``numpy`` is the default track and never imports a framework. For ``torch`` and ``jax`` the
sandbox starts a worker that imports the framework before its limits apply
(:mod:`.runner`); :mod:`.track` judges what came back: the value, the returned tensor's
type, dtype and device, the autodiff gradient, and the functions the task forbids.
"""

from __future__ import annotations

import importlib.util

FRAMEWORKS = ("numpy", "torch", "jax")
"""The tracks, the default first."""

INSTALL = {
    "torch": "pip install 'lossdrill[torch]'",
    "jax": "pip install 'lossdrill[jax]'",
}
"""The command that installs each framework's extra."""

MODULE = {"torch": "torch", "jax": "jax"}


def installed(framework: str) -> bool:
    """Whether ``framework`` can be imported (looked up without importing it)."""
    if framework == "numpy":
        return True
    try:
        return importlib.util.find_spec(MODULE[framework]) is not None
    except (ImportError, ValueError):
        return False


def missing_message(framework: str) -> str:
    return (
        f"the {framework} track needs the {framework} extra, which is not installed; "
        f"install it with: {INSTALL[framework]}"
    )


def sandbox_options(framework: str) -> dict:
    """The :class:`~lossdrill.checker.sandbox.Sandbox` keywords of a track's worker: the
    framework, a longer start-up (the framework's import); for JAX its compilation cache
    (the confined worker may write that folder and no other of the cache), a longer call
    deadline and a larger memory cap (compilation happens inside calls)."""
    if framework == "numpy":
        return {}
    options: dict = {"framework": framework, "startup_timeout": 60.0, "load_timeout": 15.0}
    if framework == "jax":
        from lossdrill.paths import cache_home

        # the one folder of the cache a confined JAX worker may write (granted by name)
        cache = cache_home() / "jax-compiled"
        try:
            cache.mkdir(parents=True, exist_ok=True)
            options["cache_dir"] = str(cache)
        except OSError:
            pass
        # every new input shape is an XLA compilation inside the call: more time per call,
        # and room in the data segment for the compiler itself
        options.update(call_timeout=8.0, memory_mb=3072)
    return options
