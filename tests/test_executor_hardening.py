"""Issue 10's executor and store items: each test failed before its fix."""

from __future__ import annotations

import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from naswot.compute import Compute, default_workers
from naswot.data.batch import Batch
from naswot.errors import NaswotError
from naswot.executor import score_architectures
from naswot.scores.compute import ScoreFailed, compute_score
from naswot.scores.registry import get_score
from naswot.searching import sample_distinct
from naswot.spaces import get_space
from naswot.spaces.base import SearchSpace
from naswot.store import Store

SRC = str(Path(__file__).resolve().parents[1] / "src")
SERIAL = Compute(workers=1, show_progress=False)
SEARCH = ["-m", "naswot", "search", "--space", "nasbench201:C=8,N=1", "--data", "synthetic", "--batch-size", "16", "--quiet"]


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=SRC)


def test_a_read_only_store_is_one_line_before_any_work(tmp_path):
    with Store(tmp_path / "ro.db"):
        pass
    (tmp_path / "ro.db").chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    # root writes through file modes; in a user namespace of its own it has no such privilege on these files
    prefix = []
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without `unshare`: a read-only file cannot be made here")
        prefix = ["unshare", "--user"]
    start = time.monotonic()
    result = subprocess.run([*prefix, sys.executable, *SEARCH, "--n", "50", "--workers", "1", "--store", str(tmp_path / "ro.db")],
                            capture_output=True, text=True, timeout=120, env=_env(), cwd=tmp_path)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1 and "read-only" in lines[0], result.stderr
    assert time.monotonic() - start < 30  # 50 networks were not scored first


def test_ctrl_c_with_two_workers_in_the_first_seconds_is_one_line(tmp_path):
    """SIGINT to the whole process group, as a terminal's Ctrl-C sends it, while the workers start."""
    process = subprocess.Popen([sys.executable, *SEARCH, "--n", "200", "--workers", "2", "--store", str(tmp_path / "s.db")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(), start_new_session=True)
    deadline = time.monotonic() + 60
    while not (tmp_path / "s.db").exists() and time.monotonic() < deadline:  # the command is past its checks
        time.sleep(0.05)
    time.sleep(1.0)  # the workers are starting
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130
    assert [line for line in stderr.splitlines() if line.strip()] == [
        "naswot: interrupted; finished results are in the store: rerun the same command to resume"], stderr


class _Fails(nn.Module):
    """Fails when it computes values (as running out of memory does), not on shapes alone."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.error = error

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv(x)
        if x.device.type != "meta":
            raise self.error
        return y


class _OneSpace(SearchSpace):
    """Two 'architectures': one that runs out of memory, one that cannot take 32x32 images."""

    name = "failing"

    def sample(self, rng): return "oom"  # noqa: E704
    def mutate(self, arch, rng): return arch  # noqa: E704
    def parse(self, text): return text  # noqa: E704
    def __len__(self): return 2  # noqa: E704

    def build(self, arch, num_classes=10):
        if arch == "oom":
            return _Fails(torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB"))
        return nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(10, num_classes))


def _batch() -> Batch:
    return Batch(torch.randn(4, 3, 32, 32), torch.zeros(4, dtype=torch.int64), 10, "random:4")


def test_only_failures_every_rerun_repeats_are_stored_as_minus_infinity():
    space, store = _OneSpace(), Store()
    table = score_architectures(space, ["shapes"], ["naswot"], _batch(), store=store, compute=SERIAL)
    shapes = table.results["naswot"]["shapes"]
    assert shapes.value == -math.inf and "failed on this batch" in shapes.reason and store.count() == 1
    with pytest.raises(ScoreFailed, match="scoring oom with naswot failed .*out of memory.*rerun to retry"):
        score_architectures(space, ["oom"], ["naswot"], _batch(), store=store, compute=SERIAL)
    assert store.count() == 1  # not stored: a rerun retries it
    assert isinstance(ScoreFailed("x"), NaswotError)  # the command line prints it as one line


def test_a_runtime_error_the_shapes_do_not_explain_fails_the_run():
    with pytest.raises(ScoreFailed, match="RuntimeError: driver fault"):
        compute_score(get_score("naswot"), _Fails(RuntimeError("driver fault")), _batch())


def test_networks_handed_to_workers_when_the_budget_ends_are_stored(cifar_batch):
    """The budget ends before the two workers have even imported torch, so the networks already queued to them
    (which a pool cannot take back) finish afterwards: they are stored, and the rest never start."""
    space, store = get_space("nasbench201:C=4,N=1"), Store()
    archs = sample_distinct(space, 48, np.random.default_rng(0))
    table = score_architectures(space, archs, ["naswot"], cifar_batch, store=store,
                                compute=Compute(workers=2, show_progress=False), budget_seconds=0.05)
    assert not table.complete and 2 <= table.computed < 48
    assert store.count() == table.computed == len(table.results["naswot"])


def test_worker_count_follows_cpu_affinity(monkeypatch):
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert default_workers() == 1


def test_a_worker_count_or_backend_that_cannot_run_is_refused_even_when_all_is_stored(cifar_batch):
    space, store = get_space("nasbench201:C=4,N=1"), Store()
    archs = sample_distinct(space, 2, np.random.default_rng(0))
    score_architectures(space, archs, ["params"], cifar_batch, store=store, compute=SERIAL)
    with pytest.raises(NaswotError, match="workers=0 runs nothing"):
        Compute(workers=0)
    with pytest.raises(NaswotError, match="unknown backend 'dask'"):
        score_architectures(space, archs, ["params"], cifar_batch, store=store, compute=Compute(backend="dask"))
