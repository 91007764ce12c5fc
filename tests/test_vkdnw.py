"""VKDNW: the Fisher information by closed form on a linear model, the code's covariance factor and the whole
entropy against a direct re-implementation of the authors' lines, the fast Jacobians against torch.func, and the
published ranking (by parameter tensors, ties by the entropy) on real NAS-Bench-201 cells."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

from naswot.data import Batch
from naswot.scores import compute_score, get_score
from naswot.scores.reinit import kaiming_normal_copy
from naswot.scores.vkdnw import (
    covariance_factor,
    decile_entropy,
    fisher_information,
    functorch_logit_jacobians,
    lexicographic,
    logit_jacobians,
)
from naswot.spaces import get_space

CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_1x1~1|nor_conv_3x3~2|"


def authors_cholesky(output: torch.Tensor) -> torch.Tensor:
    """``cholesky_covariance`` of the authors' compute_vkdnw_score.py, line for line (masks, nan_to_num and all),
    but for alpha's type: theirs is float16, which makes 1 - alpha 0.9502 and the probabilities sum to 1.0002."""
    alpha = torch.tensor(0.05, dtype=torch.float32)
    prob = torch.nn.functional.softmax(output, dim=1) * (1 - alpha) + alpha / output.shape[1]
    q = torch.ones_like(prob) - torch.cumsum(prob, dim=1)
    q[:, -1] = torch.zeros_like(q[:, -1])
    q_shift = torch.roll(q, shifts=1, dims=1)
    q_shift[:, 0] = torch.ones_like(q_shift[:, 0])
    d = torch.sqrt(prob * q / q_shift)
    L = -torch.matmul(torch.unsqueeze(prob, dim=2), 1 / torch.transpose(torch.unsqueeze(q, dim=2), dim0=1, dim1=2))
    L = torch.nan_to_num(L, neginf=0.)
    eye = torch.eye(L.shape[1], dtype=output.dtype).repeat(L.shape[0], 1, 1)
    L = L * (1 - eye) + eye
    L = L * (1 - torch.triu(torch.ones(L.shape[1], L.shape[2], dtype=output.dtype), diagonal=1).repeat(L.shape[0], 1, 1))
    return torch.matmul(L, torch.diag_embed(d))


def authors_entropy(model: nn.Module, images: torch.Tensor) -> float:
    """get_fisher(use_logits=False) + torch.svd + deciles + entropy, as the authors' file computes them (index 0
    of each of the first 128 parameter tensors, torch.func Jacobians, float32 throughout)."""
    model.eval()
    names = [name for name, _ in model.named_parameters()][:128]
    params_grad = {k: v.flatten()[[0]].detach() for k, v in model.named_parameters() if k in names}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def jacobian_sample(sample):
        def compute_prediction(params_grad_tmp):
            params = {k: v.detach() for k, v in model.named_parameters()}
            for k, v in params_grad_tmp.items():  # theirs: param[idx] = v in place, which torch.func now refuses
                params[k] = torch.cat([v, params[k].flatten()[1:]]).reshape(params[k].shape)
            return functional_call(model, (params, buffers), (sample.unsqueeze(0),)).squeeze(0)
        return jacrev(compute_prediction)(params_grad)

    jacobian = torch.cat([torch.flatten(v, start_dim=2) for v in vmap(jacobian_sample)(images).values()], dim=2)
    with torch.no_grad():
        jacobian = torch.matmul(authors_cholesky(model(images)), jacobian)
    fisher = torch.mean(torch.matmul(torch.transpose(jacobian, dim0=1, dim1=2), jacobian), dim=0)
    lambdas = torch.svd(fisher).S
    quantiles = torch.quantile(lambdas, torch.arange(0.1, 1., 0.1))
    temp = quantiles / (torch.linalg.norm(quantiles, ord=1).item() + 1e-10)
    return float(-(temp * torch.log(temp + 1e-10)).sum())


def small_network(cell: str = CELL) -> nn.Module:
    space = get_space("nasbench201:C=4,N=1")
    torch.manual_seed(0)
    return space.build(space.parse(cell))


def test_the_paper_fisher_of_a_linear_model_has_its_closed_form():
    # logits = W x + b; probed: W[0,0] and b[0], which move only logit 0: J_n = [[x_n0, 1], 0, 0]
    torch.manual_seed(0)
    linear = nn.Linear(4, 3)
    x = torch.randn(6, 4)
    net = nn.Sequential(linear).eval()
    with torch.no_grad():
        logits = net(x)
    fisher = fisher_information(logit_jacobians(net, x), logits, "paper").double().numpy()
    p = torch.softmax(logits.double(), dim=1).numpy() * 0.95 + 0.05 / 3
    v = p[:, 0] * (1 - p[:, 0])
    x0 = x[:, 0].double().numpy()
    expected = np.array([[np.mean(v * x0 * x0), np.mean(v * x0)], [np.mean(v * x0), np.mean(v)]])
    np.testing.assert_allclose(fisher, expected, rtol=1e-5)


def test_the_covariance_factor_is_lower_triangular_squares_to_the_covariance_and_is_the_authors():
    torch.manual_seed(0)
    logits = torch.randn(5, 10) * 3
    factor = covariance_factor(torch.softmax(logits, dim=1) * 0.95 + 0.005)
    p = (torch.softmax(logits.double(), dim=1) * 0.95 + 0.005).numpy()
    covariance = np.stack([np.diag(row) - np.outer(row, row) for row in p])
    np.testing.assert_allclose((factor @ factor.transpose(1, 2)).double().numpy(), covariance, atol=1e-6)
    assert torch.equal(factor, torch.tril(factor))
    torch.testing.assert_close(factor, authors_cholesky(logits), rtol=1e-5, atol=1e-6)


