"""`naswot train`: NAS-Bench-201's recipe on real CIFAR-10 images, checkpoints that resume exactly, safe loading."""

from __future__ import annotations

import json
import os
import re

import pytest
import torch
from cli_runner import assert_one_line_error, naswot

from naswot.data import load_images
from naswot.errors import NaswotError
from naswot.train import Recipe, train
from naswot.train.augment import crop_and_flip

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
SPACE = "nasbench201:C=8,N=1"


class Killed(Exception):
    """Stands for the process being killed right after a checkpoint was written."""


@pytest.fixture(scope="module")
def cifar10_train(cifar10_root):
    return load_images("cifar10", cifar10_root, "train")


def test_two_epochs_lower_the_loss_beat_chance_and_a_killed_run_resumes_to_the_same_weights(cifar10_train, tmp_path):
    settings = {"limit": 1250, "held_out": 0.2, "recipe": Recipe(batch_size=50), "seed": 4, "show_progress": False}
    whole = train(SPACE, ARCH, cifar10_train, 2, out=tmp_path / "whole", **settings)
    first, second = whole.history
    assert second["train_loss"] < first["train_loss"] and second["train_accuracy"] > first["train_accuracy"]
    assert whole.held_out == "20% of cifar10:train held out, 250 images"
    assert whole.test_accuracy > 16.0  # chance is 10%: 250 held-out images put 16% over 3 standard deviations above it

    def kill_after_first(epoch, entry):
        if epoch == 1:
            raise Killed

    with pytest.raises(Killed):
        train(SPACE, ARCH, cifar10_train, 2, out=tmp_path / "killed", on_epoch=kill_after_first, **settings)
    saved = torch.load(tmp_path / "killed" / "checkpoint.pt", weights_only=True)
    assert [entry["epoch"] for entry in saved["history"]] == [1]
    epochs_run = []
    resumed = train(SPACE, ARCH, cifar10_train, 2, out=tmp_path / "killed",
                    on_epoch=lambda epoch, entry: epochs_run.append(epoch), **settings)
    assert resumed.resumed_from == 1 and epochs_run == [2]
    assert [e["train_loss"] for e in resumed.history] == [e["train_loss"] for e in whole.history]
    ours, theirs = resumed.net.state_dict(), whole.net.state_dict()
    assert ours.keys() == theirs.keys() and all(torch.equal(ours[key], theirs[key]) for key in ours)
    assert resumed.test_accuracy == whole.test_accuracy
    weights = torch.load(tmp_path / "killed" / "model.pt", weights_only=True)
    assert all(torch.equal(weights[key], theirs[key]) for key in theirs)


