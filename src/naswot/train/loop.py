"""Training a picked architecture: the recipe's epochs, a checkpoint after each, and the held-out accuracy at the end.

A run is fixed by its settings: the network starts from the initialisation every score of ``seed`` saw,
and each epoch's order and augmentation come from (``seed``, epoch) alone. So a run killed after any
epoch and rerun with the same ``out`` resumes from its last checkpoint and ends with the weights an
uninterrupted run ends with.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from torch import nn
from torch.nn import functional as F

from naswot.errors import NaswotError
from naswot.train.augment import crop_and_flip, normalise
from naswot.train.checkpoint import load_safe, save_atomic
from naswot.train.data import Part, TrainingData, training_data
from naswot.train.recipe import Recipe

if TYPE_CHECKING:
    from naswot.data.images import ImageSet
    from naswot.spaces.base import Arch, SearchSpace

CHECKPOINT = "checkpoint.pt"
WEIGHTS = "model.pt"
EVAL_BATCH = 500
NOTE_EVERY = 10
"""Steps between updates of the loss and accuracy shown beside the progress (each reads them off the device)."""


@dataclass
class TrainResult:
    """A finished run: the trained network, one history entry per epoch, and the held-out accuracy (percent)."""

    net: nn.Module
    space: str
    arch: str
    data: str
    device: str
    epochs: int
    history: list[dict[str, Any]]
    test_accuracy: float
    held_out: str
    checkpoint: str
    weights: str
    resumed_from: int = 0
    """The epochs a previous run had done (0 for a fresh run)."""
    recipe: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The ``naswot train --json`` document (what the report reads)."""
        return {"command": "train", "space": self.space, "arch": self.arch, "data": self.data, "device": self.device,
                "epochs": self.epochs, "recipe": self.recipe, "history": self.history, "test_accuracy": self.test_accuracy,
                "held_out": self.held_out, "checkpoint": self.checkpoint, "weights": self.weights,
                "resumed_from": self.resumed_from}


def train(space: SearchSpace | str, arch: Arch | str, data: ImageSet | str, epochs: int, *, out: str | Path,
          data_root: str | Path | None = None, split: str = "train", held_out: float = 0.1, limit: int | None = None,
          recipe: Recipe | None = None, seed: int = 0, device: str = "auto", show_progress: bool = True,
          on_epoch: Callable[[int, dict[str, Any]], None] | None = None) -> TrainResult:
    """Train ``arch`` of ``space`` on ``data`` for ``epochs``, checkpointing into the folder ``out``.

    ``data`` is an ``ImageSet`` or a data set name read from ``data_root``; the accuracy at the end is on a
    seeded ``held_out`` fraction of it, or on the official test split with ``split="test"``. A rerun with the
    same ``out`` and settings resumes after the last finished epoch. ``on_epoch(epoch, entry)`` is called
    after each epoch's checkpoint is written.
    """
    from naswot.device import resolve_device
    from naswot.spaces import resolve

    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise NaswotError(f"epochs={epochs!r} is not a whole number of at least 1: pass e.g. 200 (NAS-Bench-201's)")
    recipe = recipe or Recipe()
    space, arch = resolve(space, arch)
    folder = _output_folder(out)
    target = resolve_device(device)
    prepared = training_data(data, data_root=data_root, split=split, held_out=held_out, limit=limit, seed=seed)
    run = {"space": space.spec(), "arch": str(arch), "data": prepared.fingerprint, "seed": seed, "epochs": epochs,
           "recipe": recipe.settings()}
    net, optimizer = _network(space, arch, prepared.num_classes, seed, recipe, target)
    history = _resume(folder / CHECKPOINT, run, net, optimizer)
    done = len(history)
    _epochs(net, optimizer, prepared, recipe, run, history, folder, target, show_progress, on_epoch)
    accuracy = accuracy_on(net, prepared.held, prepared, target)
    save_atomic({name: tensor.cpu() for name, tensor in net.state_dict().items()}, folder / WEIGHTS)
    return TrainResult(net, space.spec(), str(arch), prepared.fingerprint, str(target), epochs, history, accuracy,
                       prepared.held_out, str(folder / CHECKPOINT), str(folder / WEIGHTS), done, recipe.settings())


