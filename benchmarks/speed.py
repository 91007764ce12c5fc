"""How much a NASWOT score costs beyond the forward pass it cannot avoid.

For a sample of NAS-Bench-201 networks on 128 real CIFAR-10 images, each time is divided by one
plain forward pass of the same network on the same batch, measured in the same run:
- ``naswot``: this package's score (one forward pass with the Hamming kernels accumulated in hooks);
- ``original``: the straightforward implementation of the original code (a forward and backward
  pass for the Jacobian, then a second forward pass whose hooks add two float64 products per ReLU).
The floor is 1.0. Both computations must give the same kernel, which is checked as they run.
The JSON holds every statistic the README quotes: the medians, the 10th-90th percentile range of each
ratio and the number of networks.

    python -m benchmarks.speed [--networks 30]     (--networks 3 for a quick check)
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
import torch
from torch import nn

from benchmarks.common import cifar10_batch, forward_seconds, median_seconds, nasbench201_sample, write_json
from naswot.compute import build_network
from naswot.scores import compute_score, get_score

ARCHITECTURES = 30


def original_kernel(net: nn.Module, images: torch.Tensor) -> np.ndarray:
    """The original repository's procedure: Jacobian forward/backward, then a hooked second forward."""
    kernel = np.zeros((len(images), len(images)))

    def count(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        nonlocal kernel
        x = (inputs[0].reshape(len(inputs[0]), -1) > 0).double()
        kernel = kernel + (x @ x.t()).numpy() + ((1.0 - x) @ (1.0 - x.t())).numpy()

    x = images.clone().requires_grad_(True)
    net.zero_grad()
    net(x).backward(torch.ones(len(images), net.classifier.out_features))
    handles = [m.register_forward_hook(count) for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net(images)
    for handle in handles:
        handle.remove()
    return kernel


def original_score(net: nn.Module, images: torch.Tensor) -> float:
    return float(np.linalg.slogdet(original_kernel(net, images))[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=ARCHITECTURES, help="networks of the shared sample to time")
    args = parser.parse_args()
    torch.set_num_threads(1)
    batch = cifar10_batch(128)
    space, archs = nasbench201_sample(args.networks)
    spec = get_score("naswot")
    rows = []
    for arch in archs:
        net = build_network(space, arch, 0, batch.num_classes).train()
        ours = compute_score(spec, net, batch).value
        reference = original_score(net, batch.images)
        assert ours == reference or abs(ours - reference) < 1e-6 * abs(reference), (arch, ours, reference)
        forward = forward_seconds(net, batch.images, repeats=3)
        score_time = median_seconds(lambda net=net: compute_score(spec, net, batch), repeats=3)
        original_time = median_seconds(lambda net=net: original_score(net, batch.images), repeats=1)
        rows.append({"arch": str(arch), "forward_s": forward, "naswot_s": score_time, "original_s": original_time,
                     "naswot_ratio": score_time / forward, "original_ratio": original_time / forward})
        print(f"{rows[-1]['naswot_ratio']:.2f} {rows[-1]['original_ratio']:.2f}  {arch}")
    naswot_ratios, original_ratios = [r["naswot_ratio"] for r in rows], [r["original_ratio"] for r in rows]
    summary = {
        "median_naswot_ratio": statistics.median(naswot_ratios),
        "p10_naswot_ratio": float(np.percentile(naswot_ratios, 10)),
        "p90_naswot_ratio": float(np.percentile(naswot_ratios, 90)),
        "median_original_ratio": statistics.median(original_ratios),
        "p10_original_ratio": float(np.percentile(original_ratios, 10)),
        "p90_original_ratio": float(np.percentile(original_ratios, 90)),
        "median_forward_seconds": statistics.median(r["forward_s"] for r in rows),
        "target_naswot_ratio": 1.2,
    }
    print(summary)
    write_json("speed", {"batch": batch.fingerprint, "threads": 1, "architectures": len(rows), **summary, "rows": rows})


if __name__ == "__main__":
    main()
