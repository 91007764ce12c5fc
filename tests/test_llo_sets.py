"""Parameter sets omega_n^(i): the graph walk against brute-force path enumeration, the gradient
finder and the thesis' own worked examples; rules for dead ReLUs, BatchNorm and zero edges."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from llo_paths import brute_force_sets
from torch import nn

import naswot.scores.llo.contract as contract_module
import naswot.scores.llo.sets as sets_module
from naswot.errors import NaswotError
from naswot.scores.llo.gradient_sets import gradient_parameter_sets
from naswot.scores.llo.graph import forward_pass, set_parameters, trace
from naswot.scores.llo.pairs import PairCounts
from naswot.scores.llo.sets import dense_parameter_sets, parameter_set_layers
from naswot.spaces import get_space

CELLS = [
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|",
    "|none~0|+|avg_pool_3x3~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|",
    "|nor_conv_1x1~0|+|skip_connect~0|nor_conv_3x3~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_1x1~2|",
]


class Zero(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


class SkipNet(nn.Module):
    """Conv stem with bias, a ReLU-conv-BN branch added to an avg-pool skip and a zeroed branch,
    a strided conv with bias, then ReLU, global pooling and a linear layer."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(2, 2, 3, padding=1)
        self.branch = nn.Sequential(nn.ReLU(), nn.Conv2d(2, 2, 3, padding=1, bias=False), nn.BatchNorm2d(2))
        self.zeroed = nn.Sequential(nn.ReLU(), nn.Conv2d(2, 2, 1, bias=False), Zero())
        self.pool = nn.AvgPool2d(3, 1, 1, count_include_pad=False)
        self.down = nn.Sequential(nn.ReLU(), nn.Conv2d(2, 3, 2, stride=2))
        self.head = nn.Sequential(nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(3, 2))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)
        h = self.branch(h) + self.pool(h) + self.zeroed(h)
        return self.head(self.down(h))


def names_to_indices(names: list[str], index_of) -> list[int]:
    return sorted(index_of(name) for name in names)


def members(sets: torch.Tensor, image: int) -> list[list[int]]:
    """For each input element, the sorted parameter indices of its set."""
    return [sorted(int(p) for p in sets[image, :, n].nonzero()) for n in range(sets.shape[2])]


# --- the thesis' worked examples (section 3.2, eq. 3.9, 3.10, 3.15, 3.16) ------------------------

def thesis_fc_net(first_signs: list[float], second_signs: list[float]) -> nn.Module:
    """Figure 3.1: 3 inputs, two hidden layers of 3 ReLUs, one output, no biases. On the input
    (1, 1, 1), hidden unit h1j gets first_signs[j] and h2k gets second_signs[k] times the live count."""
    net = nn.Sequential(nn.Linear(3, 3, bias=False), nn.ReLU(), nn.Linear(3, 3, bias=False), nn.ReLU(),
                        nn.Linear(3, 1, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(first_signs)[:, None].expand(3, 3) / 3)
        net[2].weight.copy_(torch.tensor(second_signs)[:, None].expand(3, 3))
        net[4].weight.fill_(1.0)
    return net


def thesis_fc_index(name: str) -> int:
    """The thesis numbers w1(3(i-1)+j) from x_i to h1j, w2(3(j-1)+k) from h1j to h2k, w3k from h2k."""
    layer, k = int(name[1]), int(name[2:]) - 1
    if layer == 3:
        return 18 + k
    source, target = divmod(k, 3)
    return (9 if layer == 2 else 0) + target * 3 + source


@pytest.mark.parametrize("first, second, expected", [
    # alpha^(1): h11, h12, h22 dead (eq. 3.7, 3.9)
    ([-1, -1, 1], [1, -1, 1],
     [["w13", "w27", "w29", "w31", "w33"], ["w16", "w27", "w29", "w31", "w33"], ["w19", "w27", "w29", "w31", "w33"]]),
    # alpha^(2): h12, h21, h23 dead (eq. 3.8, 3.10)
    ([1, -1, 1], [-1, 1, -1],
     [["w11", "w13", "w22", "w28", "w32"], ["w14", "w16", "w22", "w28", "w32"], ["w17", "w19", "w22", "w28", "w32"]]),
])
def test_fully_connected_example_of_the_thesis(first, second, expected):
    net = thesis_fc_net(first, second)
    x = torch.ones(1, 3)
    sets = dense_parameter_sets(net, x)
    assert members(sets, 0) == [names_to_indices(e, thesis_fc_index) for e in expected]
    assert torch.equal(sets, brute_force_sets(net, x))
    assert torch.equal(sets, gradient_parameter_sets(net, x))


def thesis_conv_net(first: list[list[float]], second: list[list[float]]) -> nn.Module:
    """Figure 3.2: 3 inputs, 1-D convs (kernel 3, padding 1) with 2 and 1 channels, one linear output."""
    net = nn.Sequential(nn.Conv1d(1, 2, 3, padding=1, bias=False), nn.ReLU(), nn.Conv1d(2, 1, 3, padding=1, bias=False),
                        nn.ReLU(), nn.Flatten(), nn.Linear(3, 1, bias=False))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor(first).view(2, 1, 3))
        net[2].weight.copy_(torch.tensor(second).view(1, 2, 3))
        net[5].weight.fill_(1.0)
    return net


