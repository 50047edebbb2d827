"""Terminal output shared by the commands: Rich consoles, errors to stderr."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

__all__ = ["console", "err_console", "print_error"]

console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(message: str) -> None:
    """Print an error paragraph to stderr (never a traceback)."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", markup=True, highlight=False)
