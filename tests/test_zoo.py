"""The zoo: a user's model function with a keyword grid, and pytorchcv's ready models."""

from __future__ import annotations

import builtins
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import require

from naswot.errors import NaswotError
from naswot.scores import compute_score, get_score
from naswot.spaces import get_space

FAMILY = '''
from torch import nn


def plain(depth=1, width=4, num_classes=10, act="relu"):
    """depth 3x3 convs (with bias) and ReLUs, global pooling, a linear classifier."""
    layers, c = [], 3
    for _ in range(depth):
        layers += [nn.Conv2d(c, width, 3, padding=1), nn.ReLU() if act == "relu" else nn.Tanh()]
        c = width
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, num_classes))


def not_a_model():
    return 3
'''


@pytest.fixture
def family(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A module of model functions in the current folder, as a user would have it."""
    (tmp_path / "my_family.py").write_text(FAMILY)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "my_family", raising=False)
    return "my_family"


def plain_count(depth: int, width: int, classes: int) -> int:
    return (27 * width + width) + (depth - 1) * (9 * width * width + width) + width * classes + classes


def test_a_keyword_grid_is_the_space_and_builds_each_model(family):
    space = get_space(f"zoo:family={family}:plain,depth=1|2|3,width=4|8")
    assert len(space) == 6
    assert [str(m) for m in space][:2] == [f"{family}:plain(depth=1,width=4)", f"{family}:plain(depth=1,width=8)"]
    for model in space:
        kwargs = dict(model.kwargs)
        net = space.build(model, num_classes=100)
        assert sum(p.numel() for p in net.parameters()) == plain_count(kwargs["depth"], kwargs["width"], 100)


def test_grid_mutation_changes_one_keyword(family):
    space = get_space(f"zoo:family={family}:plain,depth=1|2|3,width=4|8,act=relu|tanh")
    assert get_space(space.spec()).spec() == space.spec()
    rng = np.random.default_rng(0)
    for model in (space.sample(rng) for _ in range(20)):
        assert sum(a != b for a, b in zip(model.kwargs, space.mutate(model, rng).kwargs)) == 1


def test_any_model_text_of_the_family_parses_and_scores_on_real_images(family, cifar_batch):
    space = get_space(f"zoo:family={family}:plain")
    model = space.parse(f"{family}:plain(width=6, depth=2)")
    assert str(model) == f"{family}:plain(depth=2,width=6)"
    torch.manual_seed(0)
    result = compute_score(get_score("naswot"), space.build(model), cifar_batch)
    assert np.isfinite(result.value)


@pytest.mark.parametrize("text, problem", [
    ("my_family.plain", "not module:function"),
    ("my_family:plain(depth=2", "closing"),
    ("my_family:plain(2)", "key=value"),
    ("my_family:plain(depth=[1, 2])", "number, string"),
    ("no_such_module_here:plain", "cannot import"),
    ("my_family:missing", "no function"),
])
def test_bad_model_names_are_refused_in_one_line(family, text, problem):
    with pytest.raises(NaswotError, match=problem):
        get_space(f"zoo:family={text.partition('(')[0]}" if ":" in text else "zoo").parse(text)


@pytest.mark.parametrize("space, text", [
    ("zoo", "subprocess:getoutput(cmd='touch {marker}')"),
    ("zoo:family=my_family:plain", "subprocess:getoutput(cmd='touch {marker}')"),
    ("zoo:family=my_family:plain", "my_family:other(width=2)"),
])
def test_an_architecture_cannot_name_code_outside_the_spaces_family(family, space, text, tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(NaswotError, match="is not of this space's family"):
        get_space(space).parse(text.format(marker=marker))
    assert not marker.exists()


def test_a_function_that_returns_no_module_or_rejects_an_argument_is_refused(family):
    space = get_space(f"zoo:family={family}:not_a_model")
    with pytest.raises(NaswotError, match="not a torch nn.Module"):
        space.build(space.parse(f"{family}:not_a_model"))
    space = get_space(f"zoo:family={family}:plain")
    with pytest.raises(NaswotError, match="cannot be built"):
        space.build(space.parse(f"{family}:plain(colour=1)"))


@pytest.mark.parametrize("name, params", [
    # pytorchcv's README table of CIFAR-10 models lists these parameter counts
    ("resnet20_cifar10", 272_474),
    ("resnet56_cifar10", 855_770),
])
def test_pytorchcv_models_have_their_published_sizes(name, params):
    require("pytorchcv", "pip install 'naswot[zoo]'")
    space = get_space("zoo:pytorchcv=resnet*_cifar10")
    assert f"pytorchcv:{name}" in [str(m) for m in space]
    with torch.device("meta"):
        net = space.build(space.parse(f"pytorchcv:{name}"))
    assert sum(p.numel() for p in net.parameters()) == params


def test_missing_pytorchcv_is_one_clear_line(monkeypatch):
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name.startswith("pytorchcv"):
            raise ImportError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    with pytest.raises(NaswotError, match=r"pip install 'naswot\[zoo\]'"):
        len(get_space("zoo"))


def test_settings_that_contradict_each_other_are_refused():
    with pytest.raises(NaswotError, match="not both"):
        get_space("zoo:family=m:f,pytorchcv=*")
    with pytest.raises(NaswotError, match="need a model"):
        get_space("zoo:depth=1|2")
