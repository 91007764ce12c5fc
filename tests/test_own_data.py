"""Your own images: a folder (one subfolder per class, or none), an .npz file, their batches and refusals.

The folders and files are written at test time from the shared CIFAR-10 images, so a folder can be checked
against the official pickles it came from.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from naswot.compute import Compute
from naswot.data import load_batch, load_images
from naswot.data.balance import balanced_choice, class_counts
from naswot.data.batch import Batch, normalise
from naswot.data.folder import list_folder
from naswot.data.pixels import channel_stats
from naswot.errors import NaswotError
from naswot.executor import score_architectures
from naswot.spaces import get_space
from naswot.store import Store
from tests.cli_runner import assert_one_line_error, naswot
from tests.conftest import require

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
"""CIFAR-10's classes in label order, which is also their sorted order: a folder per class keeps the labels."""
COUNT = 300
SERIAL = Compute(workers=1, show_progress=False)
SPACE = "nasbench201:C=4,N=1"


@pytest.fixture(scope="module")
def cifar(cifar10_root: Path) -> tuple[np.ndarray, np.ndarray]:
    """The first COUNT images (N x 3 x 32 x 32 uint8) and labels of the official data_batch_1."""
    with (cifar10_root / "data_batch_1").open("rb") as handle:
        content = pickle.load(handle, encoding="bytes")
    return content[b"data"][:COUNT].reshape(-1, 3, 32, 32), np.asarray(content[b"labels"][:COUNT])


def write_folder(root: Path, pixels: np.ndarray, labels: np.ndarray | None, suffix: str = ".png") -> Path:
    """The images as files named by their index: DIR/class/00042.png, or DIR/00042.png without labels."""
    for i, image in enumerate(pixels):
        folder = root if labels is None else root / CLASSES[labels[i]]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image.transpose(1, 2, 0)).save(folder / f"{i:05d}{suffix}")
    return root


@pytest.fixture(scope="module")
def cifar_folder(cifar, tmp_path_factory) -> Path:
    return write_folder(tmp_path_factory.mktemp("cifar_folder"), *cifar)


def naswot_values(batch: Batch, count: int = 8) -> list[float]:
    space = get_space(SPACE)
    rng = np.random.default_rng(5)
    cells = list(dict.fromkeys(space.sample(rng) for _ in range(count)))
    return score_architectures(space, cells, ["naswot"], batch, store=Store(), compute=SERIAL).values("naswot", cells)


def test_a_folder_of_cifar_images_scores_bit_identically_to_the_official_pickles(cifar, cifar_folder):
    pixels, labels = cifar
    batch = load_batch("folder", cifar_folder, batch_size=64, seed=1)
    listing = list_folder(cifar_folder)
    chosen = balanced_choice(listing.labels, len(listing), 64, 1)
    indices = [int(Path(listing.names[i]).stem) for i in chosen]
    # the official images at those positions, normalised by their own statistics, computed here from the pickle
    mean, std = channel_stats(pixels)
    official = Batch(normalise(pixels[indices], mean, std), torch.from_numpy(labels[indices]), 10, "official pickle")
    assert torch.equal(batch.images, official.images) and torch.equal(batch.labels, official.labels)
    assert batch.num_classes == 10 and batch.fingerprint.startswith("folder:32x32:n=64:seed=1:")
    values = naswot_values(batch)
    assert values == naswot_values(official) and len(set(values)) > 1 and all(np.isfinite(values))


def test_the_batch_is_seeded_and_class_balanced(cifar, cifar_folder):
    batch = load_batch("folder", cifar_folder, batch_size=40, seed=3)
    again = load_batch("folder", cifar_folder, batch_size=40, seed=3)
    other = load_batch("folder", cifar_folder, batch_size=40, seed=4)
    assert torch.equal(batch.images, again.images) and batch.fingerprint == again.fingerprint
    assert batch.fingerprint != other.fingerprint
    assert np.bincount(batch.labels.numpy(), minlength=10).tolist() == [4] * 10
    # a class with too few images gives all it has, the others share the rest as evenly as they can
    counts = class_counts(np.array([2, 10, 10, 1]), 12, np.random.default_rng(0))
    assert counts.tolist()[0] == 2 and counts.tolist()[3] == 1 and sorted(counts.tolist()[1:3]) == [4, 5]
    assert class_counts(np.array([3, 3]), 6, np.random.default_rng(0)).tolist() == [3, 3]


