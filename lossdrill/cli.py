"""The ``lossdrill`` command line: it parses options and dispatches, nothing else.

Every command's work lives in ``lossdrill/commands/<name>.py`` and is imported only when
that command runs, so ``lossdrill --help`` never imports NumPy or reads a bank.
"""

# No ``from __future__ import annotations`` here: Typer reads every command's annotations
# on each run, and as strings it would evaluate them again (building each Option anew).

import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Annotated, Any, TextIO


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
from lossdrill.paths import adopt_home_option  # noqa: E402

adopt_home_option(sys.argv)  # --home moves the caches too, exactly as LOSSDRILL_HOME does
_start_worker_early(sys.argv)

import typer  # noqa: E402

from lossdrill import completion  # noqa: E402  (light: its imports live inside its functions)

# ``-h`` is ``--help`` everywhere: click passes help_option_names down to every subcommand.
CONTEXT = {"help_option_names": ["-h", "--help"]}

app = typer.Typer(
    name="lossdrill",
    help="Drill loss functions for ML interviews: quiz, implement, flashcards, progress.",
    no_args_is_help=False,
    invoke_without_command=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings=CONTEXT,
)
export_app = typer.Typer(
    help="Export lossdrill content.", no_args_is_help=True, context_settings=CONTEXT
)
app.add_typer(export_app, name="export", short_help="Export the flashcards as an Anki deck.")


