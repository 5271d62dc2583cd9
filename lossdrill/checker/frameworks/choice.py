"""Which track a command runs: ``--framework``, else the saved default, else NumPy; and
whether it can run here (the extra installed, a CUDA device present)."""

from __future__ import annotations

from lossdrill.checker.frameworks import FRAMEWORKS, installed, missing_message, sandbox_options


class TrackUnavailable(Exception):
    """The chosen track or device cannot run here; the message says what to do."""


def option_value(argv: list[str], name: str) -> str | None:
    """The value of ``--name VALUE`` or ``--name=VALUE`` in ``argv``, if any."""
    for i, arg in enumerate(argv):
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def chosen(framework: str | None, home: str | None) -> str:
    """``framework``, else the learner's saved default."""
    if framework:
        return framework
    from lossdrill.config import load_settings

    return load_settings(home)["framework"]


def early_options(argv: list[str]) -> dict | None:
    """The sandbox keywords of the worker ``implement`` will need, or None (unknown yet)."""
    framework = chosen(option_value(argv, "--framework"), option_value(argv, "--home"))
    if framework not in FRAMEWORKS or not installed(framework):
        return None
    return sandbox_options(framework)


def require(framework: str, device: str) -> None:
    """Raise :class:`TrackUnavailable` unless ``framework`` on ``device`` can run here."""
    if framework not in FRAMEWORKS:
        raise TrackUnavailable(f"unknown framework {framework!r}; one of {', '.join(FRAMEWORKS)}")
    if device not in ("cpu", "cuda"):
        raise TrackUnavailable(f"unknown device {device!r}; one of cpu, cuda")
    if not installed(framework):
        raise TrackUnavailable(missing_message(framework))
    if device == "cuda":
        if framework != "torch":
            raise TrackUnavailable(
                f"--device cuda runs the torch track's cases on a GPU; the "
                f"{framework} track runs on the CPU only"
            )
        if not cuda_available():
            raise TrackUnavailable(
                "--device cuda: no CUDA device is available on this machine "
                "(torch.cuda.is_available() is False); run without --device"
            )


def cuda_available() -> bool:
    """Whether PyTorch sees a CUDA device (imports torch: only asked for --device cuda)."""
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())