def test_the_fingerprint_covers_names_labels_and_pixels(cifar, tmp_path):
    pixels, labels = cifar[0][:20], cifar[1][:20]

    def fingerprint(root: Path) -> str:
        return load_batch("folder", root, batch_size=20, seed=0).fingerprint

    base = fingerprint(write_folder(tmp_path / "base", pixels, labels))
    assert fingerprint(write_folder(tmp_path / "copy", pixels, labels)) == base  # another path, the same images
    renamed = write_folder(tmp_path / "renamed", pixels, labels)
    first = next((renamed / CLASSES[labels[0]]).iterdir())
    first.rename(first.with_name("z" + first.name))
    changed = pixels.copy()
    changed[0, 0, 0, 0] ^= 1
    relabelled = labels.copy()
    relabelled[:2] = relabelled[1::-1]  # two images of different classes swap classes
    assert labels[0] != labels[1]
    others = {fingerprint(renamed), fingerprint(write_folder(tmp_path / "pixel", changed, labels)),
              fingerprint(write_folder(tmp_path / "labels", pixels, relabelled))}
    assert base not in others and len(others) == 3


def test_a_big_folder_decodes_only_the_batch_and_the_statistics_sample(cifar_folder, monkeypatch):
    import naswot.data.folder as folder

    monkeypatch.setattr("naswot.data.pixels.STATS_IMAGES", 25)
    opened: list[Path] = []
    read = folder.read_image
    monkeypatch.setattr(folder, "read_image", lambda path: opened.append(path) or read(path))
    batch = load_batch("folder", cifar_folder, batch_size=10, seed=0)
    assert len(batch) == 10 and 25 <= len(opened) <= 35 and len(set(opened)) == len(opened)
    assert batch.notes[-1].endswith("over a seeded sample of 25 of its 300 images")


def test_images_without_labels_score_label_free_and_refuse_label_scores(cifar, tmp_path):
    root = write_folder(tmp_path / "flat", cifar[0][:24], None)
    batch = load_batch("folder", root, batch_size=16, seed=0)
    assert batch.labels is None and len(batch) == 16
    assert all(np.isfinite(naswot_values(batch, 3)))
    with pytest.raises(NaswotError, match=f"score 'naswot_class' needs labelled images, and {root} has no labels"):
        score_architectures(get_space(SPACE), [get_space(SPACE).sample(np.random.default_rng(0))], ["naswot_class"],
                            batch, compute=SERIAL)


def test_grayscale_rgba_and_other_sizes_become_rgb_at_one_size(cifar, tmp_path):
    labels = np.array([0] * 6 + [1] * 6)
    luminance = np.stack([np.asarray(Image.fromarray(image.transpose(1, 2, 0)).convert("L")) for image in cifar[0][:12]])
    rgb = write_folder(tmp_path / "rgb", np.repeat(luminance[:, None], 3, axis=1), labels)
    gray = write_folder(tmp_path / "gray", np.repeat(luminance[:, None], 3, axis=1), labels)
    for path in sorted(gray.rglob("*.png")):
        Image.open(path).convert("L").save(path)
    rgba = gray / CLASSES[0] / "00000.png"
    Image.open(rgba).convert("RGBA").save(rgba)
    converted = load_batch("folder", gray, batch_size=12, seed=0)
    assert torch.equal(converted.images, load_batch("folder", rgb, batch_size=12, seed=0).images)
    assert f"{gray}: converted to RGB: 11 L, 1 RGBA of the 12 images read" in converted.notes
    big = gray / CLASSES[1] / "00011.png"
    Image.open(big).resize((40, 48)).save(big)
    batch = load_batch("folder", gray, batch_size=12, seed=0)
    assert batch.image_size == (32, 32) and "come in 2 sizes: 1 of the 12 read resized to 32x32" in " ".join(batch.notes)
    assert load_batch("folder", gray, batch_size=12, seed=0, image_size=(24, 40)).image_size == (24, 40)


def test_npz_in_either_layout_gives_the_same_batch(cifar, tmp_path):
    pixels, labels = cifar
    np.savez(tmp_path / "last.npz", x=pixels.transpose(0, 2, 3, 1), y=labels)
    np.savez(tmp_path / "first.npz", x=pixels, y=np.array(CLASSES)[labels])  # labels as class names
    last = load_batch("npz", tmp_path / "last.npz", batch_size=32, seed=2)
    first = load_batch("npz", tmp_path / "first.npz", batch_size=32, seed=2)
    assert torch.equal(last.images, first.images) and torch.equal(last.labels, first.labels)
    assert last.fingerprint == first.fingerprint and last.num_classes == 10
    assert set(np.bincount(last.labels.numpy(), minlength=10).tolist()) == {3, 4}  # 32 images over 10 classes
    # float pixels on the [0, 1] scale normalise by their own statistics to the same images as uint8 ones
    np.savez(tmp_path / "float.npz", x=pixels.astype(np.float32) / 255, y=labels)
    floats = load_batch("npz", tmp_path / "float.npz", batch_size=32, seed=2)
    assert torch.allclose(floats.images, last.images, atol=1e-4)
    gray = load_images("npz", _saved(tmp_path / "gray.npz", x=pixels[:, :1]))
    assert gray.pixels.shape == (COUNT, 3, 32, 32) and gray.labels is None


