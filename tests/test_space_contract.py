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
