"""The ``lossdrill`` command line: it parses options and dispatches, nothing else.

Every command's work lives in ``lossdrill/commands/<name>.py`` and is imported only when
that command runs, so ``lossdrill --help`` never imports NumPy or reads a bank.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated


def _start_worker_early(argv: list[str]) -> None:
    """``implement`` needs the checker's worker: spawn it before Typer is even imported
    (a framework track's worker, for ``--framework`` or the saved default, when installed)."""
    if len(argv) > 2 and argv[1] == "implement" and "--help" not in argv:
        try:
            from lossdrill.checker.frameworks.choice import early_options
            from lossdrill.checker.sandbox import start_early

            options = early_options(argv)
            if options is not None:
                start_early(**options)
        except Exception:  # the command starts its own worker and reports any failure
            pass


# Before Typer is imported: the worker's NumPy import overlaps with everything below.
_start_worker_early(sys.argv)

import typer  # noqa: E402

app = typer.Typer(
    name="lossdrill",
    help="Drill loss functions for ML interviews: quiz, implement, flashcards, progress.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
export_app = typer.Typer(help="Export lossdrill content.", no_args_is_help=True)
app.add_typer(export_app, name="export")

Bank = Annotated[
    list[str] | None,
    typer.Option("--bank", metavar="DIR", help="Extra bank folder (repeatable; also $LOSSDRILL_BANKS)."),
]
Home = Annotated[
    str | None,
    typer.Option("--home", metavar="DIR", help="Data folder for progress (default: $LOSSDRILL_HOME or the user data dir)."),
]
Seed = Annotated[int | None, typer.Option("--seed", metavar="N", help="Seed for a reproducible session.")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
Topic = Annotated[list[str] | None, typer.Option("--topic", metavar="TOPIC", help="Only this topic (repeatable).")]


def _exit(code: int | None) -> None:
    raise typer.Exit(code or 0)


@app.command()
def quiz(
    topic: Topic = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", metavar="KIND", help="Only this kind (repeatable).")] = None,
    count: Annotated[int, typer.Option("--count", "-n", metavar="N", min=1, help="Number of questions.")] = 10,
    seed: Seed = None,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Answer gotchas, decision scenarios, numeric and free-recall questions."""
    from lossdrill.commands.quiz import run

    _exit(run(topics=topic or [], kinds=kind or [], count=count, seed=seed, banks=bank or [], home=home))


@app.command()
def implement(
    task: Annotated[str, typer.Argument(metavar="TASK", help="Task id, e.g. focal (see `lossdrill list`).")],
    file: Annotated[str | None, typer.Option("--file", "-f", metavar="PATH", help="Solution file (never overwritten).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Check once and exit (0 pass, 1 fail).")] = False,
    json_out: Json = False,
    edit: Annotated[bool, typer.Option("--edit", "-e", help="Open $EDITOR on the file.")] = False,
    framework: Annotated[str | None, typer.Option("--framework", metavar="NAME", help="numpy, torch or jax (default: `lossdrill config framework`, else numpy).")] = None,
    device: Annotated[str, typer.Option("--device", metavar="DEV", help="cpu, or cuda to run the torch track's cases on a GPU too.")] = "cpu",
    seed: Seed = None,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Write a loss function; it is checked against a hidden reference on every save."""
    from lossdrill.commands.implement import run

    _exit(run(task=task, file=file, check=check, as_json=json_out, edit=edit, seed=seed, banks=bank or [], home=home,
              framework=framework, device=device))


@app.command()
def config(
    key: Annotated[str | None, typer.Argument(metavar="KEY", help="A setting: framework.")] = None,
    value: Annotated[str | None, typer.Argument(metavar="VALUE", help="Its new value (omit to show it).")] = None,
    home: Home = None,
) -> None:
    """Show or save settings, e.g. `lossdrill config framework torch`."""
    from lossdrill.commands.config import run

    _exit(run(key=key, value=value, home=home))


@app.command()
def hint(
    task: Annotated[str, typer.Argument(metavar="TASK", help="Task id.")],
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Show the next hint of an implement task."""
    from lossdrill.commands.hint import run

    _exit(run(task=task, banks=bank or [], home=home))


@app.command()
def reveal(
    task: Annotated[str, typer.Argument(metavar="TASK", help="Task id.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Show the reference solution and debrief of an implement task."""
    from lossdrill.commands.reveal import run

    _exit(run(task=task, yes=yes, banks=bank or [], home=home))


@app.command()
def bughunt(
    item: Annotated[str | None, typer.Argument(metavar="ID", help="A bug-hunt id (default: a random one).")] = None,
    count: Annotated[int, typer.Option("--count", "-n", metavar="N", min=1, help="Number of bug hunts.")] = 3,
    seed: Seed = None,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Find the buggy line in a short loss implementation, then fix it."""
    from lossdrill.commands.bughunt import run

    _exit(run(item=item, count=count, seed=seed, banks=bank or [], home=home))


@app.command()
def flashcards(
    new: Annotated[int, typer.Option("--new", metavar="N", min=0, help="New cards per day.")] = 10,
    topic: Topic = None,
    cram: Annotated[bool, typer.Option("--cram", help="Review regardless of due dates; the schedule is not touched.")] = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Review formulas, gradients and gotchas with spaced repetition (FSRS)."""
    from lossdrill.commands.flashcards import run

    _exit(run(new=new, topics=topic or [], cram=cram, banks=bank or [], home=home))


@app.command()
def progress(
    json_out: Json = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """What is mastered, what is weak, what is due; the interview readiness checklist."""
    from lossdrill.commands.progress import run

    _exit(run(as_json=json_out, banks=bank or [], home=home))


@app.command()
def interview(
    task: Annotated[str | None, typer.Option("--task", metavar="TASK", help="The loss to be interviewed on (default: your weakest).")] = None,
    minutes: Annotated[int, typer.Option("--minutes", metavar="N", min=1, help="Length of the mock interview.")] = 20,
    framework: Annotated[str | None, typer.Option("--framework", metavar="NAME", help="numpy, torch or jax for the implement steps (default: `lossdrill config framework`).")] = None,
    seed: Seed = None,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """A timed mock interview on one loss, with an interviewer's score sheet."""
    from lossdrill.commands.interview import run

    _exit(run(task=task, minutes=minutes, seed=seed, banks=bank or [], home=home, framework=framework))


@app.command()
def plot(
    losses: Annotated[list[str], typer.Argument(metavar="LOSS", help="Losses to draw, e.g. mse mae huber.")],
    gradient: Annotated[bool, typer.Option("--gradient", help="Draw the gradients instead.")] = False,
    delta: Annotated[list[float] | None, typer.Option("--delta", metavar="X", help="Huber delta (repeat for one curve each).")] = None,
    gamma: Annotated[list[float] | None, typer.Option("--gamma", metavar="X", help="Focal gamma (repeatable).")] = None,
    alpha: Annotated[list[float] | None, typer.Option("--alpha", metavar="X", help="Focal alpha (repeatable).")] = None,
    margin: Annotated[list[float] | None, typer.Option("--margin", metavar="X", help="Hinge/ranking margin (repeatable).")] = None,
    q: Annotated[list[float] | None, typer.Option("--q", metavar="X", help="Quantile level (repeatable).")] = None,
    save: Annotated[str | None, typer.Option("--save", metavar="FILE.png", help="Also write the figure to a PNG file.")] = None,
) -> None:
    """Draw losses (or their gradients) in the terminal."""
    from lossdrill.commands.plot import run

    params = {k: v for k, v in dict(delta=delta, gamma=gamma, alpha=alpha, margin=margin, q=q).items() if v}
    _exit(run(losses=losses, gradient=gradient, params=params, save=save))


@app.command(name="list")
def list_items(
    topic: Topic = None,
    kind: Annotated[list[str] | None, typer.Option("--kind", metavar="KIND", help="Only this kind (repeatable).")] = None,
    json_out: Json = False,
    bank: Bank = None,
) -> None:
    """List every question and task by topic and kind, with counts."""
    from lossdrill.commands.list_items import run

    _exit(run(topics=topic or [], kinds=kind or [], as_json=json_out, banks=bank or []))


@app.command()
def validate(
    paths: Annotated[list[str] | None, typer.Argument(metavar="PATH", help="Bank files or folders (default: all banks).")] = None,
    json_out: Json = False,
) -> None:
    """Check bank files for authors; exits 1 on any error."""
    from lossdrill.commands.validate import run

    _exit(run(paths=paths or [], as_json=json_out))


@export_app.command("anki")
def export_anki(
    out: Annotated[str, typer.Argument(metavar="OUT.apkg", help="Output file, e.g. lossdrill.apkg.")],
    topic: Topic = None,
    bank: Bank = None,
) -> None:
    """Write the flashcards as an Anki deck (.apkg)."""
    from lossdrill.commands.export import run

    _exit(run(out=out, topics=topic or [], banks=bank or []))


def main() -> None:
    """Entry point: run the app; no Python traceback ever reaches the user."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(130)
    except Exception as exc:  # the last line of defence: a message, not a traceback
        if os.environ.get("LOSSDRILL_DEBUG"):
            raise
        sys.stderr.write(
            f"lossdrill: internal error: {type(exc).__name__}: {exc}\n"
            "Run again with LOSSDRILL_DEBUG=1 to see the details, and please report it.\n"
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
