"""The exact product behind every binary-code score, c c^T of a 0/1 matrix (images x units), by the fastest way here.

Which way is fastest depends on the CPU more than on the shapes: torch's int8 product beat float32 several times
on the CPU the first speed figures came from, while on an AVX2-only AMD EPYC the same int8 product of a
128 x 65,536 matrix takes 20 to 80 times as long as float32, and packed bits beat both. So the
kernel is measured, once per process and torch thread count, on a small matrix (``PROBE_SHAPE``), and the fastest
is kept. It is measured on the path each caller takes: ``positive_gram`` starts from float32 activations, where
the compiled kernel packs the signs itself and the others first need the boolean copy, while ``code_gram``
starts from ready codes. The two can disagree: on an Intel Xeon with AVX-512 VNNI, int8 wins from codes and
loses from activations by more than 2x. The candidates, all giving the same int64 counts:

- ``int8``: ``torch._int_mm`` with int32 accumulation, exact below 2^31 units;
- ``float32``: float32 products over blocks of ``FLOAT32_BLOCK`` units; below 2^24 every partial sum is an
  integer float32 holds exactly, so each block's counts are exact, and they are summed in int64;
- ``packed``: the codes packed 64 to a word, each pair's count the popcount of their AND (NumPy), one triangle
  of pairs by symmetry;
- ``compiled``: the same packed count in C (``naswot._bits``, built at install where a C compiler is found), with
  the POPCNT instruction and, for float32 activations, the packing done straight from the values (AVX2 compares),
  so no boolean copy is made. On the AMD EPYC of benchmarks/results/speed.json it is about 7 times faster than
  ``packed`` on a 128 x 330,000 matrix.

``NASWOT_CODE_KERNEL=int8|float32|packed|compiled`` (or ``forced_kernel``) skips the measurement, so benchmarks can time
each one. ``positive_gram`` is the entry point for activations: the sign is taken inside the compiled kernel
when it is the one chosen. Off the CPU the float32 blocks are used: CUDA's int8 product needs shapes in multiples of 8, and the
packed kernel runs in NumPy.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import numpy as np
import torch

from naswot.errors import NaswotError
from naswot.scores.llo.bitsets import pack, words_for

try:
    from naswot import _bits
except ImportError:  # installed without a C compiler: the NumPy and torch kernels remain
    _bits = None

CodeKernel = Callable[[torch.Tensor], torch.Tensor]

KERNEL_ENV = "NASWOT_CODE_KERNEL"

EXACT_FLOAT32 = 2**24
"""float32 holds every integer below 2^24 exactly, so a 0/1 product over fewer units is an exact count."""

FLOAT32_BLOCK = 2**16
"""Units per float32 product: exact (below ``EXACT_FLOAT32``), and the float copy stays at 256 KiB per image."""

PACKED_PAIR_WORDS = 2**17
"""Words ANDed at once by the packed kernel (1 MiB): enough rows per step that NumPy's per-call cost vanishes."""

PROBE_SHAPE = (64, 4096)
"""The probe's codes: small enough that the slowest candidate costs milliseconds, large enough to rank them."""


def int8_gram(codes: torch.Tensor) -> torch.Tensor:
    """c c^T by torch's int8 product with int32 accumulation (CPU)."""
    as_int8 = codes.view(torch.int8) if codes.dtype == torch.bool else codes.to(torch.int8)
    return torch._int_mm(as_int8, as_int8.T).to(torch.int64)


def float32_gram(codes: torch.Tensor) -> torch.Tensor:
    """c c^T from float32 products over blocks of ``FLOAT32_BLOCK`` units, each an exact count, summed in int64."""
    gram = torch.zeros(codes.shape[0], codes.shape[0], dtype=torch.int64, device=codes.device)
    for block in codes.split(min(FLOAT32_BLOCK, EXACT_FLOAT32 - 1), dim=1):
        as_float = block.to(torch.float32)
        gram += (as_float @ as_float.T).to(torch.int64)
    return gram


