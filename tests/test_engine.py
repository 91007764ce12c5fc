"""The compute engine as a run uses it: one backend per run, with the run's own settings, for every kind of
space, including one written in the user's own code, and with more than one worker."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import require
from torch import nn

from naswot.backends import BACKENDS, Backend
from naswot.backends import local as local_backend
from naswot.compute import Compute
from naswot.executor import score_architectures
from naswot.keys import KeyBuilder
from naswot.scores import get_score
from naswot.scores.expressions import parse_score
from naswot.searching import get_strategy
from naswot.searching.stored import search_with_store
from naswot.spaces import get_space, register_space
from naswot.spaces.base import SearchSpace, other_choice
from naswot.store import Store
from naswot.sweep import sweep

SRC = Path(__file__).resolve().parents[1] / "src"


class WidthSpace(SearchSpace):
    """A user's own family: one 3x3 convolution of a chosen width, ReLU, pooling, a classifier."""

    name = "widths"
    WIDTHS = (2, 3, 4, 5, 6, 7, 8, 9)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.choice(self.WIDTHS))

    def mutate(self, arch: int, rng: np.random.Generator) -> int:
        return other_choice(self.WIDTHS, arch, rng)

    def parse(self, text: str) -> int:
        return int(text)

    def build(self, arch: int, num_classes: int = 10) -> nn.Module:
        return nn.Sequential(nn.Conv2d(3, arch, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                             nn.Linear(arch, num_classes))

    def __len__(self) -> int:
        return len(self.WIDTHS)

    def __iter__(self) -> Iterator[int]:
        return iter(self.WIDTHS)


register_space("widths")(WidthSpace)


class Recording:
    """Wraps the local backend and counts what a run sends through it, and how often it is opened."""

    opened = 0
    submitted: list[str] = []

    @classmethod
    @contextlib.contextmanager
    def backend(cls, compute: Compute, settings: object, tasks: int) -> Iterator[Backend]:
        cls.opened += 1
        with local_backend.local_backend(compute, settings, tasks) as inner:  # type: ignore[arg-type]
            original = inner.submit

            def submit(task):  # type: ignore[no-untyped-def]
                cls.submitted.append(task.arch)
                original(task)

            inner.submit = submit  # type: ignore[method-assign]
            yield inner


@pytest.fixture
def recording(monkeypatch: pytest.MonkeyPatch) -> type[Recording]:
    monkeypatch.setattr(Recording, "opened", 0)
    monkeypatch.setattr(Recording, "submitted", [])
    if "recording" not in BACKENDS:
        BACKENDS.register("recording", Recording.backend)
    return Recording


@pytest.mark.parametrize("workers", [1, 2])
def test_every_evolve_child_goes_through_the_runs_one_backend_and_key(recording, workers, cifar_batch):
    space, store = get_space("nasbench201:C=4,N=1"), Store()
    compute = Compute(workers=workers, backend="recording", device="cpu", show_progress=False)
    run = search_with_store(space, get_strategy("evolve")(population=4, sample=2), cifar_batch, n=12, seed=0, store=store,
                            compute=compute)
    assert recording.opened == 1  # the population and every child: one backend
    assert sorted(recording.submitted) == sorted({str(e.arch) for e in run.history})  # nothing scored around it
    key = KeyBuilder(space, cifar_batch, 0, "cpu").key(run.history[0].arch, get_score("naswot"))
    assert {row.key for row in store.rows()} == {key}  # every child stored under the run's key (device included)


def test_a_budgeted_search_starts_one_pool_for_all_its_chunks(monkeypatch, cifar_batch):
    started = []
    original = local_backend.ProcessPool.__init__

    def counting(self, settings, workers):  # type: ignore[no-untyped-def]
        started.append(workers)
        original(self, settings, workers)

    monkeypatch.setattr(local_backend.ProcessPool, "__init__", counting)
    space = get_space("nasbench201:C=4,N=1")
    run = search_with_store(space, get_strategy("random")(), cifar_batch, n=40, budget_seconds=1e6, seed=0,
                            store=Store(), compute=Compute(workers=2, show_progress=False))
    assert len(run.history) == 40 and run.computed == 40  # three chunks of 16 at most
    assert started == [2]


@pytest.mark.parametrize("registered", [True, False])
def test_a_users_own_space_scores_with_two_workers_as_with_one(registered, cifar_batch):
    space = get_space("widths") if registered else WidthSpace()
    archs = list(space)
    two = score_architectures(space, archs, ["naswot", "params"], cifar_batch, store=Store(),
                              compute=Compute(workers=2, show_progress=False))
    one = score_architectures(space, archs, ["naswot", "params"], cifar_batch, store=Store(),
                              compute=Compute(workers=1, show_progress=False))
    assert two.computed == one.computed == 16
    for name in ("naswot", "params"):
        assert two.values(name, archs) == one.values(name, archs)
    assert two.values("params", archs) == [float(3 * 9 * w + w + w * 10 + 10) for w in archs]


def test_a_sweep_and_a_search_over_the_same_zoo_models_find_each_others_rows(tmp_path, monkeypatch, cifar_batch):
    (tmp_path / "tiny_models.py").write_text(textwrap.dedent('''
        from torch import nn

        def tiny(width=4, num_classes=10):
            return nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                 nn.Linear(width, num_classes))
    '''))
    monkeypatch.chdir(tmp_path)
    space = get_space("zoo:family=tiny_models:tiny,width=2|3|4")
    store = Store(tmp_path / "zoo.db")
    swept = sweep(space, ["naswot"], cifar_batch, list(space), store=store, compute=Compute(workers=1, show_progress=False))
    assert swept.computed == 3 and swept.undefined == {"naswot": 0}
    run = search_with_store(space, get_strategy("random")(fitness=parse_score("naswot")), cifar_batch, n=3, seed=0,
                            store=store, compute=Compute(workers=1, show_progress=False))
    assert (run.computed, run.reused) == (0, 3)
    again = sweep(space, ["naswot"], cifar_batch, list(space), store=store, compute=Compute(workers=1, show_progress=False))
    assert (again.computed, again.reused) == (0, 3)


def test_a_ray_evolve_keeps_the_runs_key_and_gives_the_local_numbers(cifar_batch):
    require("ray", "pip install 'naswot[ray]'")
    space = get_space("nasbench201:C=4,N=1")
    runs = {}
    for backend in ("ray", "local"):
        store = Store()
        runs[backend] = search_with_store(space, get_strategy("evolve")(population=4, sample=2), cifar_batch, n=10, seed=3,
                                          store=store, compute=Compute(workers=2, backend=backend, device="cpu",
                                                                       show_progress=False))
        key = KeyBuilder(space, cifar_batch, 3, "cpu").key(runs[backend].history[0].arch, get_score("naswot"))
        assert {row.key for row in store.rows()} == {key} and runs[backend].computed == store.count()
    assert [e.scores for e in runs["ray"].history] == [e.scores for e in runs["local"].history]


SCRIPT = '''
import numpy as np
from torch import nn
from naswot.compute import Compute
from naswot.data import synthetic_batch
from naswot.executor import score_architectures
from naswot.spaces.base import SearchSpace


class Mine(SearchSpace):
    name = "mine"

    def sample(self, rng):
        return int(rng.integers(2, 6))

    def mutate(self, arch, rng):
        return arch + 1

    def parse(self, text):
        return int(text)

    def build(self, arch, num_classes=10):
        return nn.Sequential(nn.Conv2d(3, arch, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(arch * 64, num_classes))

    def __len__(self):
        return 4


def run():
    table = score_architectures(Mine(), [2, 3, 4, 5], ["naswot"], synthetic_batch(8, 0, image_size=8),
                                compute=Compute(workers=2, show_progress=False))
    print("scored", table.computed)
'''


@pytest.mark.parametrize("guarded", [True, False])
def test_a_plain_script_with_its_own_space_runs_with_or_without_a_main_guard(tmp_path, guarded):
    body = SCRIPT + ('if __name__ == "__main__":\n    run()\n' if guarded else "run()\n")
    (tmp_path / "script.py").write_text(body)
    result = subprocess.run([sys.executable, "script.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["scored 4"]  # once: no worker ran the script again
    if guarded:
        assert "scoring in this process" not in result.stderr
    else:
        assert "scoring in this process" in result.stderr and "line " in result.stderr