def _version(value: bool) -> None:
    if value:
        from lossdrill import __version__

        print(f"lossdrill {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool,
        typer.Option(
            "--version", "-V", is_eager=True, callback=_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Options of ``lossdrill`` itself (the help text is the app's); bare ``lossdrill`` shows
    today's plan."""
    if ctx.invoked_subcommand is None:
        from lossdrill.commands.today import run

        _exit(run(go=False, banks=[], home=None))


Bank = Annotated[
    list[str] | None,
    typer.Option(
        "--bank", metavar="DIR", help="Extra bank folder (repeatable; also $LOSSDRILL_BANKS)."
    ),
]
Home = Annotated[
    str | None,
    typer.Option(
        "--home",
        metavar="DIR",
        help="Data folder for progress (default: $LOSSDRILL_HOME or the user data dir).",
    ),
]
Seed = Annotated[
    int | None, typer.Option("--seed", metavar="N", help="Seed for a reproducible session.")
]
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _only(name: str, complete: Callable[[str], list[str]]) -> Any:
    """A repeatable filter option, ``--topic TOPIC`` or ``--kind KIND``."""
    return typer.Option(
        f"--{name}",
        metavar=name.upper(),
        help=f"Only this {name} (repeatable).",
        autocompletion=complete,
    )


def _count(what: str) -> Any:
    """``-n/--count N``: how many drills a session asks, at least one."""
    return typer.Option("--count", "-n", metavar="N", min=1, help=f"Number of {what}.")


def _framework(help_text: str) -> Any:
    """``--framework NAME``: the track (numpy, torch or jax) an implement step is checked on."""
    return typer.Option("--framework", metavar="NAME", help=help_text)


Topic = Annotated[list[str] | None, _only("topic", completion.topics)]
Kind = Annotated[list[str] | None, _only("kind", completion.kinds)]
QuizKind = Annotated[list[str] | None, _only("kind", completion.quiz_kinds)]
TaskArg = Annotated[
    str, typer.Argument(metavar="TASK", help="Task id.", autocompletion=completion.task_ids)
]


def _exit(code: int | None) -> None:
    raise typer.Exit(code or 0)


@app.command(short_help="Today's plan and the next command.")
def today(
    go: Annotated[bool, typer.Option("--go", help="Run the plan now, drill after drill.")] = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Today's plan: due reviews, weak items, a re-implementation; the next command."""
    from lossdrill.commands.today import run

    _exit(run(go=go, banks=bank or [], home=home))


@app.command(short_help="Aim the plan at your interview date.")
def plan(
    interview: Annotated[
        str | None, typer.Option("--interview", metavar="DATE", help="Interview date, YYYY-MM-DD.")
    ] = None,
    minutes: Annotated[
        int | None,
        typer.Option("--minutes", metavar="N", help="Minutes of practice a day (default 20)."),
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Forget the interview date.")] = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Set the interview date and daily minutes; the forecast for the day."""
    from lossdrill.commands.plan import run

    _exit(run(interview=interview, minutes=minutes, clear=clear, banks=bank or [], home=home))


@app.command(short_help="Quiz: gotchas, scenarios, numbers, recall.")
def quiz(
    topic: Topic = None,
    kind: QuizKind = None,
    count: Annotated[int, _count("questions")] = 10,
    seed: Seed = None,
    missed: Annotated[
        bool, typer.Option("--missed", help="Drill the last session's misses.")
    ] = False,
    item: Annotated[list[str] | None, typer.Option("--item", metavar="ID", hidden=True)] = None,
    bank: Bank = None,
    home: Home = None,
    item_id: Annotated[
        list[str] | None,
        typer.Option(
            "--id",
            metavar="ID",
            help="Ask exactly this item (repeatable, in order; --topic, --kind, --count are then ignored).",
        ),
    ] = None,
    json_out: Json = False,
) -> None:
    """Answer gotchas, decision scenarios, numeric and free-recall questions."""
    from lossdrill.commands.quiz import run

    _exit(
        run(
            topics=topic or [],
            kinds=kind or [],
            count=count,
            seed=seed,
            banks=bank or [],
            home=home,
            ids=item_id or [],
            as_json=json_out,
            missed=missed,
            item_ids=item or None,
        )
    )


@app.command(short_help="Write a loss; it is checked on every save.")
def implement(
    task: Annotated[
        str | None,
        typer.Argument(
            metavar="[TASK]",
            help="Task id, e.g. focal (see `lossdrill list`); none: the next task not passed yet.",
            autocompletion=completion.task_ids,
        ),
    ] = None,
    file: Annotated[
        str | None,
        typer.Option("--file", "-f", metavar="PATH", help="Solution file (never overwritten)."),
    ] = None,
    here: Annotated[
        bool,
        typer.Option(
            "--here", help="Work in ./TASK.py, in the current folder (never overwritten)."
        ),
    ] = False,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help="Start from a blank starter in a new file TASK-N.py (a timed attempt)."
        ),
    ] = False,
    check: Annotated[
        bool,
        typer.Option("--check", help="Check once and exit (0 pass, 1 fail); --json implies it."),
    ] = False,
    json_out: Json = False,
    edit: Annotated[bool, typer.Option("--edit", "-e", help="Open $EDITOR on the file.")] = False,
    framework: Annotated[
        str | None,
        _framework("numpy, torch or jax (default: `lossdrill config framework`, else numpy)."),
    ] = None,
    device: Annotated[
        str,
        typer.Option(
            "--device",
            metavar="DEV",
            help="cpu, or cuda to run the torch track's cases on a GPU too.",
        ),
    ] = "cpu",
    seed: Seed = None,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Write a loss function; it is checked against a hidden reference on every save."""
    from lossdrill.commands.implement import run

    _exit(
        run(
            task=task,
            file=file,
            check=check,
            as_json=json_out,
            edit=edit,
            seed=seed,
            banks=bank or [],
            home=home,
            here=here,
            fresh=fresh,
            framework=framework,
            device=device,
        )
    )


@app.command(short_help="Show or save a setting (framework).")
def config(
    key: Annotated[str | None, typer.Argument(metavar="KEY", help="A setting: framework.")] = None,
    value: Annotated[
        str | None, typer.Argument(metavar="VALUE", help="Its new value (omit to show it).")
    ] = None,
    home: Home = None,
) -> None:
    """Show or save settings, e.g. `lossdrill config framework torch`."""
    from lossdrill.commands.config import run

    _exit(run(key=key, value=value, home=home))


@app.command(short_help="Show the next hint of a task.")
def hint(
    task: TaskArg,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Show the next hint of an implement task."""
    from lossdrill.commands.hint import run

    _exit(run(task=task, banks=bank or [], home=home))


@app.command(short_help="Show a task's solution and debrief.")
def reveal(
    task: TaskArg,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Show the reference solution and debrief of an implement task."""
    from lossdrill.commands.reveal import run

    _exit(run(task=task, yes=yes, banks=bank or [], home=home))


@app.command(short_help="Find and fix the bug in a loss function.")
def bughunt(
    item: Annotated[
        str | None,
        typer.Argument(
            metavar="ID",
            help="A bug-hunt id (default: a random one).",
            autocompletion=completion.bug_hunts,
        ),
    ] = None,
    count: Annotated[int, _count("bug hunts")] = 3,
    seed: Seed = None,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Find the buggy line in a short loss implementation, then fix it."""
    from lossdrill.commands.bughunt import run

    _exit(run(item=item, count=count, seed=seed, banks=bank or [], home=home))


@app.command(short_help="Review cards with spaced repetition.")
def flashcards(
    new: Annotated[int, typer.Option("--new", metavar="N", min=0, help="New cards per day.")] = 10,
    topic: Topic = None,
    cram: Annotated[
        bool,
        typer.Option("--cram", help="Review regardless of due dates; the schedule is not touched."),
    ] = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """Review formulas, gradients and gotchas with spaced repetition (FSRS)."""
    from lossdrill.commands.flashcards import run

    _exit(run(new=new, topics=topic or [], cram=cram, banks=bank or [], home=home))


@app.command(short_help="Mastery, weak spots, due cards, readiness.")
def progress(
    json_out: Json = False,
    calibration: Annotated[
        bool,
        typer.Option(
            "--calibration", help="Score the scheduler's predicted recall against your log."
        ),
    ] = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """What is mastered, what is weak, what is due; the interview readiness checklist."""
    from lossdrill.commands.progress import run

    _exit(run(as_json=json_out, banks=bank or [], home=home, calibration=calibration))


@app.command(short_help="A timed mock interview on one loss.")
def interview(
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            metavar="TASK",
            help="The loss to be interviewed on (default: your weakest).",
            autocompletion=completion.task_ids,
        ),
    ] = None,
    minutes: Annotated[
        int, typer.Option("--minutes", metavar="N", min=1, help="Length of the mock interview.")
    ] = 20,
    framework: Annotated[
        str | None,
        _framework(
            "numpy, torch or jax for the implement steps (default: `lossdrill config framework`)."
        ),
    ] = None,
    seed: Seed = None,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """A timed mock interview on one loss, with an interviewer's score sheet."""
    from lossdrill.commands.interview import run

    _exit(
        run(task=task, minutes=minutes, seed=seed, banks=bank or [], home=home, framework=framework)
    )


@app.command(short_help="Draw losses or gradients in the terminal.")
def plot(
    losses: Annotated[
        list[str],
        typer.Argument(
            metavar="LOSS...",
            help="Losses to draw, e.g. mse mae huber.",
            autocompletion=completion.losses,
        ),
    ],
    gradient: Annotated[
        bool, typer.Option("--gradient", help="Draw the gradients instead.")
    ] = False,
    delta: Annotated[
        list[float] | None,
        typer.Option("--delta", metavar="X", help="Huber delta (repeat for one curve each)."),
    ] = None,
    gamma: Annotated[
        list[float] | None, typer.Option("--gamma", metavar="X", help="Focal gamma (repeatable).")
    ] = None,
    alpha: Annotated[
        list[float] | None, typer.Option("--alpha", metavar="X", help="Focal alpha (repeatable).")
    ] = None,
    margin: Annotated[
        list[float] | None,
        typer.Option("--margin", metavar="X", help="Hinge/ranking margin (repeatable)."),
    ] = None,
    q: Annotated[
        list[float] | None, typer.Option("--q", metavar="X", help="Quantile level (repeatable).")
    ] = None,
    save: Annotated[
        str | None,
        typer.Option("--save", metavar="FILE.png", help="Also write the figure to a PNG file."),
    ] = None,
) -> None:
    """Draw losses (or their gradients) in the terminal."""
    from lossdrill.commands.plot import run

    params = {
        k: v
        for k, v in dict(delta=delta, gamma=gamma, alpha=alpha, margin=margin, q=q).items()
        if v
    }
    _exit(run(losses=losses, gradient=gradient, params=params, save=save))


@app.command(name="list", short_help="Tasks and their status; --all for the rest.")
def list_items(
    topic: Topic = None,
    kind: Kind = None,
    show_all: Annotated[
        bool, typer.Option("--all", "-a", help="Every item by topic and kind, not only the tasks.")
    ] = False,
    json_out: Json = False,
    bank: Bank = None,
    home: Home = None,
) -> None:
    """The implement tasks with their status (new, failing, passed) and what else there is;
    --all (or --kind) lists every question, task and bug hunt by topic and kind."""
    from lossdrill.commands.list_items import run

    _exit(
        run(
            topics=topic or [],
            kinds=kind or [],
            as_json=json_out,
            banks=bank or [],
            show_all=show_all,
            home=home,
        )
    )


@app.command(short_help="Check bank files; exit 1 on any error.")
def validate(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH", help="Bank files or folders (default: all banks)."),
    ] = None,
    json_out: Json = False,
) -> None:
    """Check bank files for authors; exits 1 on any error."""
    from lossdrill.commands.validate import run

    _exit(run(paths=paths or [], as_json=json_out))


@app.command(short_help="Protections, versions, folders, problems.")
def doctor(json_out: Json = False) -> None:
    """Show the checker's protections on this machine, versions, folders and any problem found."""
    from lossdrill.commands.doctor import run

    _exit(run(as_json=json_out))


@export_app.command("anki")
def export_anki(
    out: Annotated[
        str, typer.Argument(metavar="OUT.apkg", help="Output file, e.g. lossdrill.apkg.")
    ],
    topic: Topic = None,
    bank: Bank = None,
) -> None:
    """Write the flashcards as an Anki deck (.apkg)."""
    from lossdrill.commands.export import run

    _exit(run(out=out, topics=topic or [], banks=bank or []))


# Ctrl-C: 130, as git and the shells give (128 + SIGINT). A closed pipe: 141 (128 + SIGPIPE),
# what ``cat`` or ``git log`` give under ``| head``, quietly, never 1 ("invalid banks").
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141
_interrupted: list[int] = []


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """Remember that Ctrl-C was pressed, then interrupt as Python does by default."""
    _interrupted.append(signum)
    signal.default_int_handler(signum, frame)


def note_interrupt() -> None:
    """For code that handles Ctrl-C itself (and ends a drill with its summary): the command
    still exits 130."""
    _interrupted.append(signal.SIGINT)


def _quiet_stdout() -> None:
    """Point standard output at /dev/null so that the interpreter's final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class _NoTrailingSpaces:
    """Standard output when it is not a terminal: each line without the trailing spaces
    that rich pads tables and rules with (a partial line, such as a prompt, goes as it is)."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw
        self.pending = ""

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        if lines:
            self.raw.write("\n".join(line.rstrip(" ") for line in lines) + "\n")
        return len(text)

    def flush(self) -> None:
        if self.pending:
            self.raw.write(self.pending)
            self.pending = ""
        self.raw.flush()

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str):  # fileno, encoding, errors, buffer...
        return getattr(self.raw, name)


def main() -> None:
    """Entry point: run the app; no Python traceback ever reaches the user."""
    from lossdrill.ui.streams import prepare_streams

    prepare_streams()  # closed stdin/stdout, an output encoding that cannot show every character
    try:
        if not sys.stdout.isatty():
            sys.stdout = _NoTrailingSpaces(sys.stdout)
    except (AttributeError, ValueError):
        pass
    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _on_sigint)
    except ValueError:  # not the main thread
        pass
    try:
        try:
            app()
        finally:
            sys.stdout.flush()
    except SystemExit as exc:
        if _interrupted:
            sys.exit(EXIT_INTERRUPTED)
        if isinstance(exc.__context__, BrokenPipeError):  # click's own EPIPE handling exits 1
            _quiet_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        raise exc from None
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    except Exception as exc:  # the last line of defence: a message, not a traceback
        if os.environ.get("LOSSDRILL_DEBUG"):
            raise
        sys.stderr.write(
            f"lossdrill: internal error: {type(exc).__name__}: {exc}\n"
            "Run again with LOSSDRILL_DEBUG=1 to see the details, and please report it.\n"
        )
        sys.exit(3)
    if _interrupted:
        sys.exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    main()