def _output_folder(out: str | Path) -> Path:
    folder = Path(out).expanduser()
    if folder.exists() and not folder.is_dir():
        raise NaswotError(f"out={folder} is a file: pass a folder for the checkpoints (it is created)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise NaswotError(f"out={folder} cannot be created ({exc.strerror}): pass a writable folder") from None
    return folder


def _network(space: SearchSpace, arch: Arch, num_classes: int, seed: int, recipe: Recipe,
             device: torch.device) -> tuple[nn.Module, torch.optim.Optimizer]:
    """The network as every score of ``seed`` saw it, on ``device``, and its SGD optimiser."""
    from naswot.compute import build_network

    net = build_network(space, arch, seed, num_classes).to(device, memory_format=torch.channels_last)
    optimizer = torch.optim.SGD(net.parameters(), lr=recipe.lr, momentum=recipe.momentum, nesterov=recipe.nesterov,
                                weight_decay=recipe.weight_decay)
    return net, optimizer


def _resume(path: Path, run: dict[str, Any], net: nn.Module, optimizer: torch.optim.Optimizer) -> list[dict[str, Any]]:
    """The history of the run checkpointed at ``path`` (its states loaded), or an empty one where there is none."""
    if not path.exists():
        return []
    saved = load_safe(path, "training checkpoint")
    if not isinstance(saved, dict) or not {"run", "model", "optimizer", "history"} <= saved.keys():
        raise NaswotError(f"{path} is not a naswot train checkpoint: delete it or pass another out=")
    previous = json.loads(saved["run"])
    different = [key for key in run if previous.get(key) != run[key]]
    if different:
        key = different[0]
        raise NaswotError(f"{path} is the checkpoint of another run ({key} {previous.get(key)!r}, not {run[key]!r}): "
                          "pass another out= to start a new run, or the same settings to resume it")
    net.load_state_dict(saved["model"])
    optimizer.load_state_dict(saved["optimizer"])
    return list(saved["history"])


def _epoch_generator(seed: int, epoch: int) -> torch.Generator:
    """The draws of one epoch (order, crops, flips), from the run's seed and the epoch alone."""
    digest = hashlib.sha256(f"{seed}|train|{epoch}".encode()).digest()
    return torch.Generator().manual_seed(int.from_bytes(digest[:8], "little") & (2**63 - 1))


def _epochs(net: nn.Module, optimizer: torch.optim.Optimizer, data: TrainingData, recipe: Recipe, run: dict[str, Any],
            history: list[dict[str, Any]], folder: Path, device: torch.device, show_progress: bool,
            on_epoch: Callable[[int, dict[str, Any]], None] | None) -> None:
    """Train the epochs after those in ``history``, appending to it and checkpointing after each."""
    from naswot.progress import progress_bar

    pixels = torch.from_numpy(data.train.pixels).to(device)
    labels = torch.from_numpy(data.train.labels).to(device)
    steps = math.ceil(len(data.train) / recipe.batch_size)
    epochs = run["epochs"]
    with progress_bar("training", epochs * steps, show_progress and len(history) < epochs, done=len(history) * steps) as advance:
        for epoch in range(len(history), epochs):
            start = time.perf_counter()
            generator = _epoch_generator(run["seed"], epoch)
            order = torch.randperm(len(data.train), generator=generator).to(device)
            net.train()
            loss_sum, correct = torch.zeros((), device=device), torch.zeros((), device=device, dtype=torch.long)
            for step in range(steps):
                index = order[step * recipe.batch_size:(step + 1) * recipe.batch_size]
                images = normalise(crop_and_flip(pixels[index], recipe.padding, recipe.flip, generator), data.mean, data.std)
                for group in optimizer.param_groups:
                    group["lr"] = recipe.lr_at(epoch * steps + step, epochs * steps)
                logits = net(images)
                loss = F.cross_entropy(logits, labels[index])
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                optimizer.step()
                loss_sum += loss.detach() * len(index)
                correct += (logits.argmax(1) == labels[index]).sum()
                advance(note=_note(epoch, epochs, loss_sum, correct, min((step + 1) * recipe.batch_size, len(data.train)))
                        if step % NOTE_EVERY == 0 or step == steps - 1 else None)
            entry = {"epoch": epoch + 1, "train_loss": loss_sum.item() / len(data.train),
                     "train_accuracy": 100 * correct.item() / len(data.train), "seconds": time.perf_counter() - start}
            if not math.isfinite(entry["train_loss"]):
                raise NaswotError(f"training diverged in epoch {epoch + 1} (the loss is {entry['train_loss']}): "
                                  "pass a smaller lr=")
            history.append(entry)
            state = {"run": json.dumps(run, sort_keys=True), "history": history,
                     "model": {name: tensor.cpu() for name, tensor in net.state_dict().items()},
                     "optimizer": optimizer.state_dict()}
            save_atomic(state, folder / CHECKPOINT)
            if on_epoch is not None:
                on_epoch(epoch + 1, entry)


def _note(epoch: int, epochs: int, loss_sum: torch.Tensor, correct: torch.Tensor, seen: int) -> str:
    return f"epoch {epoch + 1}/{epochs} loss {loss_sum.item() / seen:.3f} accuracy {100 * correct.item() / seen:.1f}%"


@torch.no_grad()
def accuracy_on(net: nn.Module, part: Part, data: TrainingData, device: torch.device) -> float:
    """The percentage of ``part`` the network classifies right, in eval mode (BatchNorm's running statistics)."""
    net.eval()
    correct = 0
    for start in range(0, len(part), EVAL_BATCH):
        pixels = torch.from_numpy(part.pixels[start:start + EVAL_BATCH]).to(device)
        logits = net(normalise(pixels, data.mean, data.std))
        correct += int((logits.argmax(1).cpu() == torch.from_numpy(part.labels[start:start + EVAL_BATCH])).sum())
    return 100 * correct / len(part)
