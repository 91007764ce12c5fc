"""How much a NASWOT score costs beyond the forward pass it cannot avoid.

For a sample of NAS-Bench-201 networks on 128 real CIFAR-10 images, each time is divided by one
plain forward pass of the same network on the same batch, measured in the same run:
- ``naswot``: this package's score (one forward pass with the Hamming kernels accumulated in hooks);
- ``original``: the straightforward implementation of the original code (a forward and backward
  pass for the Jacobian, then a second forward pass whose hooks add two float64 products per ReLU).
The floor is 1.0. Both computations must give the same kernel, which is checked as they run.
The JSON holds every statistic the README quotes: the medians, the 10th-90th percentile range of each
ratio and the number of networks. Because the code product's fastest kernel depends on the CPU, it also
records the CPU (model, torch's capability, cores), the kernel the probe chose, naswot's ratio with each
kernel forced, and how close the floor itself is to the machine: the forward pass's achieved GFLOP/s
(2 x NAS-Bench-201's multiply-accumulates, so a lower bound) beside a float32 matrix product's, both on one thread.

    python -m benchmarks.speed [--networks 30]     (--networks 3 for a quick check)
    ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 python -m benchmarks.speed --out speed-avx2
        (an AVX2-only CPU as torch sees one, on a machine with AVX-512: torch and oneDNN capped at AVX2)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch
from torch import nn

from benchmarks.common import cifar10_batch, forward_seconds, median_seconds, nasbench201_sample, write_json
from naswot.compute import build_network
from naswot.scores import compute_score, get_score
from naswot.scores.kernels import CPU_KERNELS, chosen_kernel, forced_kernel
from naswot.scores.size import multiply_accumulates

ARCHITECTURES = 30
ISA_CAPS = ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")
"""Settings that make torch and oneDNN use fewer instructions than the CPU has; recorded when set."""
PEAK_SIZE = 1024
"""Side of the square float32 matrices whose product stands for the machine's peak (2 GFLOP a product)."""


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


def matmul_peak_gflops(size: int = PEAK_SIZE, repeats: int = 5) -> float:
    """GFLOP/s of the best of ``repeats`` float32 products of two ``size`` x ``size`` matrices (after a warm-up)."""
    a, b = torch.rand(size, size), torch.rand(size, size)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def spread(values: list[float], name: str) -> dict[str, float]:
    """Median and 10th-90th percentiles of ``values`` under the keys the README reads."""
    return {f"median_{name}": statistics.median(values), f"p10_{name}": float(np.percentile(values, 10)),
            f"p90_{name}": float(np.percentile(values, 90))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", type=int, default=ARCHITECTURES, help="networks of the shared sample to time")
    parser.add_argument("--out", default="speed", help="Name of the JSON written to benchmarks/results/.")
    args = parser.parse_args()
    torch.set_num_threads(1)
    load_before = os.getloadavg()
    batch = cifar10_batch(128)
    space, archs = nasbench201_sample(args.networks)
    spec = get_score("naswot")
    chosen = chosen_kernel()
    peak = matmul_peak_gflops()
    rows = []
    for arch in archs:
        net = build_network(space, arch, 0, batch.num_classes).train()
        ours = compute_score(spec, net, batch).value
        reference = original_score(net, batch.images)
        assert ours == reference or abs(ours - reference) < 1e-6 * abs(reference), (arch, ours, reference)
        forward = forward_seconds(net, batch.images, repeats=3)
        with torch.no_grad():
            gflop = 2 * multiply_accumulates(net, batch.images) * len(batch.images) / 1e9
        score_time = median_seconds(lambda net=net: compute_score(spec, net, batch), repeats=3)
        kernel_times = {}
        for name in CPU_KERNELS:
            with forced_kernel(name):
                assert compute_score(spec, net, batch).value == ours, (arch, name)
                kernel_times[name] = median_seconds(lambda net=net: compute_score(spec, net, batch), repeats=1)
        original_time = median_seconds(lambda net=net: original_score(net, batch.images), repeats=1)
        rows.append({"arch": str(arch), "forward_s": forward, "naswot_s": score_time, "original_s": original_time,
                     "naswot_ratio": score_time / forward, "original_ratio": original_time / forward,
                     "kernel_ratios": {name: seconds / forward for name, seconds in kernel_times.items()},
                     "forward_gflops": gflop / forward})
        print(f"{rows[-1]['naswot_ratio']:.2f} {rows[-1]['original_ratio']:.2f} "
              + " ".join(f"{name} {ratio:.2f}" for name, ratio in rows[-1]["kernel_ratios"].items()) + f"  {arch}")
    forward_gflops = statistics.median(r["forward_gflops"] for r in rows)
    summary = {
        **spread([r["naswot_ratio"] for r in rows], "naswot_ratio"),
        **spread([r["original_ratio"] for r in rows], "original_ratio"),
        "median_forward_seconds": statistics.median(r["forward_s"] for r in rows),
        "target_naswot_ratio": 1.2,
        "code_kernel": chosen,
        "kernels": {name: spread([r["kernel_ratios"][name] for r in rows], "naswot_ratio") for name in CPU_KERNELS},
        "median_forward_gflops": forward_gflops,
        "matmul_peak_gflops": peak,
        "forward_over_peak": forward_gflops / peak,
    }
    print(summary)
    caps = {name: os.environ[name] for name in ISA_CAPS if name in os.environ}
    write_json(args.out, {"isa_caps": caps, "batch": batch.fingerprint, "threads": 1, "architectures": len(rows), **summary,
                         "load_average_before": list(load_before), "load_average_after": list(os.getloadavg()),
                         "rows": rows})


if __name__ == "__main__":
    main()
