"""What every space promises: text that parses back to the same value, and mutations that are valid neighbours."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import require

from naswot.errors import NaswotError
from naswot.spaces import get_space

SPECS = [
    "nasbench201:C=4,N=1",
    "natsbench_sss",
    "nasbench101",
    *(f"nds:space={name},widths=8|16,depths=4|5" for name in ("DARTS", "ENAS", "PNAS", "NASNet", "Amoeba")),
    "zoo:pytorchcv=*resnet20_cifar10",
]


@pytest.mark.parametrize("spec", SPECS)
def test_text_round_trips_and_mutants_are_other_valid_architectures(spec):
    if spec.startswith("zoo"):
        require("pytorchcv", "pip install 'naswot[zoo]'")
    space = get_space(spec)
    assert get_space(space.spec()).spec() == space.spec()
    rng = np.random.default_rng(0)
    for _ in range(20):
        arch = space.sample(rng)
        assert space.parse(str(arch)) == arch
        neighbour = space.mutate(arch, rng)
        assert neighbour != arch and space.parse(str(neighbour)) == neighbour


@pytest.mark.parametrize("spec, needles", [
    ("nasbench201:C=abc", ["C='abc'", "not a whole number", "C (a whole number, default 16), N (a whole number, default 5)"]),
    ("nasbench201:X=3", ["no setting 'X'", "C (a whole number, default 16)"]),
    ("natsbench_sss:C=3", ["no setting 'C'", "takes no settings"]),
    ("nasbench101:stem=1.5", ["stem='1.5'", "not a whole number", "stacks"]),
])
def test_a_bad_space_setting_names_the_setting_and_the_allowed_ones(spec, needles):
    with pytest.raises(NaswotError) as caught:
        get_space(spec)
    message = str(caught.value)
    assert "\n" not in message and "<" not in message and "_make" not in message
    for needle in needles:
        assert needle in message


@pytest.mark.parametrize("spec", [s for s in SPECS if not s.startswith("zoo")])
def test_every_built_in_network_offers_its_stages_and_feature_map(spec):
    import torch

    from naswot.spaces.network import GLOBAL_POOLS, feature_map, parameter_tensors, run_with_hooks, stage_modules

    space = get_space(spec)
    torch.manual_seed(0)
    net = space.build(space.sample(np.random.default_rng(0)))
    images = torch.randn(2, 3, 32, 32)
    stages = stage_modules(net)
    assert stages is not None and len(stages) >= 2
    outputs: list = []
    with torch.no_grad():
        run_with_hooks(net, images, stages, lambda module, inputs, output: outputs.append(output))
        features = feature_map(net, images)
    assert len(outputs) == len(stages) and all(o.dim() == 4 for o in outputs)
    assert features.dim() == 4
    pools = [m for m in net.modules() if isinstance(m, GLOBAL_POOLS)]
    if pools:  # forward_features is what the network pools, the default's choice for a network without it
        pooled: list = []
        with torch.no_grad():
            run_with_hooks(net, images, pools, lambda module, inputs, output: pooled.append(inputs[0]))
        torch.testing.assert_close(pooled[-1], features)
    assert not any(m._forward_hooks for m in net.modules())  # the hooks are gone
    assert parameter_tensors(net) == len(list(net.parameters()))


def test_a_plain_module_offers_no_stages_and_the_hooks_go_even_when_its_forward_fails():
    import torch
    from torch import nn

    from naswot.spaces.network import feature_map, run_with_hooks, stage_modules

    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 2))
    assert stage_modules(net) is None and feature_map(net, torch.randn(1, 3, 8, 8)) is None
    with pytest.raises(RuntimeError):
        run_with_hooks(net, torch.randn(1, 3, 9, 9), net.modules(), lambda *args: None)
    assert not any(m._forward_hooks for m in net.modules())