def test_the_cli_trains_writes_the_report_json_and_a_rerun_resumes_without_training(cifar10_root, tmp_path):
    args = ("train", ARCH, "--space", "nasbench201:C=4,N=1", "--data", "cifar10", "--data-root", str(cifar10_root),
            "--epochs", "1", "--limit", "300", "--batch-size", "60", "--out", "run", "--json", "train.json")
    result = naswot(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    progress = result.stderr.splitlines()  # plain lines off a terminal: count, rate, time left, loss and accuracy so far
    assert progress and all(re.fullmatch(r"training \d+/5 \(\d+%\) [\d.]+/s, [\d:]+ left; epoch 1/1 loss [\d.]+ "
                                         r"accuracy [\d.]+%", line) for line in progress), result.stderr
    document = json.loads((tmp_path / "train.json").read_text())
    assert document["command"] == "train" and document["arch"] == ARCH and document["epochs"] == 1
    assert document["recipe"] == {"batch_size": 60, "lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 5e-4,
                                  "padding": 4, "flip": True}
    assert [set(entry) for entry in document["history"]] == [{"epoch", "train_loss", "train_accuracy", "seconds"}]
    assert 0 <= document["test_accuracy"] <= 100 and document["held_out"] == "10% of cifar10:train held out, 30 images"
    assert f"held-out accuracy {document['test_accuracy']:.2f}%" in result.stdout
    weights = torch.load(tmp_path / "run" / "model.pt", weights_only=True)
    assert "classifier.weight" in weights and weights["classifier.weight"].shape == (10, 16)
    again = naswot(*args, cwd=tmp_path)
    assert again.returncode == 0 and "resumed after epoch 1" in again.stdout, again.stderr
    assert json.loads((tmp_path / "train.json").read_text())["test_accuracy"] == document["test_accuracy"]
    report = naswot("report", ".", "--out", "page.html", cwd=tmp_path)
    assert report.returncode == 0 and f"{document['test_accuracy']:.2f}%" in (tmp_path / "page.html").read_text()


def test_train_refusals_are_one_line_and_a_planted_checkpoint_runs_nothing(cifar10_root, tmp_path):
    base = ("train", ARCH, "--space", "nasbench201:C=4,N=1", "--data", "cifar10", "--data-root", str(cifar10_root),
            "--limit", "40", "--quiet")
    assert_one_line_error(naswot(*base, "--epochs", "0", "--out", "a", cwd=tmp_path), "--epochs", "1 or more")
    assert_one_line_error(naswot(*base[:4], "--data", "synthetic", "--epochs", "1", "--out", "a", cwd=tmp_path),
                          "--data synthetic", "real data set")
    assert_one_line_error(naswot(*base, "--epochs", "1", "--out", "a", "--lr", "-1", cwd=tmp_path), "--lr -1", "--lr 0.1")
    assert_one_line_error(naswot(*base, "--epochs", "1", "--out", "a", "--held-out", "1.5", cwd=tmp_path), "--held-out 1.5")
    assert_one_line_error(naswot(*base, "--epochs", "1", "--out", "a", "--split", "test", cwd=tmp_path), "test_batch")
    (tmp_path / "file").write_text("x")
    assert_one_line_error(naswot(*base, "--epochs", "1", "--out", "file", cwd=tmp_path), "--out", "is a file")
    assert naswot(*base, "--epochs", "1", "--out", "done", cwd=tmp_path).returncode == 0
    assert_one_line_error(naswot(*base, "--epochs", "2", "--out", "done", cwd=tmp_path),
                          "checkpoint of another run (epochs 1, not 2)", "another --out")
    (tmp_path / "garbage").mkdir()
    (tmp_path / "garbage" / "checkpoint.pt").write_bytes(b"\x80\x04not a checkpoint")
    assert_one_line_error(naswot(*base, "--epochs", "1", "--out", "garbage", cwd=tmp_path), "not a readable training checkpoint")

    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return os.system, (f"touch {marker}",)

    (tmp_path / "planted").mkdir()
    torch.save({"run": "{}", "model": Payload(), "optimizer": {}, "history": []}, tmp_path / "planted" / "checkpoint.pt")
    assert_one_line_error(naswot(*base, "--epochs", "1", "--out", "planted", cwd=tmp_path), "not a readable training checkpoint")
    assert not marker.exists()


def test_crops_and_flips_are_shifted_windows_of_the_zero_padded_images(cifar10_train):
    pixels = torch.from_numpy(cifar10_train.pixels[:64])
    assert torch.equal(crop_and_flip(pixels, 0, False, torch.Generator().manual_seed(0)), pixels)
    out = crop_and_flip(pixels, 4, True, torch.Generator().manual_seed(0))
    padded = torch.nn.functional.pad(pixels, (4, 4, 4, 4))
    found = []
    for image, source in zip(out, padded):
        windows = [(dy, dx, flip) for dy in range(9) for dx in range(9) for flip in (False, True)
                   if torch.equal(image, (lambda w: w.flip(-1) if flip else w)(source[:, dy:dy + 32, dx:dx + 32]))]
        assert windows, "an output image is no crop of its padded image"
        found.append(windows[0])
    assert len({flip for _, _, flip in found}) == 2 and len({(dy, dx) for dy, dx, _ in found}) > 20


def test_the_default_recipe_is_nas_bench_201s():
    recipe = Recipe()
    assert (recipe.batch_size, recipe.lr, recipe.momentum, recipe.nesterov, recipe.weight_decay) == (256, 0.1, 0.9, True, 5e-4)
    assert recipe.lr_at(0, 100) == 0.1 and recipe.lr_at(50, 100) == pytest.approx(0.05) and recipe.lr_at(100, 100) == 0.0
    with pytest.raises(NaswotError, match="batch_size=0"):
        Recipe(batch_size=0)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="torch sees no CUDA device here")
def test_training_on_cuda_learns_and_its_checkpoint_resumes_on_the_cpu(cifar10_train, tmp_path):
    settings = {"limit": 1250, "held_out": 0.2, "recipe": Recipe(batch_size=50), "seed": 4, "show_progress": False}

    def kill_after_first(epoch, entry):
        if epoch == 1:
            raise Killed

    with pytest.raises(Killed):
        train(SPACE, ARCH, cifar10_train, 2, out=tmp_path, device="cuda", on_epoch=kill_after_first, **settings)
    resumed = train(SPACE, ARCH, cifar10_train, 2, out=tmp_path, device="cpu", **settings)
    first, second = resumed.history
    assert resumed.resumed_from == 1 and second["train_loss"] < first["train_loss"] and resumed.test_accuracy > 16.0
