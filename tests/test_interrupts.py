"""Ctrl-C is one line whenever it comes: while the command line imports, and twice in a row while a run stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
SCORE = ["score", "--space", "nasbench201:C=8,N=1", "--data", "synthetic", "--store", ":memory:", "--quiet", ARCH]
CTRL_C_AT_IMPORT = """
import os, runpy, signal, sys

class CtrlC:
    '''Presses Ctrl-C (SIGINT to this process) as the command line starts importing the module named first.'''

    name = sys.argv[1]

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name:
            sys.meta_path.remove(self)
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv = ["naswot", *sys.argv[2:]]
runpy.run_module("naswot", run_name="__main__", alter_sys=True)
"""


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT / "src"))


def _lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


@pytest.mark.parametrize("module, line", [
    ("click", "naswot: interrupted before the command started"),  # before naswot.cli.main exists
    ("naswot.cli.flags", "naswot: interrupted before the command started"),
    ("torch", "naswot: interrupted; finished results are in the store: rerun the same command to resume"),
])
def test_ctrl_c_while_the_command_line_imports_is_one_line(tmp_path, module, line):
    result = subprocess.run([sys.executable, "-c", CTRL_C_AT_IMPORT, module, *SCORE], capture_output=True, text=True,
                            timeout=120, env=_env(), cwd=tmp_path)
    assert result.returncode == 130 and _lines(result.stderr) == [line], result.stderr


def test_the_naswot_command_starts_where_ctrl_c_at_import_is_caught():
    assert 'naswot = "naswot.__main__:run"' in (ROOT / "pyproject.toml").read_text().splitlines()


@pytest.mark.parametrize("gap", [0.05, 0.5])
def test_two_ctrl_c_in_a_row_while_workers_stop_print_one_line(tmp_path, gap):
    """SIGINT twice to the whole process group, as a terminal's Ctrl-C sends it: the second lands in the clean-up."""
    store = tmp_path / "s.db"
    command = [sys.executable, "-m", "naswot", "search", "--space", "nasbench201:C=8,N=1", "--data", "synthetic",
               "--batch-size", "16", "--quiet", "--n", "200", "--workers", "2", "--store", str(store)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
                               cwd=tmp_path, start_new_session=True)
    deadline = time.monotonic() + 60
    while not store.exists() and time.monotonic() < deadline:  # the command is past its checks
        time.sleep(0.05)
    time.sleep(1.5)  # the workers are scoring
    os.killpg(process.pid, signal.SIGINT)
    time.sleep(gap)
    try:
        os.killpg(process.pid, signal.SIGINT)
    except ProcessLookupError:  # already gone: nothing more can print
        pass
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert _lines(stderr) == ["naswot: interrupted; finished results are in the store: rerun the same command to resume"]
