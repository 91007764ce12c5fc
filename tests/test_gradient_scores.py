"""snip, grad_norm, fisher and grasp against a hand-written backward pass and an explicit Hessian."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from naswot.data import Batch
from naswot.errors import NaswotError
from naswot.scores import compute_score, get_score

W1 = np.array([[1.0, -2.0, 0.5], [0.3, 0.8, -1.0]])  # 3 inputs -> 2 hidden
W2 = np.array([[2.0, -1.0], [-0.5, 1.5], [1.0, 1.0]])  # 2 hidden -> 3 classes
X = np.array([[1.0, 0.5, -1.0], [-0.5, 1.0, 2.0], [0.2, -0.3, 0.4], [2.0, 1.0, 0.0]])
Y = np.array([0, 2, 1, 2])


def two_layer_net() -> nn.Module:
    net = nn.Sequential(nn.Linear(3, 2, bias=False), nn.ReLU(), nn.Linear(2, 3, bias=False)).double()
    with torch.no_grad():
        net[0].weight.copy_(torch.from_numpy(W1))
        net[2].weight.copy_(torch.from_numpy(W2))
    return net


def batch() -> Batch:
    return Batch(torch.from_numpy(X), torch.from_numpy(Y), 3, "hand")


def hand_backward() -> dict[str, np.ndarray]:
    """Cross-entropy (mean over the batch) through linear-ReLU-linear, differentiated by hand."""
    z1 = X @ W1.T
    h = np.maximum(z1, 0.0)
    out = h @ W2.T
    p = np.exp(out - out.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    d_out = (p - np.eye(3)[Y]) / len(X)
    d_z1 = (d_out @ W2) * (z1 > 0)
    return {"z1": z1, "out": out, "d_z1": d_z1, "d_out": d_out, "g1": d_z1.T @ X, "g2": d_out.T @ h}


def score(name: str) -> float:
    return compute_score(get_score(name), two_layer_net(), batch()).value


def test_snip_is_the_sum_of_weight_times_gradient():
    hand = hand_backward()
    expected = np.abs(W1 * hand["g1"]).sum() + np.abs(W2 * hand["g2"]).sum()
    assert score("snip") == pytest.approx(expected, rel=1e-12)


def test_grad_norm_sums_the_norm_of_each_layer_gradient():
    hand = hand_backward()
    expected = np.linalg.norm(hand["g1"]) + np.linalg.norm(hand["g2"])
    assert score("grad_norm") == pytest.approx(expected, rel=1e-12)


def test_fisher_gives_each_channel_value_to_every_weight_of_the_channel():
    # Abdelfattah et al. / NASLib: channel k's value 0.5 mean_n (a g)^2 is broadcast over weight[k] (fan-in 3 for
    # the first layer's W1 of shape 2x3, 2 for W2 of shape 3x2) and all per-weight values are summed
    hand = hand_backward()
    expected = sum(fan_in * 0.5 * ((hand[a] * hand[g]) ** 2).mean(0).sum()
                   for a, g, fan_in in (("z1", "d_z1", 3), ("out", "d_out", 2)))
    assert score("fisher") == pytest.approx(expected, rel=1e-12)
    assert get_score("fisher").version == 2


def test_fisher_of_a_convolution_weighs_each_channel_by_its_kernel_volume():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 5))
    images, labels = torch.randn(6, 3, 5, 5), torch.tensor([0, 1, 2, 3, 4, 0])
    conv_out = net[0](images)
    conv_out.retain_grad()
    logits = net[4](net[3](net[2](net[1](conv_out))))
    logits.retain_grad()
    torch.nn.functional.cross_entropy(logits, labels).backward()
    per_channel_conv = 0.5 * ((conv_out.detach() * conv_out.grad).sum((2, 3)) ** 2).mean(0)
    per_channel_linear = 0.5 * ((logits.detach() * logits.grad) ** 2).mean(0)
    expected = float(per_channel_conv.sum()) * 3 * 3 * 3 + float(per_channel_linear.sum()) * 4
    assert compute_score(get_score("fisher"), net, Batch(images, labels, 5, "conv")).value == pytest.approx(expected, rel=1e-5)


def test_grasp_equals_minus_weights_times_the_explicit_hessian_gradient_product():
    net = two_layer_net()
    shapes = [w.shape for w in (net[0].weight, net[2].weight)]
    flat = torch.cat([net[0].weight.reshape(-1), net[2].weight.reshape(-1)]).detach()

    def loss(theta: torch.Tensor) -> torch.Tensor:
        w1 = theta[: shapes[0].numel()].reshape(shapes[0])
        w2 = theta[shapes[0].numel():].reshape(shapes[1])
        logits = torch.relu(batch().images @ w1.T) @ w2.T
        return torch.nn.functional.cross_entropy(logits, batch().labels)

    gradient = torch.autograd.functional.jacobian(loss, flat)
    hessian = torch.autograd.functional.hessian(loss, flat)
    expected = float(-(flat * (hessian @ gradient)).sum())
    assert abs(expected) > 1e-3  # the product is not trivially zero on this net
    assert score("grasp") == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("name", ["snip", "grad_norm", "grasp", "fisher", "epe_nas"])
def test_label_scores_declare_labels_and_gradients(name):
    spec = get_score(name)
    assert spec.needs_labels and spec.needs_grad
    assert spec.needs_loss == (name != "epe_nas")


def test_a_loss_score_refuses_a_batch_without_labels():
    unlabelled = Batch(torch.from_numpy(X), None, 3, "no labels")  # type: ignore[arg-type]
    with pytest.raises(NaswotError, match="needs labelled images"):
        compute_score(get_score("snip"), two_layer_net(), unlabelled)
