"""The code product's kernels: each an exact count, the probe keeps the fastest, the override forces one."""

from __future__ import annotations

import time

import numpy as np
import pytest
import torch
from cli_runner import assert_one_line_error, naswot
from conftest import require

import naswot.scores.kernels as kernels
from naswot.compute import build_network
from naswot.errors import NaswotError
from naswot.scores import compute_score, get_score
from naswot.scores.activations import units_in_memory_order
from naswot.spaces import get_space

# odd sizes: one image, one unit, word and byte boundaries missed, a single row block and many
SHAPES = [(1, 1), (2, 63), (3, 65), (9, 37), (17, 1000), (33, 129), (130, 70)]


def brute_force_gram(codes: torch.Tensor) -> torch.Tensor:
    """Units active for both images, pair by pair."""
    bits = codes.numpy()
    n = len(bits)
    return torch.tensor([[int(np.count_nonzero(bits[i] & bits[j])) for j in range(n)] for i in range(n)])


def random_codes(shape: tuple[int, int], seed: int, density: float = 0.4) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).random(shape) < density)


@pytest.mark.parametrize("name", sorted(kernels.CPU_KERNELS))
@pytest.mark.parametrize("shape", SHAPES)
def test_every_kernel_counts_what_a_brute_force_count_counts(name, shape):
    codes = random_codes(shape, seed=shape[0] * 1000 + shape[1])
    gram = kernels.CPU_KERNELS[name](codes)
    assert gram.dtype == torch.int64 and torch.equal(gram, brute_force_gram(codes))


@pytest.mark.parametrize("name", sorted(kernels.CPU_KERNELS))
def test_every_kernel_counts_all_on_and_all_off_codes(name):
    codes = torch.zeros(5, 300, dtype=torch.bool)
    codes[1:3] = True
    expected = torch.zeros(5, 5, dtype=torch.int64)
    expected[1:3, 1:3] = 300
    assert torch.equal(kernels.CPU_KERNELS[name](codes), expected)


def test_float32_blocks_past_the_exact_limit_are_split_and_summed(monkeypatch):
    """A small forced limit stands for 2^24: 37 units in blocks of 5, each exact, the sum exact."""
    codes = random_codes((9, 37), seed=1)
    monkeypatch.setattr(kernels, "EXACT_FLOAT32", 6)
    assert torch.equal(kernels.float32_gram(codes), brute_force_gram(codes))
    monkeypatch.setattr(kernels, "EXACT_FLOAT32", 2**24)
    monkeypatch.setattr(kernels, "FLOAT32_BLOCK", 4)
    assert torch.equal(kernels.float32_gram(codes), brute_force_gram(codes))


@pytest.mark.parametrize("name", sorted(kernels.CPU_KERNELS))
def test_counts_above_2_to_the_24_are_exact(name):
    """More units than float32 counts exactly: the float32 blocks' int64 sum, and the others, stay exact."""
    units = 2**24 + 3
    codes = torch.ones(2, units, dtype=torch.bool)
    codes[1, :5] = False
    assert torch.equal(kernels.CPU_KERNELS[name](codes), torch.tensor([[units, units - 5], [units - 5, units - 5]]))


@pytest.mark.parametrize("pair_words", [1, 7, 2**20])
def test_the_packed_kernel_counts_exactly_in_row_blocks_of_any_size(monkeypatch, pair_words):
    codes = random_codes((33, 200), seed=2, density=0.7)
    monkeypatch.setattr(kernels, "PACKED_PAIR_WORDS", pair_words)
    assert torch.equal(kernels.packed_gram(codes), brute_force_gram(codes))


def fake_kernel(seconds: float):
    def kernel(codes: torch.Tensor) -> torch.Tensor:
        time.sleep(seconds)
        return kernels.float32_gram(codes)

    return kernel


def test_the_probe_keeps_the_faster_of_two_kernels_in_either_order():
    codes = random_codes((4, 10), seed=3)
    slow, fast = fake_kernel(0.02), fake_kernel(0.0)
    assert kernels.fastest({"slow": slow, "fast": fast}, codes) == "fast"
    assert kernels.fastest({"fast": fast, "slow": slow}, codes) == "fast"


def test_the_choice_is_measured_once_per_thread_count_and_the_override_wins(monkeypatch):
    probes: list[int] = []
    measure = kernels.fastest
    fakes = {"int8": fake_kernel(0.02), "float32": fake_kernel(0.0), "packed": fake_kernel(0.01)}

    def counting_fastest(candidates, codes, repeats=3):
        probes.append(torch.get_num_threads())
        return measure(candidates, codes, repeats=1)

    monkeypatch.setattr(kernels, "CPU_KERNELS", fakes)
    monkeypatch.setattr(kernels, "fastest", counting_fastest)
    monkeypatch.setattr(kernels, "_measured", {})
    monkeypatch.delenv(kernels.KERNEL_ENV, raising=False)
    assert [kernels.chosen_kernel(), kernels.chosen_kernel()] == ["float32", "float32"] and len(probes) == 1
    # ready codes are another path, measured once more, and only once
    assert [kernels.chosen_kernel("codes"), kernels.chosen_kernel("codes")] == ["float32", "float32"]
    assert len(probes) == 2
    monkeypatch.setenv(kernels.KERNEL_ENV, "packed")
    assert kernels.chosen_kernel() == kernels.chosen_kernel("codes") == "packed"
    with kernels.forced_kernel("int8"):
        assert kernels.chosen_kernel() == "int8"
    assert kernels.chosen_kernel() == "packed" and len(probes) == 2