def thesis_conv_index(name: str) -> int:
    """The thesis numbers a conv layer's weights tap-major: w(2(t-1)+ch) is tap t of channel ch."""
    layer, k = int(name[1]), int(name[2:]) - 1
    if layer == 3:
        return 12 + k
    tap, channel = divmod(k, 2)
    return (6 if layer == 2 else 0) + channel * 3 + tap


@pytest.mark.parametrize("first, second, x, expected", [
    # alpha^(3): h11, h12, h14, h22 dead (eq. 3.13, 3.15); layer 1 sees (-1, -1, 1)
    ([[0, 1, 0], [-1, 0.5, 0.5]], [[1, 1, -3], [1, 0, 1]], [-1.0, -1.0, 1.0],
     [["w12", "w22", "w26", "w31", "w33"], ["w11", "w12", "w14", "w22", "w23", "w24", "w26", "w31", "w33"],
      ["w13", "w14", "w16", "w22", "w23", "w24", "w26", "w31", "w33"]]),
    # alpha^(4): h14, h15, h16, h23 dead (eq. 3.14, 3.16)
    ([[0, 1, 0], [0, -1, 0]], [[-2, 1, 2], [1, 1, 1]], [1.0, 1.0, 1.0],
     [["w11", "w13", "w21", "w23", "w25", "w31", "w32"], ["w11", "w13", "w15", "w21", "w23", "w25", "w31", "w32"],
      ["w13", "w15", "w23", "w25", "w31", "w32"]]),
])
def test_convolution_example_of_the_thesis(first, second, x, expected):
    net = thesis_conv_net(first, second)
    x = torch.tensor(x).view(1, 1, 3)
    sets = dense_parameter_sets(net, x)
    assert members(sets, 0) == [names_to_indices(e, thesis_conv_index) for e in expected]
    assert torch.equal(sets, brute_force_sets(net, x))
    assert torch.equal(sets, gradient_parameter_sets(net, x))


# --- three independent methods agree --------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_graph_walk_equals_path_enumeration_and_gradients_with_skip_add_pool_and_zero(seed):
    torch.manual_seed(seed)
    net = SkipNet().train()
    x = torch.randn(3, 2, 5, 5)
    sets = dense_parameter_sets(net, x)
    assert torch.equal(sets, brute_force_sets(net, x))
    assert torch.equal(sets, gradient_parameter_sets(net, x))
    assert 0 < sets.float().mean() < 1  # neither trivially empty nor full


@pytest.mark.parametrize("cell", CELLS)
def test_graph_walk_equals_gradients_on_small_nasbench201_networks_with_real_images(cell, cifar_batch):
    space = get_space("nasbench201:C=2,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse(cell)).train()
    images = F.avg_pool2d(cifar_batch.images[:3], 4)  # 8x8 real images: 192 one-hot inputs per image
    sets = dense_parameter_sets(net, images)
    assert torch.equal(sets, gradient_parameter_sets(net, images))
    assert not torch.equal(sets[0], sets[1])  # the images differ in their activation patterns


def test_fast_paths_give_the_sets_of_the_general_path(cifar_batch, monkeypatch):
    """Box dilation, block certification and whole-image boxes against the plain union over positions."""
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(1)
    net = space.build(space.parse(CELLS[2])).train()
    images = cifar_batch.images[:3]
    seen = {"blocks": 0, "everything": 0, "exact": 0}
    build, exact = sets_module.box_model, contract_module._exact_union

    def spy_model(*args):
        model = build(*args)
        seen["blocks"] += model is not None and model.certifying_blocks() is not None
        seen["everything"] += model is not None and model.covers_everything
        return model

    def spy_exact(positions, sets, channels):
        seen["exact"] += bool(positions.any())
        return exact(positions, sets, channels)

    monkeypatch.setattr(sets_module, "box_model", spy_model)
    monkeypatch.setattr(contract_module, "_exact_union", spy_exact)
    fast = dense_parameter_sets(net, images)
    assert seen["blocks"] and seen["everything"] and seen["exact"]
    monkeypatch.setattr(sets_module, "box_model", lambda *args: None)
    assert torch.equal(fast, dense_parameter_sets(net, images))


# --- rules ---------------------------------------------------------------------------------------

def test_a_dead_relu_removes_every_parameter_behind_and_after_it():
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 1.0], [1.0, 1.0], [1.0, -1.0]]))
        net[0].bias.copy_(torch.tensor([0.0, -5.0, 0.0]))
    # x = (1, 1): hidden unit 0 gets 2 (live), unit 1 gets -3 (dead), unit 2 gets exactly 0 (dead)
    # indices: w1 0..5 (row-major 3x2), b1 6..8, w2 9..11, b2 12
    sets = dense_parameter_sets(net, torch.ones(1, 2))[0]
    for n in (0, 1):
        assert set(sets[:, n].nonzero().flatten().tolist()) == {n, 6, 9, 12}  # w1[0, n], b1[0], w2[0, 0], b2
    assert not dense_parameter_sets(net, -torch.ones(1, 2)).any()  # every hidden unit dead: every set empty


