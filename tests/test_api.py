"""The package's face: naswot.score, naswot.search, naswot.export and naswot.train from a plain script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import naswot
from naswot.compute import Compute, build_network
from naswot.errors import NaswotError
from naswot.executor import score_architectures
from naswot.spaces import get_space
from naswot.spaces.nasbench201 import conv_parameter_count

SPACE = "nasbench201:C=4,N=1"
CELL = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|"
SRC = Path(__file__).resolve().parents[1] / "src"


def test_score_gives_what_the_engine_stores_for_the_same_network(cifar_batch):
    space = get_space(SPACE)
    arch = space.parse(CELL)
    engine = score_architectures(space, [arch], ["naswot", "snip"], cifar_batch, seed=3,
                                 compute=Compute(workers=1, show_progress=False))
    net = build_network(space, arch, 3, cifar_batch.num_classes)
    before = {name: tensor.clone() for name, tensor in net.state_dict().items()}
    alone = naswot.score(net, cifar_batch.images, cifar_batch.labels)
    assert alone == engine.values("naswot", [arch])[0]
    both = naswot.score(net, cifar_batch.images.numpy(), cifar_batch.labels.numpy(), score=["naswot", "snip"])
    assert both["naswot"] == alone and np.isfinite(both["snip"])
    assert all(torch.equal(before[name], tensor) for name, tensor in net.state_dict().items())  # left as it was


@pytest.mark.parametrize("call, message", [
    (lambda images: naswot.score("resnet18", images), "net= must be a torch.nn.Module, not str"),
    (lambda images: naswot.score(torch.nn.ReLU(), images, score="naswott"), "did you mean 'naswot'"),
    (lambda images: naswot.score(torch.nn.ReLU(), images, score=3), "score=3 is not a score name"),
    (lambda images: naswot.score(torch.nn.ReLU(), images[0]), "N x C x H x W"),
    (lambda images: naswot.score(torch.nn.ReLU(), images, score="snip"), "needs labelled images"),
    (lambda images: naswot.search(SPACE, data=images), "is not a data set name, a folder"),
    (lambda images: naswot.search(SPACE, score=len), "is not a score name or expression"),
])
def test_a_wrong_argument_is_one_error_at_the_call(call, message, cifar_batch):
    with pytest.raises(NaswotError, match=message):
        call(cifar_batch.images)


def test_search_a_folder_of_images_within_a_budget_with_two_workers(cifar_batch, tmp_path):
    folder = tmp_path / "images"
    pixels = (cifar_batch.images[:40].permute(0, 2, 3, 1).numpy() * 60 + 120).clip(0, 255).astype(np.uint8)
    for i, (image, label) in enumerate(zip(pixels, cifar_batch.labels[:40].tolist())):
        (folder / f"class{label % 3}").mkdir(parents=True, exist_ok=True)  # three classes
        Image.fromarray(image).save(folder / f"class{label % 3}" / f"{i}.png")
    limit = 8_366  # parameters: the median of the C=4, N=1 cells with ten outputs
    found = naswot.search(SPACE, folder, n=6, batch_size=16, max_params=limit / 1e6, pareto="params", seed=1,
                          compute=Compute(workers=2, show_progress=False))
    space = get_space(SPACE)
    assert found.num_classes == 3 and found.image_size == (32, 32) and len(found.run.history) == 6
    assert all(conv_parameter_count(e.arch, C=4, N=1, num_classes=3) <= limit for e in found.run.history)
    assert found.arch in {e.arch for e in found.run.history} and found.pareto is not None
    net = found.network()
    assert net(torch.zeros(2, 3, 32, 32)).shape == (2, 3) and space.parse(str(found.arch)) == found.arch


SCRIPT = """import naswot
found = naswot.search("nasbench201:C=4,N=1", "synthetic", n=4, batch_size=8, compute=naswot.api.Compute(workers=2))
naswot.export("nasbench201:C=4,N=1", found.arch, "model.py")
print(found.arch)
"""


def test_a_plain_script_without_a_main_guard_searches_and_exports(tmp_path):
    (tmp_path / "script.py").write_text(SCRIPT)
    result = subprocess.run([sys.executable, "script.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                            env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    (arch,) = result.stdout.splitlines()
    assert f"ARCH = {arch!r}" in (tmp_path / "model.py").read_text() or arch in (tmp_path / "model.py").read_text()
