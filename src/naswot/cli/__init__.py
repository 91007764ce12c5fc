"""The ``naswot`` command line: one module per command, each a thin layer over one library call.

Commands are imported only when they run (or when ``--help`` lists them), and a command module imports the
library, and with it torch, only inside its function: ``naswot --help``, ``naswot list`` and a refused option
answer at once. Every command checks its input before work starts; a problem ends the run with one line
naming it and the fix (exit code 2), never a traceback. Results go to a SQLite store as they are computed,
so rerunning an interrupted command resumes it.
"""

from __future__ import annotations

import importlib
import logging
import signal
import sys
from types import FrameType

import click

from naswot import __version__
from naswot.cli.flags import in_cli_terms
from naswot.errors import NaswotError

COMMANDS = ("score", "search", "sweep", "correlate", "results", "report", "reproduce", "export", "train", "list")
"""Each is ``naswot.cli.<name>.command`` (``list`` lives in ``listing``)."""
_MODULES = {"list": "listing"}


class LazyGroup(click.Group):
    """A group that imports a command's module only when the command is needed."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        return importlib.import_module(f"naswot.cli.{_MODULES.get(name, name)}").command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="naswot", message="%(prog)s %(version)s")
def cli() -> None:
    """Neural architecture search without training."""


def main() -> None:
    """Entry point: run the command group, turning user errors and interrupts into one line each."""
    previous = signal.signal(signal.SIGINT, _interrupt_once)
    _print_notes()
    try:
        cli.main(standalone_mode=False)
    except NaswotError as exc:
        _exit(f"naswot: error: {in_cli_terms(str(exc))}", 2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _exit("naswot: interrupted; finished results are in the store: rerun the same command to resume", 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    finally:
        signal.signal(signal.SIGINT, previous)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time (a test may have replaced it)."""

    @property  # type: ignore[override]
    def stream(self):  # type: ignore[no-untyped-def]
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


class _NoteFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"note: {in_cli_terms(record.getMessage())}"


def _print_notes() -> None:
    """The library's notes (workers capped, a fallback taken) as ``note: ...`` lines on stderr, in flag terms."""
    logger = logging.getLogger("naswot")
    logger.handlers = [handler for handler in logger.handlers if not isinstance(handler.formatter, _NoteFormatter)]
    handler = _StderrHandler()
    handler.setFormatter(_NoteFormatter())
    logger.addHandler(handler)
    logger.propagate = False


def _interrupt_once(signum: int, frame: FrameType | None) -> None:
    """The first Ctrl-C interrupts; those that follow while the run shuts down are ignored, so they cannot break
    the clean-up (stopping workers, releasing claims) into tracebacks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise KeyboardInterrupt


def _exit(line: str, code: int) -> None:
    print(line, file=sys.stderr, flush=True)
    sys.exit(code)
