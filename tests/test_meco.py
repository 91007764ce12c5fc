"""MeCo: the minimum eigenvalue of a 2-channel correlation matrix is 1 - |r|, r the channels' Pearson correlation;
``meco`` on the authors' 64-px Gaussian image and ``meco_real`` on one real image, each against numpy."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from naswot.scores import compute_score, get_score
from naswot.spaces import get_space

CELL = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|none~2|"


def random_image(channels: int) -> torch.Tensor:
    """torch.randn(size=(1, 3, 64, 64)) of the authors' measure file, from a fixed seed."""
    return torch.randn((1, channels, 64, 64), generator=torch.Generator().manual_seed(0))


def test_two_channel_layer_scores_one_minus_abs_correlation_per_module(cifar_batch):
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 2, 3, padding=1)
    net = nn.Sequential(conv)  # the Sequential and the conv return the same tensor: the code counts it twice
    with torch.no_grad():
        feature = conv(random_image(3))[0].reshape(2, -1).double().numpy()
    r = np.corrcoef(feature)[0, 1]
    assert compute_score(get_score("meco"), net, cifar_batch).value == pytest.approx(2 * (1 - abs(r)), rel=1e-9)


def test_constant_channels_count_as_uncorrelated(cifar_batch):
    # a zero channel has no correlation (0 in the authors' code), so the 2x2 matrix is diag(1, 0): minimum 0
    conv = nn.Conv2d(3, 2, 1, bias=False)
    with torch.no_grad():
        conv.weight[1].zero_()
    assert compute_score(get_score("meco"), conv, cifar_batch).value == pytest.approx(0.0, abs=1e-12)


def numpy_meco(net: nn.Module, image: torch.Tensor) -> float:
    """The authors' hook on every module: min eigenvalue of the channels' correlation, NaN entries 0, NaN layers out."""
    outputs = []
    hooks = [m.register_forward_hook(lambda m, i, o: outputs.append(o[0].detach().double().numpy())) for m in net.modules()]
    with torch.no_grad():
        net(image)
    for hook in hooks:
        hook.remove()
    expected = 0.0
    for out in outputs:
        rows = out.reshape(out.shape[0], -1)
        if out.ndim < 2 or rows.shape[1] < 2:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.nan_to_num(np.corrcoef(rows), nan=0.0)
        expected += np.linalg.eigvalsh(corr)[0]
    return expected


@pytest.mark.parametrize("name", ["meco", "meco_real"])
def test_meco_agrees_with_numpy_on_every_layer_of_a_real_network(name, cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse(CELL)).train()
    image = random_image(3) if name == "meco" else cifar_batch.images[:1]
    assert compute_score(get_score(name), net, cifar_batch).value == pytest.approx(numpy_meco(net, image), rel=1e-6)


def test_meco_reads_a_gaussian_image_and_meco_real_the_batch_s_first(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse(CELL))
    other = cifar_batch.images.flip(0)
    flipped = type(cifar_batch)(other, cifar_batch.labels, 10, "flipped")
    assert compute_score(get_score("meco"), net, flipped).value == compute_score(get_score("meco"), net, cifar_batch).value
    real = compute_score(get_score("meco_real"), net, cifar_batch).value
    assert compute_score(get_score("meco_real"), net, flipped).value != pytest.approx(real, rel=1e-3)
    assert real != pytest.approx(compute_score(get_score("meco"), net, cifar_batch).value, rel=1e-2)
