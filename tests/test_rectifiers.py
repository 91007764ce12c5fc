"""Code-based scores read every rectifier-like activation, module or function, as the sign of its input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from naswot.compute import build_network
from naswot.data.batch import Batch
from naswot.scores import compute_score, get_score
from naswot.scores.naswot import hamming_kernel
from naswot.spaces import get_space

CODE_SCORES = ("naswot", "naswot_norm", "naswot_last1", "naswot_class", "swap")

# (module, the same activation as a function call)
ACTIVATIONS = {
    "relu": (nn.ReLU, F.relu),
    "relu6": (nn.ReLU6, F.relu6),
    "relu6 as hardtanh from 0": (nn.ReLU6, lambda x: F.hardtanh(x, 0.0, 6.0)),
    "leaky_relu": (lambda: nn.LeakyReLU(0.1), lambda x: F.leaky_relu(x, 0.1)),
    "gelu": (nn.GELU, F.gelu),
    "silu": (nn.SiLU, F.silu),
    "hardswish": (nn.Hardswish, F.hardswish),
    "mish": (nn.Mish, F.mish),
}

# every way to call a ReLU without an nn.ReLU module, in-place forms included
RELU_CALLS = {
    "F.relu": F.relu,
    "torch.relu": torch.relu,
    "Tensor.relu": torch.Tensor.relu,
    "F.relu(inplace=True)": lambda x: F.relu(x, inplace=True),
    "torch.relu_": torch.relu_,
    "Tensor.relu_": torch.Tensor.relu_,
    "F.relu(input=x)": lambda x: F.relu(input=x),
}


class SmallNet(nn.Module):
    """Two conv-BN-activation blocks, pooling and a classifier; the activation is a module or a function call."""

    def __init__(self, module=None, function=None) -> None:
        super().__init__()
        self.conv1, self.bn1 = nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8)
        self.conv2, self.bn2 = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(16)
        self.classifier = nn.Linear(16, 10)
        self.acts = nn.ModuleList([module(), module()]) if module is not None else None
        self.function = function
        self.inputs: list[torch.Tensor] = []

    def activation(self, index: int, x: torch.Tensor) -> torch.Tensor:
        self.inputs.append(x.detach().clone())
        return self.function(x) if self.acts is None else self.acts[index](x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.activation(0, self.bn1(self.conv1(x)))
        x = self.activation(1, self.bn2(self.conv2(x)))
        return self.classifier(x.mean(dim=(2, 3)))


def twin(module=None, function=None) -> SmallNet:
    """A SmallNet with the weights every twin shares."""
    torch.manual_seed(0)
    return SmallNet(module, function).train()


def scores(net: nn.Module, batch: Batch) -> dict[str, float]:
    return {name: compute_score(get_score(name), net, batch).value for name in CODE_SCORES}


def sign_count_kernel(inputs: list[torch.Tensor]) -> np.ndarray:
    """Pair by pair, the number of units whose inputs are both positive or both not."""
    bits = np.concatenate([(x > 0).flatten(1).numpy() for x in inputs], axis=1)
    return np.array([[np.sum(a == b) for b in bits] for a in bits], dtype=float)


@pytest.mark.parametrize("call", sorted(RELU_CALLS))
def test_a_network_calling_relu_scores_exactly_as_with_relu_modules(call, cifar_batch):
    with_modules, with_calls = twin(module=nn.ReLU), twin(function=RELU_CALLS[call])
    assert not any(isinstance(m, nn.ReLU) for m in with_calls.modules())
    ours = scores(with_calls, cifar_batch)
    assert ours == scores(with_modules, cifar_batch)
    assert all(math.isfinite(value) for value in ours.values())


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_each_activation_codes_the_sign_of_its_input_as_module_and_as_function(name, cifar_batch):
    module, function = ACTIVATIONS[name]
    images = cifar_batch.images[:16]
    for net in (twin(module=module), twin(function=function)):
        with torch.no_grad():
            kernel = hamming_kernel(net, images).numpy()
        assert np.array_equal(kernel, sign_count_kernel(net.inputs))
    assert scores(twin(function=function), cifar_batch) == scores(twin(module=module), cifar_batch)


@pytest.mark.parametrize("act", [nn.Tanh, nn.Sigmoid, nn.Hardtanh, nn.Identity])
def test_activations_that_are_not_rectifiers_are_not_read(act, cifar_batch):
    for name in ("naswot", "swap"):
        result = compute_score(get_score(name), twin(module=act), cifar_batch)
        assert result.value == -math.inf and "no ReLU or other rectifier" in result.reason


class Call(nn.Module):
    """A parameter-free module that calls an activation function: what a hand-written forward does."""

    def __init__(self, function) -> None:
        super().__init__()
        self.function = function

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.function(x)


def with_relu_calls(net: nn.Module) -> int:
    """Swap every nn.ReLU of ``net`` for a call of F.relu, torch.relu or Tensor.relu in turn; how many were swapped."""
    forms = [F.relu, torch.relu, torch.Tensor.relu]
    swapped = 0
    for parent in list(net.modules()):
        for key, child in list(parent.named_children()):
            if isinstance(child, nn.ReLU):
                setattr(parent, key, Call(forms[swapped % len(forms)]))
                swapped += 1
    return swapped


@pytest.mark.parametrize("cell", [
    "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
    "|nor_conv_1x1~0|+|none~0|skip_connect~1|+|nor_conv_3x3~0|none~1|avg_pool_3x3~2|",
])
def test_a_nasbench201_cell_calling_relu_functions_scores_as_the_cell_with_modules(cell, cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    arch = space.parse(cell)
    net, called = build_network(space, arch, 0, 10), build_network(space, arch, 0, 10)
    assert with_relu_calls(called) > 10 and not any(isinstance(m, nn.ReLU) for m in called.modules())
    assert scores(called, cifar_batch) == scores(net, cifar_batch)


class ChangedInPlace(nn.Module):
    """ReLU of a tensor, the tensor negated in place, ReLU of it again: the second read is a new code."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1)
        self.inputs: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(x)
        self.inputs.append(x.clone())
        first = F.relu(x)
        x.neg_()
        self.inputs.append(x.clone())
        return first + F.relu(x)


def test_a_tensor_changed_in_place_between_two_reads_is_coded_again(cifar_batch):
    torch.manual_seed(0)
    net = ChangedInPlace()
    with torch.no_grad():
        kernel = hamming_kernel(net, cifar_batch.images[:10]).numpy()
    assert np.array_equal(kernel, sign_count_kernel(net.inputs))


def test_every_code_score_is_versioned_past_the_module_only_reading():
    """Networks that call F.relu or a smooth activation score differently now: their stored values are not reused."""
    names = (*CODE_SCORES, "naswot_last3", "swap_reg")
    assert all(get_score(name).version >= 2 for name in names)  # SWAP's 16-image redraws are one past the codes