def packed_gram(codes: torch.Tensor) -> torch.Tensor:
    """c c^T as popcounts of ANDed 64-bit words, a block of rows against the rows from the block on (CPU)."""
    words = pack(codes).numpy().view(np.uint64)
    rows = len(words)
    gram = np.empty((rows, rows), dtype=np.int64)
    step = max(1, PACKED_PAIR_WORDS // max(1, rows * words.shape[1]))
    for start in range(0, rows, step):
        stop = min(rows, start + step)
        counts = np.bitwise_count(words[start:stop, None, :] & words[None, start:, :]).sum(axis=2, dtype=np.int64)
        gram[start:stop, start:] = counts
        gram[start:, start:stop] = counts.T
    return torch.from_numpy(gram)


def compiled_gram(codes: torch.Tensor) -> torch.Tensor:
    """c c^T as popcounts of ANDed 64-bit words, in C (``naswot._bits``)."""
    return _words_gram(pack(codes).numpy())


def compiled_positive_gram(values: torch.Tensor) -> torch.Tensor:
    """(v > 0)(v > 0)^T of a float32 matrix, its bits packed in C without a boolean copy."""
    rows, units = values.shape
    words = np.empty((rows, words_for(units)), dtype=np.uint64)
    _bits.pack_positive(values.contiguous().numpy(), rows, units, words)
    return _words_gram(words)


def _words_gram(words: np.ndarray) -> torch.Tensor:
    rows, count = words.shape
    gram = np.empty((rows, rows), dtype=np.int64)
    _bits.and_gram(np.ascontiguousarray(words), rows, count, gram)
    return torch.from_numpy(gram)


CPU_KERNELS: dict[str, CodeKernel] = {"int8": int8_gram, "float32": float32_gram, "packed": packed_gram}
if _bits is not None:
    CPU_KERNELS["compiled"] = compiled_gram

PATHS = ("activations", "codes")
"""What a caller starts from: float32 activations whose signs are the codes (``positive_gram``), or the codes."""

_forced: str | None = None
_measured: dict[tuple[str, int], str] = {}


def fastest(kernels: Mapping[str, CodeKernel], inputs: torch.Tensor, repeats: int = 3) -> str:
    """The name of the kernel whose best of ``repeats`` timed calls on ``inputs`` (after one untimed call) is shortest."""
    best: dict[str, float] = {}
    for name, kernel in kernels.items():
        kernel(inputs)
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            kernel(inputs)
            times.append(time.perf_counter() - start)
        best[name] = min(times)
    return min(best, key=best.__getitem__)


def probe_values() -> torch.Tensor:
    """Seeded Gaussian activations of ``PROBE_SHAPE``, about half of them positive: no kernel's time depends on them."""
    generator = torch.Generator().manual_seed(0)
    return torch.randn(PROBE_SHAPE, generator=generator)


def from_activations(kernels: Mapping[str, CodeKernel]) -> dict[str, CodeKernel]:
    """Each kernel as ``positive_gram`` runs it on float32 activations: the sign taken first, in C for ``compiled``."""
    paths: dict[str, CodeKernel] = {name: (lambda values, kernel=kernel: kernel(values > 0))
                                    for name, kernel in kernels.items()}
    if "compiled" in paths:
        paths["compiled"] = compiled_positive_gram
    return paths


def chosen_kernel(path: str = "activations") -> str:
    """The CPU kernel this process uses for ``path`` (one of ``PATHS``) at torch's current thread count: the forced
    one, else the fastest measured on that path."""
    if path not in PATHS:
        raise ValueError(f"path={path!r}: use one of {', '.join(PATHS)}")
    name = _forced or os.environ.get(KERNEL_ENV)
    if name:
        if name not in CPU_KERNELS:
            raise NaswotError(f"{KERNEL_ENV}={name!r} is not a code kernel: use {', '.join(CPU_KERNELS)} or unset it")
        return name
    key = (path, torch.get_num_threads())
    if key not in _measured:
        values = probe_values()
        candidates, inputs = (from_activations(CPU_KERNELS), values) if path == "activations" else (CPU_KERNELS, values > 0)
        _measured[key] = fastest(candidates, inputs)
    return _measured[key]


@contextmanager
def forced_kernel(name: str) -> Iterator[None]:
    """Use the CPU kernel ``name`` inside the block, whatever the measurement or the environment says."""
    global _forced
    if name not in CPU_KERNELS:
        raise NaswotError(f"kernel={name!r} is not a code kernel: use {', '.join(CPU_KERNELS)}")
    previous, _forced = _forced, name
    try:
        yield
    finally:
        _forced = previous


def code_gram(codes: torch.Tensor) -> torch.Tensor:
    """c c^T (int64) of a boolean matrix (batch x units): exact counts of the units active for both images."""
    if codes.device.type != "cpu":
        return float32_gram(codes)
    return CPU_KERNELS[chosen_kernel("codes")](codes)


def positive_gram(values: torch.Tensor) -> torch.Tensor:
    """code_gram(values > 0) of an activation matrix (batch x units), without the boolean copy where it can."""
    if values.device.type != "cpu":
        return float32_gram(values > 0)
    kernel = chosen_kernel("activations")  # once per call: this runs for every rectifier of every network
    if kernel == "compiled" and values.dtype == torch.float32:
        return compiled_positive_gram(values)
    return CPU_KERNELS[kernel](values > 0)
