"""The LLO score formula (thesis eq. 3.31-3.39) against hand computation, and the registered scores."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch

import naswot.scores.llo.score as score_module
from naswot.data import Batch
from naswot.scores import compute_score, get_score, score_names
from naswot.scores.llo.contract import ParameterSets
from naswot.scores.llo.formula import DISTANCES, llo_distance, llo_score, row_correlation
from naswot.scores.llo.pairs import PairCounts
from naswot.spaces import get_space

# Three images, three input elements; images 0 and 1 share a class.
LLO = torch.tensor([[1.0, 4.0, 2.0], [2.0, 1.0, 2.0], [-1.0, 4.0, 0.5]], dtype=torch.float64)
LABELS = torch.tensor([0, 0, 1])
PAIRS = torch.tensor([[0, 0, 1], [1, 2, 2]])
JACCARD = torch.tensor([[0.5, 0.2, 0.1], [0.0, 0.5, 0.25], [1.0, 0.25, 0.5]], dtype=torch.float64)
SIGNS = [1.0, -1.0, -1.0]


def by_hand(distance: str, similarity: str) -> float:
    """Eq. 3.31 spelled out with plain floats (3.32-3.35, 3.37) and NumPy's corrcoef (3.38)."""
    def d_lambda(a: float, b: float) -> float:
        return {"abs": abs(a - b), "abs_norm": abs(a - b) / math.sqrt(abs(a * b)),
                "sq": (a - b) ** 2, "sq_norm": (a - b) ** 2 / abs(a * b)}[distance]

    terms = []
    for column, ((i, j), sign) in enumerate(zip(PAIRS.T.tolist(), SIGNS)):
        dl = [d_lambda(float(LLO[i, n]), float(LLO[j, n])) for n in range(3)]
        dw = JACCARD[column].tolist()
        if similarity == "hmean":  # the pair's mean over its elements
            terms.append(sign * np.mean([0.0 if a + b == 0 else 2 * a * b / (a + b) for a, b in zip(dl, dw)]))
        elif np.std(dl) > 0:  # a constant vector has no correlation: the pair is left out
            terms.append(sign * np.corrcoef(dl, dw)[0, 1])
    return float(np.mean(terms))


def test_harmonic_mean_of_absolute_distances_matches_the_worked_number():
    # pair (0,1), +1: hm(1, .5) = 2/3, hm(3, .2) = .375, hm(0, .1) = 0
    # pair (0,2), -1: hm(2, 0) = 0, hm(0, .5) = 0, hm(1.5, .25) = 3/7
    # pair (1,2), -1: hm(3, 1) = 1.5, hm(3, .25) = 6/13, hm(1.5, .5) = .75
    expected = (2 / 3 + 0.375 - 3 / 7 - 1.5 - 6 / 13 - 0.75) / 9
    assert expected == pytest.approx(-0.23316035816)
    assert llo_score(LLO, JACCARD, PAIRS, LABELS, "abs", "hmean") == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("distance", DISTANCES)
@pytest.mark.parametrize("similarity", ["hmean", "corr"])
def test_every_variant_matches_hand_computation(distance, similarity):
    assert llo_score(LLO, JACCARD, PAIRS, LABELS, distance, similarity) == pytest.approx(by_hand(distance, similarity), abs=1e-12)


def test_a_hand_made_pair_of_llos_and_parameter_sets_gives_the_hand_computed_score():
    # two images of different classes, two input elements, five parameters (the last in every set):
    # image 0: omega_0 = {0, 1, 2, 4}, omega_1 = {1, 4};  image 1: omega_0 = {0, 3, 4}, omega_1 = {1, 2, 4}
    # Jaccard: element 0: 1 - |{0,4}| / |{0,1,2,3,4}| = 0.6;  element 1: 1 - |{1,4}| / |{1,2,4}| = 1/3
    patterns = torch.tensor([[[0b01], [0b11], [0b01], [0b00]], [[0b01], [0b10], [0b10], [0b01]]])
    full = torch.tensor([[False] * 4 + [True]] * 2)
    sets = ParameterSets(0, full, torch.arange(4), torch.arange(4), patterns)
    counts = PairCounts(2, (2, 1, 1))
    counts.add(sets)
    pairs, jaccard = counts.jaccard_distances()
    assert torch.allclose(jaccard, torch.tensor([[0.6, 1 / 3]], dtype=torch.float64))
    llo = torch.tensor([[2.0, -1.0], [1.0, -3.0]], dtype=torch.float64)
    labels = torch.tensor([3, 5])
    # abs: d_lambda = (1, 2); harmonic means 2*1*.6/1.6 = .75 and 2*2*(1/3)/(7/3) = 4/7; sign -1
    assert llo_score(llo, jaccard, pairs, labels, "abs", "hmean") == pytest.approx(-(0.75 + 4 / 7) / 2)
    # corr of (1, 2) with (.6, 1/3) is -1; sign -1
    assert llo_score(llo, jaccard, pairs, labels, "abs", "corr") == pytest.approx(1.0)
    # abs_norm: d_lambda = (1/sqrt(2), 2/sqrt(3))
    a, b = 1 / math.sqrt(2), 2 / math.sqrt(3)
    expected = -(2 * a * 0.6 / (a + 0.6) + 2 * b / 3 / (b + 1 / 3)) / 2
    assert llo_score(llo, jaccard, pairs, labels, "abs_norm", "hmean") == pytest.approx(expected)