def test_each_path_is_probed_on_what_its_callers_pass(monkeypatch):
    """positive_gram's probe times each kernel from float32 activations (the compiled one packing the signs itself),
    code_gram's from boolean codes, and every candidate of either gives the brute-force counts."""
    seen: dict[str, torch.Tensor] = {}

    def recording_fastest(candidates, inputs, repeats=3):
        seen["inputs"] = inputs
        for kernel in candidates.values():
            assert torch.equal(kernel(inputs), brute_force_gram(inputs > 0 if inputs.is_floating_point() else inputs))
        if "compiled" in kernels.CPU_KERNELS and inputs.is_floating_point():
            assert candidates["compiled"] is kernels.compiled_positive_gram
        return "float32"

    monkeypatch.setattr(kernels, "fastest", recording_fastest)
    monkeypatch.setattr(kernels, "_measured", {})
    monkeypatch.delenv(kernels.KERNEL_ENV, raising=False)
    kernels.chosen_kernel("activations")
    assert seen["inputs"].dtype == torch.float32 and 0.4 < (seen["inputs"] > 0).float().mean() < 0.6
    kernels.chosen_kernel("codes")
    assert seen["inputs"].dtype == torch.bool
    with pytest.raises(ValueError, match="path='bits'"):
        kernels.chosen_kernel("bits")


def test_an_unknown_kernel_is_one_line_naming_the_setting(monkeypatch):
    monkeypatch.setenv(kernels.KERNEL_ENV, "avx")
    with pytest.raises(NaswotError, match=r"^NASWOT_CODE_KERNEL='avx' is not a code kernel: use int8, float32, packed"):
        kernels.chosen_kernel()
    with pytest.raises(NaswotError, match=r"^kernel='avx' is not a code kernel"), kernels.forced_kernel("avx"):
        pass


def test_the_cli_refuses_an_unknown_kernel_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv(kernels.KERNEL_ENV, "avx")
    cell = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
    result = naswot("score", cell, "--data", "synthetic", "--store", ":memory:", cwd=tmp_path)
    assert_one_line_error(result, "NASWOT_CODE_KERNEL='avx'", "use int8, float32, packed")


def test_the_probe_picks_a_real_kernel_here():
    values = kernels.probe_values()
    assert kernels.fastest(kernels.from_activations(kernels.CPU_KERNELS), values, repeats=1) in kernels.CPU_KERNELS
    assert kernels.fastest(kernels.CPU_KERNELS, values > 0, repeats=1) in kernels.CPU_KERNELS


def test_naswot_is_bit_identical_whichever_kernel_is_forced(cifar_batch):
    space = get_space("nasbench201:C=8,N=1")
    arch = space.parse("|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
    values = {}
    for name in kernels.CPU_KERNELS:
        with kernels.forced_kernel(name):
            values[name] = [compute_score(get_score(score), build_network(space, arch, 0, 10), cifar_batch).value
                            for score in ("naswot", "naswot_norm", "naswot_last3")]
    assert values["int8"] == values["float32"] == values["packed"]
    assert all(np.isfinite(values["packed"]))


def test_the_compiled_kernel_is_built_here():
    """CI builds the C kernel at install (a compiler is there); elsewhere its absence skips, with the reason."""
    require("naswot._bits", "reinstall with a C compiler present: pip install -e .")
    assert "compiled" in kernels.CPU_KERNELS


@pytest.mark.parametrize("shape", SHAPES)
def test_the_compiled_kernel_packs_signs_straight_from_float32_values(shape):
    """Its own packing of v > 0 (AVX2 or portable) against a brute-force count of the boolean codes, with the
    values where a sign test can go wrong: +0, -0, NaN, infinities and the smallest subnormal."""
    require("naswot._bits", "reinstall with a C compiler present: pip install -e .")
    values = torch.from_numpy(np.random.default_rng(shape[1]).standard_normal(shape).astype(np.float32))
    special = torch.tensor([0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1e-45, -1e-45])
    flat = values.view(-1)
    flat[: min(len(flat), len(special))] = special[: len(flat)]
    assert torch.equal(kernels.compiled_positive_gram(values), brute_force_gram(values > 0))


def test_positive_gram_reads_a_channels_last_activation_as_its_codes():
    """The entry point for activations gives code_gram(x > 0) with every kernel, however x is laid out."""
    x = torch.randn(6, 5, 7, 9).to(memory_format=torch.channels_last)
    flat = units_in_memory_order(x)
    expected = brute_force_gram(flat > 0)
    for name in kernels.CPU_KERNELS:
        with kernels.forced_kernel(name):
            assert torch.equal(kernels.positive_gram(flat), expected), name
