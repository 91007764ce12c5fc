"""Missing shared data skips a test on a developer's machine, with the reason shown, and fails it under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REAL_DATA_TEST = "tests/test_data.py::test_real_cifar10_batch_is_normalised_and_reproducible"


def run_pytest(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["NASWOT_SHARED_DATA"] = str(tmp_path / "nowhere")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", REAL_DATA_TEST], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("ci", [None, "false"])
def test_missing_data_skips_with_the_reason_shown(tmp_path, ci):
    result = run_pytest(tmp_path, ci)
    assert result.returncode == 0, result.stdout
    assert "SKIPPED" in result.stdout and "nowhere" in result.stdout and "NASWOT_SHARED_DATA" in result.stdout


def test_missing_data_fails_under_ci(tmp_path):
    result = run_pytest(tmp_path, "true")
    assert result.returncode == 1, result.stdout
    assert "ERROR" in result.stdout and "CI:" in result.stdout and "nowhere" in result.stdout  # a fixture failed
