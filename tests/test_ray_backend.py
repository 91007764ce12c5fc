"""The Ray backend: the same numbers as the local one, clear lines for a missing Ray or cluster, a clean Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import require

from naswot.compute import Compute
from naswot.errors import NaswotError
from naswot.executor import score_architectures
from naswot.searching import sample_distinct
from naswot.spaces import get_space
from naswot.store import Store

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_a_local_ray_instance_gives_bit_identical_scores(cifar_batch):
    require("ray", "pip install 'naswot[ray]'")
    space = get_space("nasbench201:C=4,N=1")
    archs = sample_distinct(space, 20, np.random.default_rng(3))
    on_ray = score_architectures(space, archs, ["naswot", "params"], cifar_batch, seed=1, store=Store(),
                                 compute=Compute(workers=2, backend="ray", show_progress=False, device="cpu"))
    here = score_architectures(space, archs, ["naswot", "params"], cifar_batch, seed=1, store=Store(),
                               compute=Compute(workers=1, show_progress=False, device="cpu"))
    assert on_ray.computed == here.computed == 40
    for name in ("naswot", "params"):
        assert on_ray.values(name, archs) == here.values(name, archs)


def _ray_run(**settings: str) -> None:
    space = get_space("nasbench201:C=4,N=1")
    batch = __import__("naswot.data", fromlist=["load_batch"]).load_batch("synthetic", None, batch_size=4, seed=0)
    score_architectures(space, [space.sample(np.random.default_rng(0))], ["naswot"], batch, store=Store(),
                        compute=Compute(workers=1, backend="ray", show_progress=False, device="cpu", **settings))


def test_without_ray_the_backend_is_one_line_with_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now raises ImportError
    with pytest.raises(NaswotError, match=r"needs Ray, which is not installed: pip install 'naswot\[ray\]'"):
        _ray_run()


def test_an_unreachable_cluster_is_one_line_within_seconds():
    require("ray", "pip install 'naswot[ray]'")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    start = time.monotonic()
    with pytest.raises(NaswotError, match=f"cannot reach the Ray cluster at ray://127.0.0.1:{port}"):
        _ray_run(address=f"ray://127.0.0.1:{port}")
    assert time.monotonic() - start < 10


def test_ctrl_c_during_a_ray_sweep_stops_the_workers_and_keeps_finished_results(tmp_path):
    require("ray", "pip install 'naswot[ray]'")
    store = tmp_path / "s.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "naswot", "sweep", "--space", "nasbench201:C=4,N=1", "--data", "synthetic",
         "--batch-size", "8", "--backend", "ray", "--workers", "2", "--store", str(store), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        env=dict(os.environ, PYTHONPATH=SRC))

    def rows() -> int:
        try:
            return sqlite3.connect(store).execute("SELECT COUNT(*) FROM results").fetchone()[0]
        except sqlite3.Error:
            return 0

    deadline = time.monotonic() + 240
    while rows() < 2 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGINT)  # the whole group, as a terminal's Ctrl-C
    _, stderr = process.communicate(timeout=90)
    assert process.returncode == 130
    assert [line for line in stderr.splitlines() if line.strip()] == [
        "naswot: interrupted; finished results are in the store: rerun the same command to resume"], stderr
    assert 2 <= rows() < 15625
    time.sleep(1.0)
    with pytest.raises(ProcessLookupError):  # nothing of the run's process group is left
        os.killpg(process.pid, 0)