def _saved(path: Path, **arrays: np.ndarray) -> Path:
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("arrays, message", [
    ({"images": np.zeros((4, 8, 8, 3), np.uint8)}, "has no array 'x' (it holds images)"),
    ({"x": np.zeros((4, 8, 8), np.uint8)}, "x has shape (4, 8, 8), not N x H x W x C or N x C x H x W"),
    ({"x": np.zeros((4, 8, 8, 3), np.int64)}, "x holds int64 values: give uint8 pixels (0-255) or floats"),
    ({"x": np.zeros((4, 8, 8, 3), np.uint8), "y": np.arange(3)}, "y has shape (3,) for 4 images"),
    ({"x": np.full((4, 8, 8, 3), np.nan, np.float32)}, "the images hold NaN or infinite pixel values"),
])
def test_a_bad_npz_is_refused_naming_the_file(tmp_path, arrays, message):
    path = _saved(tmp_path / "mine.npz", **arrays)
    with pytest.raises(NaswotError) as refused:
        load_batch("npz", path, batch_size=2)
    assert str(path) in str(refused.value) and message in str(refused.value)


def test_a_bad_folder_is_refused_naming_it(cifar, tmp_path):
    four, classes = cifar[0][:4], np.array([0, 0, 1, 1])
    refusals = []  # (the folder given, what the message names, what it says)
    empty = tmp_path / "empty"
    empty.mkdir()
    refusals.append((empty, empty, "is empty: put your images in it"))
    text = tmp_path / "text"
    text.mkdir()
    (text / "README.txt").write_text("no images here")
    refusals.append((text, text, "holds no image files (.png, .jpg, .jpeg, .bmp, .webp)"))
    hollow = write_folder(tmp_path / "hollow", four, classes)
    (hollow / "zebra").mkdir()
    refusals.append((hollow, hollow / "zebra", "holds no image files"))
    mixed = write_folder(tmp_path / "mixed", four, classes)
    Image.fromarray(four[0].transpose(1, 2, 0)).save(mixed / "loose.png")
    refusals.append((mixed, mixed, "holds both class folders (airplane, ...) and images (loose.png, ...)"))
    corrupt = write_folder(tmp_path / "corrupt", four, classes)
    (corrupt / "automobile" / "00003.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    refusals.append((corrupt, corrupt / "automobile" / "00003.png", "is not a readable image"))
    for root, named, message in refusals:
        with pytest.raises(NaswotError) as refused:
            load_batch("folder", root, batch_size=2)
        assert str(named) in str(refused.value) and message in str(refused.value), str(refused.value)
    good = write_folder(tmp_path / "four", four, classes)
    with pytest.raises(NaswotError, match=f"batch size 5 exceeds the 4 images in {good}"):
        load_batch("folder", good, batch_size=5)


def test_the_cli_refuses_bad_own_data_in_one_line(cifar, tmp_path):
    one = write_folder(tmp_path / "one", cifar[0][:8], np.zeros(8, dtype=np.int64))
    common = ("--space", SPACE, "--store", ":memory:", "--quiet", "--workers", "1")
    result = naswot("score", "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|skip_connect~0|none~1|avg_pool_3x3~2|",
                    "--data", "folder", "--data-root", str(one), "--batch-size", "4", "--score", "naswot_class", *common,
                    cwd=tmp_path)
    assert_one_line_error(result, "score 'naswot_class' compares classes", str(one), "has only one")
    result = naswot("search", "--data", "folder", "--data-root", str(tmp_path / "missing"), "--n", "2", *common, cwd=tmp_path)
    assert_one_line_error(result, f"data root {tmp_path / 'missing'} does not exist: pass --data-root pointing at")
    result = naswot("search", "--data", "folder", "--n", "2", *common, cwd=tmp_path)
    assert_one_line_error(result, "--data folder reads a folder of your images", "pass --data-root DIR")
    result = naswot("search", "--data", "folder", "--data-root", str(one), "--split", "test", "--n", "2", *common, cwd=tmp_path)
    assert_one_line_error(result, "--data folder has no 'test' split: point --data-root at your test images")
    result = naswot("search", "--data", "synthetic", "--image-size", "32y", "--n", "2", *common, cwd=tmp_path)
    assert_one_line_error(result, "--image-size '32y' is not H or HxW in pixels")
    result = naswot("search", "--data", "npz", "--data-root", str(one), "--n", "2", *common, cwd=tmp_path)
    assert_one_line_error(result, f"data root {one} is not a file: pass --data-root pointing at your .npz file")
    result = naswot("search", "--data", "fodler", "--n", "2", *common, cwd=tmp_path)
    assert_one_line_error(result, "unknown data set 'fodler' (did you mean 'folder'?): choose from ImageNet16-120, cifar10")
    listed = naswot("list", "data", cwd=tmp_path).stdout
    assert "folder  (your images: --data-root DIR with one subfolder per class" in listed and "npz  (your images" in listed


@pytest.mark.parametrize("space, size, message", [
    ("nasbench201:C=4,N=1", (30, 30), "cannot take 30x30 images: its two reduction blocks need a height and width "
                                      "divisible by 4"),
    ("natsbench_sss", (32, 18), "use --image-size 32x20"),
    ("nasbench101:stem=8,stacks=3,cells=1", (3, 8), "its 2 max-pools between stacks halve them to nothing below 4x4"),
    ("zoo:pytorchcv=resnet20_cifar10", (64, 64), "pytorchcv's CIFAR models are built for 32x32 images"),
])
def test_a_space_refuses_images_its_networks_cannot_take(tmp_path, space, size, message):
    if space.startswith("zoo"):
        require("pytorchcv", "pip install 'naswot[zoo]'")
    result = naswot("search", "--space", space, "--data", "synthetic", "--image-size", f"{size[0]}x{size[1]}", "--n", "2",
                    "--batch-size", "4", "--store", ":memory:", "--quiet", "--workers", "1", cwd=tmp_path)
    assert_one_line_error(result, message)


def test_a_zoo_model_built_for_other_classes_is_refused():
    require("pytorchcv", "pip install 'naswot[zoo]'")
    with pytest.raises(NaswotError, match=r"zoo model pytorchcv:resnet20_cifar10 cannot take 32x32 images with 7 classes "
                                          r"\(AssertionError\): pytorchcv's CIFAR models are built for"):
        get_space("zoo:pytorchcv=resnet20_cifar10").check_input((32, 32), 7)
    get_space("zoo:pytorchcv=resnet20_cifar10").check_input((32, 32), 100)


@pytest.mark.parametrize("space", ["nasbench201:C=4,N=1", "natsbench_sss", "nds:space=DARTS,widths=8,depths=5",
                                   "nasbench101:stem=8,stacks=3,cells=1"])
def test_every_space_builds_for_the_datas_classes_and_size(space):
    search_space = get_space(space)
    batch = load_batch("synthetic", batch_size=2, image_size=(24, 40), num_classes=7)
    search_space.check_input(batch.image_size, batch.num_classes)
    net = search_space.build(search_space.sample(np.random.default_rng(0)), num_classes=7)
    assert net(batch.images).shape == (2, 7)


def test_search_a_folder_end_to_end_with_two_workers(cifar, tmp_path):
    root = write_folder(tmp_path / "mine", cifar[0][:60], cifar[1][:60] % 3)  # 3 classes
    search = ("search", "--space", SPACE, "--data", "folder", "--data-root", str(root), "--n", "4", "--batch-size", "12",
              "--image-size", "24", "--workers", "2", "--quiet", "--store", "s.db")
    result = naswot(*search, "--json", "s.json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"note: {root}: images resized to --image-size 24x24" in result.stderr
    assert f"note: {root}: normalised by its own per-channel mean (" in result.stderr
    summary = json.loads((tmp_path / "s.json").read_text())
    assert summary["data"].startswith("folder:24x24:n=12:seed=0:") and summary["pick"]["num_classes"] == 3
    assert summary["pick"]["export"].endswith("--num-classes 3 --image-size 24 --out model.py")
    assert summary["computed"] == 4 and np.isfinite(summary["best_score"])
    again = naswot(*search, "--json", "again.json", cwd=tmp_path)
    assert again.returncode == 0 and json.loads((tmp_path / "again.json").read_text())["reused"] == 4


def test_training_normalises_pixels_as_the_scoring_batch_does(cifar):
    from naswot.training.augment import normalise as training_normalise

    pixels = cifar[0][:4]
    mean, std = channel_stats(pixels)
    for given in (pixels, pixels.astype(np.float32) / 255):
        assert torch.allclose(training_normalise(torch.from_numpy(given), mean, std), normalise(given, mean, std), atol=1e-6)
