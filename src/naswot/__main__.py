"""``python -m naswot`` and the ``naswot`` command: the command line, with a Ctrl-C during its start-up one line too.

Importing the command line (click, the option checks) takes a tenth of a second, before ``naswot.cli.main``
can turn an interrupt into its one line; ``run`` catches one that lands in those imports.
"""

import signal
import sys


def run() -> None:
    """Entry point: import the command line, then run it; an interrupt while importing is one line and exit code 130."""
    try:
        from naswot.cli import main
    except KeyboardInterrupt:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C cannot break the line or the exit
        print("naswot: interrupted before the command started", file=sys.stderr, flush=True)
        sys.exit(130)
    main()


if __name__ == "__main__":
    run()
