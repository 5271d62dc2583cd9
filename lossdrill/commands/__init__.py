"""One module per command. Each exposes ``run(...) -> int`` (the exit status)."""
