"""Run the real `naswot` command as a user would: in this process (fast), or in a fresh interpreter where a
test needs its own process (signals, kills, start-up)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path


def naswot(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``naswot ARGS`` through its real entry point (``naswot.cli.main``) in this process."""
    from naswot.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    before, argv = os.getcwd(), sys.argv
    code = 0
    try:
        os.chdir(cwd)
        sys.argv = ["naswot", *args]
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main()
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    finally:
        os.chdir(before)
        sys.argv = argv
    return subprocess.CompletedProcess(["naswot", *args], code, stdout.getvalue(), stderr.getvalue())


def naswot_process(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """``python -m naswot ARGS`` in a fresh interpreter."""
    return subprocess.run([sys.executable, "-m", "naswot", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess, *needles: str) -> None:
    """A non-zero exit with one line on stderr, no traceback, naming every needle."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