def test_the_code_product_and_the_paper_product_differ_by_the_side_of_the_factor():
    torch.manual_seed(0)
    jacobians, logits = torch.randn(6, 10, 7, dtype=torch.float64), torch.randn(6, 10)
    factor = authors_cholesky(logits).double()
    code = np.mean([(f @ j).T @ (f @ j) for f, j in zip(factor.numpy(), jacobians.numpy())], axis=0)
    paper = np.mean([j.T @ f @ f.T @ j for f, j in zip(factor.numpy(), jacobians.numpy())], axis=0)
    np.testing.assert_allclose(fisher_information(jacobians, logits, "code").double().numpy(), code, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(fisher_information(jacobians, logits, "paper").double().numpy(), paper, rtol=1e-4, atol=1e-6)
    assert not np.allclose(code, paper, rtol=1e-2)


def test_an_even_spectrum_has_entropy_log_9():
    assert decile_entropy(torch.eye(20, dtype=torch.float64) * 3.0) == pytest.approx(math.log(9), rel=1e-6)


def test_fast_jacobians_equal_torch_func_on_a_real_network(cifar_batch):
    net = small_network().eval()
    images = cifar_batch.images[:8]
    fast = logit_jacobians(net, images)
    reference = functorch_logit_jacobians(net, images)
    assert fast.shape == reference.shape and fast.shape[2] == min(128, len(list(net.parameters())))
    torch.testing.assert_close(fast, reference, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("cell", [
    CELL, "|nor_conv_1x1~0|+|skip_connect~0|nor_conv_3x3~1|+|avg_pool_3x3~0|none~1|nor_conv_1x1~2|"])
def test_vkdnw_single_is_the_authors_entropy_on_their_input(cell, cifar_batch):
    net = small_network(cell)
    value = compute_score(get_score("vkdnw_single"), net, cifar_batch).value
    # the authors' input: their Kaiming redraw (here seeded by the run's weights) and randn(64, 3, 32, 32)
    images = torch.randn((64, 3, 32, 32), generator=torch.Generator().manual_seed(0))
    expected = authors_entropy(kaiming_normal_copy(net), images)
    assert 0 < expected <= math.log(9)
    assert value == pytest.approx(expected, rel=5e-4, abs=1e-6)
    # the run's batch fixes only the image shape
    other = Batch(torch.zeros_like(cifar_batch.images), cifar_batch.labels, 10, "zeros")
    assert compute_score(get_score("vkdnw_single"), net, other).value == value


def test_vkdnw_orders_by_parameter_tensors_then_by_the_entropy(cifar_batch):
    net = small_network()
    tensors = compute_score(get_score("parameter_tensors"), net, cifar_batch).value
    assert tensors == len(list(net.named_parameters())) == len(list(net.parameters()))
    entropy = compute_score(get_score("vkdnw_single"), net, cifar_batch).value
    value = compute_score(get_score("vkdnw"), net, cifar_batch).value
    assert value == pytest.approx(tensors + 0.5 + math.atan(entropy) / math.pi, rel=1e-12)
    pairs = [(3, 0.2), (3, 2.1), (2, 2.19), (4, 0.0), (3, -0.4), (2, 0.0)]
    by_float = sorted(pairs, key=lambda pair: lexicographic(*pair))
    assert by_float == sorted(pairs)  # the dense rank of the pair, as the authors' pandas rank(method='dense')


def test_on_real_cells_more_convolutions_rank_higher_whatever_the_entropy(cifar_batch):
    cells = ["|skip_connect~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|",  # one conv
             "|nor_conv_1x1~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|",  # three
             "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"]  # five
    tensors, values = [], []
    for cell in cells:
        net = small_network(cell)
        tensors.append(compute_score(get_score("parameter_tensors"), net, cifar_batch).value)
        values.append(compute_score(get_score("vkdnw"), net, cifar_batch).value)
    # each conv edge adds its conv weight and BatchNorm's two tensors, in each of the 3 cells of this skeleton
    assert [b - a for a, b in zip(tensors, tensors[1:])] == [2 * 3 * 3, 2 * 3 * 3]
    assert [math.floor(v) for v in values] == tensors and values == sorted(values)


def test_weights_are_redrawn_kaiming_normal_on_a_copy_seeded_by_the_run_s_weights():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 64, 3), nn.BatchNorm2d(64), nn.Flatten(), nn.Linear(10, 5))
    net[1].running_mean.fill_(3.0)
    before = {k: v.clone() for k, v in net.state_dict().items()}
    redrawn = kaiming_normal_copy(net)
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())  # the run's network is left alone
    assert redrawn[0].weight.std().item() == pytest.approx(math.sqrt(2 / 27), rel=0.05)  # 1,728 draws
    assert redrawn[3].weight.std().item() == pytest.approx(math.sqrt(2 / 10), rel=0.3)  # 50 draws
    assert not torch.allclose(redrawn[0].weight / redrawn[0].weight.std(), net[0].weight / net[0].weight.std())
    assert redrawn[0].bias.abs().sum() == 0 and redrawn[3].bias.abs().sum() == 0
    assert redrawn[1].running_mean.abs().sum() == 0 and torch.equal(redrawn[1].weight, torch.ones(64))
    assert torch.equal(kaiming_normal_copy(net)[0].weight, redrawn[0].weight)  # the same weights, the same redraw
    torch.manual_seed(1)
    other = nn.Sequential(nn.Conv2d(3, 64, 3), nn.BatchNorm2d(64), nn.Flatten(), nn.Linear(10, 5))
    assert not torch.equal(kaiming_normal_copy(other)[0].weight, redrawn[0].weight)
