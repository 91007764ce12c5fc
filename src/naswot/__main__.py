"""``python -m naswot`` runs the command line."""

from naswot.cli import main

main()
