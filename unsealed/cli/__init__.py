"""The `unsealed` command: thin commands over the library, one module per command group.

Each module in COMMAND_MODULES defines `register(app)`. Library errors (UnsealedError) become a
one-line message on stderr and the error's exit code; nothing prints a traceback at a user.
"""

from __future__ import annotations

import faulthandler
import importlib
import signal
import sys

import typer
from rich.console import Console
from rich.markup import escape

from unsealed.errors import ExitCode, UnsealedError

COMMAND_MODULES = [
    "unsealed.cli.entities",
    "unsealed.cli.ingest",
    "unsealed.cli.inspect",
    "unsealed.cli.queue",
    "unsealed.cli.reprocess",
    "unsealed.cli.sample",
    "unsealed.cli.search",
    "unsealed.cli.serve",
    "unsealed.cli.threads",
    "unsealed.cli.verify",
]

app = typer.Typer(
    name="unsealed",
    help="Turn a document release into a searchable, entity-linked, citable archive.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(app)


def main() -> None:
    # `kill -USR1 PID` prints where each thread of a command that seems stuck is, on the process's
    # own stderr (sys.stderr may be a stand-in without a file descriptor)
    if sys.__stderr__ is not None:
        faulthandler.register(signal.SIGUSR1, file=sys.__stderr__, all_threads=True)
    try:
        app(standalone_mode=True)
    except UnsealedError as exc:
        # Not wrapped (install commands stay copyable); the message is text, never Rich markup.
        Console(stderr=True, soft_wrap=True).print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False)
        sys.exit(int(exc.exit_code))
    except KeyboardInterrupt:
        Console(stderr=True).print("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
