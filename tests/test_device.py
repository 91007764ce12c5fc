"""--device: where scores run, how the store key names it, and exact kernels off the CPU."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import naswot.scores.kernels as kernels
from naswot.compute import Compute
from naswot.device import resolve_device
from naswot.errors import NaswotError
from naswot.executor import score_architectures
from naswot.keys import KeyBuilder
from naswot.scores import get_score
from naswot.searching import sample_distinct
from naswot.spaces import get_space
from naswot.store import ResultKey, Store

NO_CUDA = "no CUDA device here: the GPU paths are checked where torch sees one"


def cuda(test):
    """Marked ``cuda`` and skipped, with the reason, where torch sees no CUDA device."""
    return pytest.mark.cuda(pytest.mark.skipif(not torch.cuda.is_available(), reason=NO_CUDA)(test))


def test_device_names_are_checked_before_work():
    assert resolve_device("auto") == torch.device("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(NaswotError, match="unknown device 'gpu': use device=auto"):
        resolve_device("gpu")
    with pytest.raises(NaswotError, match="unknown device 'mps'"):
        resolve_device("mps")
    if not torch.cuda.is_available():
        with pytest.raises(NaswotError, match="device=cuda:1: torch sees no CUDA device here"):
            resolve_device("cuda:1")


def test_the_store_key_names_the_device_type_and_keeps_the_cpu_form(cifar_batch):
    space, spec = get_space("nasbench201:C=4,N=1"), get_score("naswot")
    settings = {"num_classes": 10, "version": spec.version, "code": space.code_version(), "torch": torch.__version__,
                "device": "cpu"}
    cell = space.sample(np.random.default_rng(0))
    assert KeyBuilder(space, cifar_batch, 0, "cpu").key(cell, spec).settings == ResultKey.settings_text(settings)
    assert '"device":"cuda"' in KeyBuilder(space, cifar_batch, 0, "cuda").key(cell, spec).settings


@cuda
def test_cuda_scores_match_the_cpu_ones(cifar_batch):
    """Codes and counts are exact on both; convolution round-off differs, so near-zero activations may flip a code:
    naswot within 1e-3 relative, gradient scores within 1e-3 relative."""
    space = get_space("nasbench201:C=4,N=1")
    archs = sample_distinct(space, 4, np.random.default_rng(0))
    names = ["naswot", "synflow", "grad_norm", "params"]
    on = {device: score_architectures(space, archs, names, cifar_batch, store=Store(),
                                      compute=Compute(workers=1, show_progress=False, device=device))
          for device in ("cpu", "cuda")}
    for name in names:
        np.testing.assert_allclose(on["cuda"].values(name, archs), on["cpu"].values(name, archs), rtol=1e-3)


@cuda
def test_the_gram_on_cuda_equals_the_int8_gram_on_the_cpu():
    codes = torch.from_numpy(np.random.default_rng(1).random((16, 1000)) > 0.5)
    gpu = kernels.code_gram(codes.cuda())
    assert torch.equal(gpu.cpu(), kernels.int8_gram(codes))


@cuda
def test_the_redrawn_authors_scores_on_cuda_match_the_cpu_ones(cifar_batch):
    # their redraws and Gaussian inputs are drawn on the CPU, so both devices score the same networks
    space = get_space("nasbench201:C=4,N=1")
    archs = sample_distinct(space, 3, np.random.default_rng(1))
    names = ["az_expressivity", "az_trainability", "swap", "meco", "meco_real", "vkdnw_single", "vkdnw"]
    on = {device: score_architectures(space, archs, names, cifar_batch, store=Store(),
                                      compute=Compute(workers=1, show_progress=False, device=device))
          for device in ("cpu", "cuda")}
    for name in names:  # float32 kernels differ between devices: a sign near 0, the smallest deciles
        np.testing.assert_allclose(on["cuda"].values(name, archs), on["cpu"].values(name, archs), rtol=1e-2)
