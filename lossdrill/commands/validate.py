"""``lossdrill validate``: check bank files for authors."""

from __future__ import annotations

import json
from collections import Counter

from lossdrill.bank.loader import bank_dirs, bank_files, load_files
from lossdrill.bank.schema import Bank, BankError
from lossdrill.ui.console import make_console


def run(paths: list[str], as_json: bool = False) -> int:
    """Load the given files (default: every bank), evaluate every formula; 1 on any error."""
    files, errors = bank_files(paths or bank_dirs())
    bank = load_files(files, errors=errors, evaluate_formulas=True)
    bank.errors.extend(_task_errors(bank))
    if as_json:
        print(
            json.dumps(
                {
                    "files": len(bank.files),
                    "items": len(bank.items),
                    "errors": [
                        {
                            "file": e.file,
                            "line": e.line,
                            "item": e.item_id,
                            "field": e.field,
                            "message": e.message,
                        }
                        for e in bank.errors
                    ],
                }
            )
        )
        return 1 if bank.errors else 0
    console = make_console()
    err = make_console(stderr=True)
    for e in bank.errors:
        err.print(f"[red]error[/] {e}", markup=True, highlight=False, soft_wrap=True)
    kinds = Counter(item.kind for item in bank.items)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    cards = len(bank.cards())
    console.print(
        f"{len(bank.files)} files, {len(bank.items)} items ({summary or 'none'}), {cards} flashcards"
    )
    if bank.errors:
        err.print(f"[red]{len(bank.errors)} error(s)[/]")
        return 1
    console.print("[green]all banks valid[/]")
    return 0


def _task_errors(bank: Bank) -> list[BankError]:
    """Implement items must name a task the checker knows, with its function name."""
    from lossdrill.checker.tasks import TASKS

    errors = []
    for item in bank.tasks():
        spec = TASKS.get(item.id)
        if spec is None:
            errors.append(
                BankError.about(
                    item,
                    "id",
                    f"no implement task {item.id!r}; known: {', '.join(sorted(TASKS))}",
                )
            )
        elif item.function != spec.function:
            errors.append(
                BankError.about(
                    item,
                    "function",
                    f"task {item.id!r} is graded on {spec.function}(), not {item.function}()",
                )
            )
    return errors
