"""The package's face: score a network, search a space, export and train the pick, each in one call.

These are what the command line does, as functions (``naswot.score``, ``naswot.search``,
``naswot.export``, ``naswot.train``). Arguments are checked when the call is made: a score name that
does not exist, or a string where a network is expected, is one ``NaswotError`` before any work.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from naswot.compute import Compute
from naswot.errors import NaswotError
from naswot.exporting import export
from naswot.training import train

if TYPE_CHECKING:
    import numpy as np
    import torch
    from torch import nn

    from naswot.data.batch import Batch
    from naswot.searching.pareto import ParetoFront
    from naswot.searching.run import SearchRun, TrajectoryPoint
    from naswot.spaces.base import Arch, SearchSpace


def score(net: nn.Module, images: torch.Tensor | np.ndarray | Batch, labels: torch.Tensor | np.ndarray | None = None,
          *, score: str | Sequence[str] = "naswot", num_classes: int | None = None,
          seed: int = 0) -> float | dict[str, float]:
    """``net``'s training-free score(s) on ``images`` (N x C x H x W, normalised as the network expects).

    ``score`` is a registered score's name (``naswot list scores``) or several; one name gives a float,
    several a dict by name. ``labels`` are needed only by scores that use them (``needs labels`` in the
    list). The network itself is left as it was: each score works on a copy, seeded with ``seed``.
    An undefined score (a singular kernel, say) is ``-inf``.
    """
    import torch
    from torch import nn

    from naswot.scores import compute_score, get_score

    if not isinstance(net, nn.Module):
        raise NaswotError(f"net= must be a torch.nn.Module, not {type(net).__name__}: build the network first")
    names = [score] if isinstance(score, str) else list(score) if isinstance(score, (list, tuple)) else []
    if not names or not all(isinstance(name, str) for name in names):
        raise NaswotError(f"score={score!r} is not a score name or a list of them: see `naswot list scores`")
    specs = [get_score(name) for name in names]
    batch = _tensor_batch(images, labels, num_classes)
    values = {}
    for spec in specs:
        torch.manual_seed(seed)
        values[spec.name] = compute_score(spec, copy.deepcopy(net), batch).value
    return values[names[0]] if isinstance(score, str) else values


def _tensor_batch(images: Any, labels: Any, num_classes: int | None) -> Batch:
    import numpy as np
    import torch

    from naswot.data.batch import Batch

    if isinstance(images, Batch):
        return images
    if isinstance(images, np.ndarray):
        images = torch.from_numpy(images)
    if not isinstance(images, torch.Tensor) or images.ndim != 4 or not images.is_floating_point():
        raise NaswotError("images= must be a float tensor or array of shape N x C x H x W (normalised images)")
    if labels is not None:
        labels = torch.as_tensor(np.asarray(labels), dtype=torch.int64)
        if labels.shape != (len(images),):
            raise NaswotError(f"labels= holds {tuple(labels.shape)} values for {len(images)} images: give one label each")
    classes = num_classes or (int(labels.max()) + 1 if labels is not None else 10)
    digest = hashlib.sha256(images.detach().cpu().contiguous().numpy().tobytes())
    if labels is not None:
        digest.update(labels.numpy().tobytes())
    images = images.detach().float().contiguous(memory_format=torch.channels_last)
    return Batch(images, labels, classes, f"tensor:n={len(images)}:{digest.hexdigest()[:16]}")


@dataclass(frozen=True)
class Found:
    """What ``search`` found: the pick and how to build it, with the run's whole record."""

    run: SearchRun
    space: SearchSpace
    num_classes: int
    image_size: tuple[int, int]

    @property
    def arch(self) -> Arch:
        """The picked architecture."""
        return self.run.best.arch

    @property
    def score(self) -> float | None:
        return self.run.best_score

    @property
    def trajectory(self) -> list[TrajectoryPoint]:
        return self.run.trajectory

    @property
    def pareto(self) -> ParetoFront | None:
        """The non-dominated (score, cost) set, when the search was asked for one."""
        return self.run.pareto

    def network(self) -> nn.Module:
        """The pick, built untrained for the data's classes and resolution."""
        return self.space.build(self.arch, num_classes=self.num_classes)


def search(space: SearchSpace | str, data: str | Path | Batch = "cifar10", *, data_root: str | Path | None = None,
           score: str = "naswot", strategy: str = "random", n: int | None = 100, seed: int = 0,
           batch_size: int = 128, image_size: int | tuple[int, int] | None = None,
           max_params: float | None = None, max_flops: float | None = None, max_latency: float | None = None,
           pareto: str | None = None, store: str | Path = ":memory:", benchmark: str | Path | None = None,
           dataset: str | None = None, compute: Compute | None = None, **strategy_options: Any) -> Found:
    """Search ``space`` for the network ``score`` expects to train best on ``data``, within the budget.

    ``data`` is a data set name (``cifar10``, ``folder``, ``npz``, ``synthetic``… read from ``data_root``), a
    folder of images or an ``.npz`` file, or a ``Batch``. ``max_params``/``max_flops`` are in millions
    (multiply-accumulates per image), ``max_latency`` in ms; ``pareto`` (``params``, ``flops`` or
    ``latency``) adds the trade-off front. ``store`` keeps every score (a file: a rerun reuses them);
    ``benchmark`` (the space's accuracy table) adds each evaluated network's trained accuracy.
    """
    from naswot.scores.expressions import parse_score_list
    from naswot.searching import get_strategy
    from naswot.searching.budget import Budget
    from naswot.searching.stored import search_with_store
    from naswot.spaces import get_space
    from naswot.store import Store
    from naswot.tables import open_table

    if not isinstance(score, str):
        raise NaswotError(f"score={score!r} is not a score name or expression: pass e.g. 'naswot' or 'zero_label'")
    (fitness,) = parse_score_list(score)
    strategy_class = get_strategy(strategy)
    strategy_object = strategy_class(**{"fitness": fitness, **strategy_options})
    search_space = get_space(space) if isinstance(space, str) else space
    limits = Budget(max_params, max_flops, max_latency)
    batch = _data_batch(data, data_root, batch_size, seed, image_size)
    table, chosen = open_table(search_space.name, benchmark, dataset, data if isinstance(data, str) else None)
    with Store(store) as results:
        run = search_with_store(search_space, strategy_object, batch, table=table, dataset=chosen, n=n, seed=seed,
                                store=results, compute=compute or Compute(), budget=limits or None, pareto=pareto)
    return Found(run, search_space, batch.num_classes, (int(batch.images.shape[2]), int(batch.images.shape[3])))


def _data_batch(data: str | Path | Batch, root: str | Path | None, batch_size: int, seed: int,
                image_size: int | tuple[int, int] | None) -> Batch:
    from naswot.data import DATASETS, load_batch
    from naswot.data.batch import Batch

    if isinstance(data, Batch):
        return data
    if not isinstance(data, (str, Path)):
        raise NaswotError(f"data={data!r} is not a data set name, a folder, an .npz file or a Batch")
    if str(data) not in DATASETS and Path(data).expanduser().exists():  # a folder or file given directly
        data, root = ("npz" if Path(data).suffix == ".npz" else "folder"), data
    return load_batch(str(data), root, batch_size=batch_size, seed=seed, image_size=image_size)


__all__ = ["Found", "export", "score", "search", "train"]
