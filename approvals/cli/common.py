"""What every command module shares: the engine for the command, and failing with one line."""

from __future__ import annotations

import sys

import click

from approvals.app import Approvals, build

EXIT_REFUSED = 2


def fail(message: str, code: int = 1) -> None:
    """One line on stderr and exit ``code`` (2: the input was refused), never a traceback."""
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def app_of(ctx: click.Context) -> Approvals:
    """One engine per command, its connections closed when the command ends."""
    root = ctx.find_root()
    if "app" not in root.obj:
        app = build(root.obj["database"], root.obj["processes"])
        root.obj["app"] = app
        root.call_on_close(app.db.dispose)
    return root.obj["app"]  # type: ignore[no-any-return]