def test_undefined_normalised_distances_are_left_out_of_the_means():
    llo = LLO.clone()
    llo[2, 0] = 0.0  # element 0 of image 2 has no live path: |lambda_0 lambda_2| = 0
    assert torch.isnan(llo_distance(llo[0], llo[2], "abs_norm")[0])
    kept = llo_distance(llo[PAIRS[0]], llo[PAIRS[1]], "abs_norm")
    assert int(kept.isnan().sum()) == 2  # pairs (0,2) and (1,2), element 0
    value = llo_score(llo, JACCARD, PAIRS, LABELS, "abs_norm", "hmean")
    hm = (2 * kept * JACCARD / (kept + JACCARD)).tolist()
    # eq. 3.31: a mean over pairs of each pair's mean over its usable elements (pair 0 has three, the others two),
    # not one mean over all seven usable terms
    per_pair = [np.mean(hm[0]), np.mean(hm[1][1:]), np.mean(hm[2][1:])]
    expected = np.mean([sign * mean for sign, mean in zip(SIGNS, per_pair)])
    assert value == pytest.approx(expected)
    pooled = np.mean([sign * h for sign, row in zip(SIGNS, hm) for h in row if not math.isnan(h)])
    assert abs(expected - pooled) > 0.01
    assert math.isnan(llo_score(torch.zeros_like(LLO), JACCARD, PAIRS, LABELS, "sq_norm", "hmean"))


def test_row_correlation_equals_numpy_on_the_usable_columns():
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(6, 40, generator=generator, dtype=torch.float64)
    b = torch.randn(6, 40, generator=generator, dtype=torch.float64)
    a[a > 1.2] = math.nan
    got = row_correlation(a, b)
    for row in range(6):
        usable = ~a[row].isnan()
        assert float(got[row]) == pytest.approx(np.corrcoef(a[row, usable], b[row, usable])[0, 1])
    assert torch.isnan(row_correlation(torch.ones(1, 5, dtype=torch.float64), b[:1, :5]))[0]


def test_a_constant_distance_vector_has_no_correlation_even_when_its_mean_is_rounded():
    # 0.1 * 7 / 7 != 0.1 in floating point, so a mean-centred constant row is not exactly zero
    row = torch.full((1, 7), 0.1, dtype=torch.float64)
    other = torch.arange(7, dtype=torch.float64)[None]
    assert torch.isnan(row_correlation(row, other))[0] and torch.isnan(row_correlation(other, row))[0]
    assert float(row_correlation(row + torch.arange(7) * 1e-6, other)[0]) == pytest.approx(1.0)


def test_an_mlp_whose_jaccard_distances_are_constant_has_an_undefined_correlation_score(cifar_batch):
    # one hidden layer: every input element reaches the same live units, so each pair's Jaccard distance is
    # the same for every element and no correlation over elements exists
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(3 * 8 * 8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10))
    images = torch.nn.functional.avg_pool2d(cifar_batch.images[:8], 4)
    batch = Batch(images, cifar_batch.labels[:8], 10, f"{cifar_batch.fingerprint}:pooled8")
    for name in ("llo", "llo:abs:corr", "llo:sq:corr"):
        result = compute_score(get_score(name), net, batch)
        assert result.value == -math.inf and "constant distance vectors" in result.reason, (name, result)


# --- registered scores on real networks and images -------------------------------------------------

def small_batch(cifar_batch: Batch, count: int = 8) -> Batch:
    fingerprint = f"{cifar_batch.fingerprint}:first{count}"
    return Batch(cifar_batch.images[:count], cifar_batch.labels[:count], cifar_batch.num_classes, fingerprint)


def test_all_variants_are_registered_and_the_default_is_the_thesis_best():
    variants = [f"llo:{d}:{s}" for d in DISTANCES for s in ("corr", "hmean")]
    assert score_names("llo*") == ["llo"] + sorted(variants + [f"{v}:bn=autograd" for v in variants])
    assert all(get_score(name).needs_labels and get_score(name).needs_grad for name in score_names("llo*"))


def test_variants_on_a_real_network_share_one_computation(cifar_batch, monkeypatch):
    space = get_space("nasbench201:C=4,N=1")
    cell = space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|")
    batch = small_batch(cifar_batch)
    walks = []
    walk = score_module.parameter_set_layers
    monkeypatch.setattr(score_module, "parameter_set_layers", lambda *a: walks.append(1) or walk(*a))
    values = {}
    for name in score_names("llo*"):
        torch.manual_seed(0)
        result = compute_score(get_score(name), space.build(cell), batch)
        assert math.isfinite(result.value), (name, result.reason)
        values[name] = result.value
    assert len(walks) == 1
    assert values["llo"] == values["llo:abs_norm:corr"]
    assert all(-1.0 <= values[f"llo:{d}:corr"] <= 1.0 for d in DISTANCES)


def test_a_network_whose_cells_output_zero_has_an_undefined_default_score(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    net = space.build(space.parse("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"))
    result = compute_score(get_score("llo"), net, small_batch(cifar_batch))
    assert result.value == -math.inf and "undefined" in result.reason
    # with no live path anywhere every LLO is 0 and every set empty: the harmonic-mean score is exactly 0
    assert compute_score(get_score("llo:abs:hmean"), net, small_batch(cifar_batch)).value == 0.0


def test_the_autograd_batch_norm_llo_is_plain_autograd_of_the_train_mode_network(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    net = space.build(space.parse("|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|none~2|"))
    batch = small_batch(cifar_batch)
    held = score_module.llo_statistics(net.train(), batch)
    through = score_module.llo_statistics(net, batch, "autograd")
    images = batch.images.clone().requires_grad_(True)
    (expected,) = torch.autograd.grad(copy.deepcopy(net).train()(images).sum(), images)  # a copy: BN updates its buffers
    assert torch.allclose(through.llo.float(), expected.flatten(1), atol=1e-6, rtol=1e-4)
    assert not torch.allclose(held.llo, through.llo, rtol=0.1)
    assert through.jaccard is held.jaccard and through.batch_norm == "autograd" and held.batch_norm == "constant"
