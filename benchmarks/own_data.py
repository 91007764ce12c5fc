"""A folder of your own images against the official files: the same images give the same values, bit for bit.

The shared CIFAR-10 training images are written as a folder of PNGs, one subfolder per class (``--images``,
default all the shared ones), and read back with ``--data folder``: a seeded class-balanced batch of 128, normalised by
the folder's own per-channel statistics (measured over a seeded sample of 500 files), decoding only those files.

1. Bit-identical: naswot on the shared sample of NAS-Bench-201 cells (``--n``, default the 400 of
   ``proxies-n400.json``) with the folder's batch, and with the very same images read from the official
   pickles and normalised by the same statistics: every value must be equal, bit for bit.
2. Kendall tau with NAS-Bench-201 CIFAR-10 test accuracy within noise of today's: the folder's batches (own
   normalisation, class-balanced draw) and the official ones (NAS-Bench-201's normalisation, uniform draw), each
   for batch seeds 0 .. ``--seeds``-1. Noise is the spread of the official tau over batch seeds; the folder's
   mean tau must lie within it of the official mean. The official seed-0 tau is today's reported one
   (``proxies-n400.json``: 0.639 on these 400 cells).
Scores go to the shared store, so a rerun resumes and the official seed-0 scores are those of the other benchmarks.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from benchmarks.common import SEED, SHARED, cifar10_batch, nasbench201_sample, nasbench201_table, store, write_json
from benchmarks.spaces import tau_interval
from naswot.compute import Compute
from naswot.data import Batch, load_batch
from naswot.data.balance import balanced_choice
from naswot.data.batch import normalise
from naswot.data.cifar import load_cifar10
from naswot.data.folder import list_folder
from naswot.data.pixels import channel_stats, stats_sample
from naswot.evaluate import rank_correlation
from naswot.executor import score_architectures

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
"""CIFAR-10's classes in label order, which is also their sorted order, so the folder keeps the labels."""
BATCH = 128
TODAY = {"kendall_tau": 0.639, "source": "proxies-n400.json singles.naswot.all (official batch seed 0, 400 cells)"}


def official_images() -> tuple[np.ndarray, np.ndarray]:
    """The shared training images (N x 3 x 32 x 32 uint8) and labels, read from the pickles by naswot's reader."""
    return load_cifar10(SHARED / "cifar-10-batches-py", "train")


def write_folder(root: Path, pixels: np.ndarray, labels: np.ndarray) -> None:
    """``root/<class>/<index>.png``: the index names the image's place in the official training set."""
    for name in CLASSES:
        (root / name).mkdir(parents=True, exist_ok=True)
    for i, (image, label) in enumerate(zip(pixels, labels)):
        Image.fromarray(image.transpose(1, 2, 0)).save(root / CLASSES[label] / f"{i:05d}.png")


def same_images_from_pickles(root: Path, pixels: np.ndarray, labels: np.ndarray, seed: int) -> Batch:
    """The folder batch's images, in its order, taken from the pickles and normalised by statistics measured on
    the pickles' copies of the folder's statistics sample: what the folder batch must equal."""
    listing = list_folder(root)
    position = np.array([int(Path(name).stem) for name in listing.names])
    chosen = position[balanced_choice(listing.labels, len(listing), BATCH, seed)]
    mean, std = channel_stats(pixels[position[stats_sample(len(listing))]])
    return Batch(normalise(pixels[chosen], mean, std), torch.from_numpy(labels[chosen].astype(np.int64)), 10,
                 f"cifar10-pickles-as-folder:n={BATCH}:seed={seed}")


def kendall(values: list[float], accuracies: list[float]) -> dict[str, float | list[float]]:
    return {"kendall_tau": rank_correlation(values, accuracies).kendall_tau, "kendall_tau_95": tau_interval(values, accuracies)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="cells of the shared NAS-Bench-201 sample")
    parser.add_argument("--seeds", type=int, default=3, help="batch seeds 0..S-1 for the tau noise")
    parser.add_argument("--images", type=int, default=None, help="training images written to the folder (default all)")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    space, archs = nasbench201_sample(args.n)
    accuracies = [nasbench201_table().accuracy(a, "cifar10") for a in archs]
    compute = Compute(workers=args.workers)
    pixels, labels = official_images()
    pixels, labels = pixels[:args.images], labels[:args.images]
    with tempfile.TemporaryDirectory() as folder, store() as results:
        root = Path(folder) / "cifar10-train"
        start = time.perf_counter()
        write_folder(root, pixels, labels)
        written = time.perf_counter() - start

        def naswot(batch: Batch) -> list[float]:
            return score_architectures(space, archs, ["naswot"], batch, seed=SEED, store=results,
                                       compute=compute).values("naswot", archs)

        start = time.perf_counter()
        folder_batches = [load_batch("folder", root, batch_size=BATCH, seed=seed) for seed in range(args.seeds)]
        read = (time.perf_counter() - start) / args.seeds
        copy = same_images_from_pickles(root, pixels, labels, 0)
        identical_images = torch.equal(folder_batches[0].images, copy.images)
        folder_values = [naswot(batch) for batch in folder_batches]
        copy_values = naswot(copy)
        official_batches = [cifar10_batch(BATCH, seed) for seed in range(args.seeds)]
        official_values = [naswot(batch) for batch in official_batches]
    official = [kendall(values, accuracies) for values in official_values]
    own = [kendall(values, accuracies) for values in folder_values]
    official_taus = [entry["kendall_tau"] for entry in official]
    own_taus = [entry["kendall_tau"] for entry in own]
    noise = max(official_taus) - min(official_taus)
    gap = float(np.mean(own_taus) - np.mean(official_taus))
    bit_identical = folder_values[0] == copy_values and identical_images
    print(f"bit-identical: {bit_identical}; tau folder {np.round(own_taus, 3)} vs official {np.round(official_taus, 3)}")
    write_json("own_data", {
        "n": args.n, "batch_size": BATCH, "seeds": args.seeds, "folder_images": len(pixels),
        "folder_write_seconds": written, "folder_batch_seconds": read,
        "folder_notes": list(folder_batches[0].notes),
        "bit_identical": {"images_equal": identical_images, "naswot_values_equal": folder_values[0] == copy_values,
                          "cells": args.n, "folder_batch": folder_batches[0].fingerprint, "pickle_batch": copy.fingerprint},
        "kendall_tau_cifar10": {"folder": own, "official": official, "folder_batches": [b.fingerprint for b in folder_batches],
                                "official_batches": [b.fingerprint for b in official_batches]},
        "tau_gap_folder_minus_official": gap, "tau_noise_official_seed_spread": noise, "today": TODAY,
        "targets": {"bit_identical": True, "tau_gap_within_noise": True},
        "targets_met": {"bit_identical": bit_identical, "tau_gap_within_noise": abs(gap) <= noise},
    })


if __name__ == "__main__":
    main()
