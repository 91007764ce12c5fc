"""Shared fixtures: the real data under ../shared/data (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from naswot.data import Batch, load_batch

# One torch thread, as the executor's workers use: on a shared machine, OpenMP threads waiting on
# each other make the small convolutions of these tests up to 100x slower.
torch.set_num_threads(1)

SHARED_DATA = Path(os.environ.get("NASWOT_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data")).resolve()


def shared(name: str) -> Path:
    """A file or folder of the shared data. When it is absent the test is skipped, saying why, except
    under CI (``CI=true``), where it fails: a wrong path must not pass a run with the real-data tests untested."""
    path = SHARED_DATA / name
    if not path.exists():
        why = f"{path} is not here (set NASWOT_SHARED_DATA to the shared data folder)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"CI: {why}", pytrace=False)
        pytest.skip(why)
    return path


def require(module: str, install: str) -> object:
    """An optional package a test needs: skipped with the install command where it is absent, except under CI,
    where a missing package fails the test (CI installs every extra: a skip there would hide untested code)."""
    try:
        return __import__(module)
    except ImportError:
        why = f"{module} is not installed: {install}"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"CI: {why}", pytrace=False)
        pytest.skip(why)


@pytest.fixture(scope="session")
def cifar10_root() -> Path:
    return shared("cifar-10-batches-py")


@pytest.fixture(scope="session")
def nb201_csv() -> Path:
    return shared("nasbench201_accuracies.csv")


@pytest.fixture(scope="session")
def nb201_params_csv() -> Path:
    return shared("nasbench201_params.csv")


@pytest.fixture(scope="session")
def nb101_json() -> Path:
    return shared("nasbench101_sample_1k.json")


@pytest.fixture(scope="session")
def cifar_batch(cifar10_root: Path) -> Batch:
    """32 real CIFAR-10 training images."""
    return load_batch("cifar10", cifar10_root, batch_size=32, seed=0)
