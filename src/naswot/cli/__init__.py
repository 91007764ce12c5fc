"""The ``naswot`` command line: one module per command, each a thin layer over one library call.

Every command checks its input before work starts; a problem ends the run with one line naming it
and the fix (exit code 2), never a traceback. Results go to a SQLite store as they are computed, so
rerunning an interrupted command resumes it.
"""

from __future__ import annotations

import sys

import click

from naswot.errors import NaswotError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Neural architecture search without training."""


def main() -> None:
    """Entry point: run the command group, turning user errors and interrupts into one line each."""
    try:
        cli.main(standalone_mode=False)
    except NaswotError as exc:
        print(f"naswot: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        print("naswot: interrupted; finished results are in the store: rerun the same command to resume", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


# Each module adds its command to the group on import.
from naswot.cli import correlate, listing, report, reproduce, results, score, search, sweep  # noqa: E402, F401