def test_batchnorm_passes_dependencies_and_its_parameters_never_appear():
    torch.manual_seed(0)
    with_bn = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                            nn.Linear(2, 2))
    without = nn.Sequential(with_bn[0], nn.Identity(), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), with_bn[5])
    with_bn.eval()  # running statistics (0, 1) and affine (1, 0): a positive scale, the same activation pattern
    x = torch.randn(2, 1, 4, 4)
    names = [name for name, _ in set_parameters(with_bn)]
    assert names == ["0.weight", "0.bias", "5.weight", "5.bias"]
    assert torch.equal(dense_parameter_sets(with_bn, x), dense_parameter_sets(without, x))


def test_a_zero_edge_cuts_its_path():
    torch.manual_seed(3)
    net = SkipNet().train()
    x = torch.randn(2, 2, 5, 5)
    sets = dense_parameter_sets(net, x)
    offsets = {name: i for i, (name, _) in enumerate(set_parameters(net))}
    start = sum(p.numel() for name, p in set_parameters(net)[: offsets["zeroed.1.weight"]])
    zeroed = slice(start, start + net.zeroed[1].weight.numel())
    assert not sets[:, zeroed].any()
    net.zeroed[2] = nn.Identity()  # without the zero the same weights lie on live paths
    assert dense_parameter_sets(net, x)[:, zeroed].any()


def test_unsupported_operations_are_refused_with_their_name():
    net = nn.Sequential(nn.Conv2d(1, 1, 3), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1, 2))
    with pytest.raises(NaswotError, match="MaxPool2d has no parameter-set rule"):
        trace(net)
    grouped = nn.Sequential(nn.Conv2d(2, 2, 3, groups=2), nn.Flatten(), nn.Linear(2, 2))
    with pytest.raises(NaswotError, match="groups=1"):
        trace(grouped)
    shared = nn.Linear(2, 2)
    with pytest.raises(NaswotError, match="called twice"):
        trace(nn.Sequential(shared, nn.ReLU(), shared))
    unflattened = nn.Sequential(nn.Conv1d(1, 2, 3), nn.Linear(2, 2))
    with pytest.raises(NaswotError, match="flatten its input first"):
        forward_pass(trace(unflattened), torch.randn(2, 1, 4))


# --- the forward pass and the pair counts ----------------------------------------------------------

def test_llos_are_per_image_gradients_with_the_batch_statistics_held_fixed(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse(CELLS[0])).train()
    images = cifar_batch.images[:4]
    llo = forward_pass(trace(net), images).llo
    stats = {}
    def record(module, inputs, output):
        stats[module] = (inputs[0].mean((0, 2, 3)), inputs[0].var((0, 2, 3), unbiased=False))

    hooks = [m.register_forward_hook(record) for m in net.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        net(images)
    for hook in hooks:
        hook.remove()
    for module, (mean, var) in stats.items():  # batch statistics as running statistics, one image at a time
        module.running_mean.copy_(mean)
        module.running_var.copy_(var)
    net.eval()
    for i in range(len(images)):
        x = images[i : i + 1].clone().requires_grad_(True)
        net(x).sum().backward()
        assert torch.allclose(llo[i].float(), x.grad.flatten(), atol=1e-6, rtol=1e-4)


def test_pair_counts_equal_explicit_intersections_and_unions(cifar_batch):
    space = get_space("nasbench201:C=2,N=1")
    torch.manual_seed(2)
    net = space.build(space.parse(CELLS[1])).train()
    images = F.avg_pool2d(cifar_batch.images[:5], 2)  # 16x16: 256 pixels, whole words per channel
    ops = trace(net)
    forward = forward_pass(ops, images)
    counts = PairCounts(len(images), forward.input_shape)
    for layer in parameter_set_layers(net, ops, forward):
        counts.add(layer)
    sets = dense_parameter_sets(net, images).float()
    expected = torch.einsum("ipn,jpn->ijn", sets, sets).double()
    assert torch.equal(counts.intersections(), expected)
    pairs, jaccard = counts.jaccard_distances()
    for column, (i, j) in enumerate(pairs.T.tolist()):
        union = (sets[i] + sets[j] > 0).sum(0).double()
        assert torch.allclose(jaccard[column], 1 - expected[i, j] / union)
