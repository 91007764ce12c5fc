"""Sets of input elements packed 64 to an int64 word: the only set type the LLO package uses.

Bit ``i`` of word ``w`` stands for element ``64 * w + i``. Packing and unpacking go through NumPy's
``packbits``/``unpackbits`` (little bit order), whose bytes read as little-endian int64 words.
"""

from __future__ import annotations

import numpy as np
import torch


def words_for(length: int) -> int:
    """How many int64 words hold ``length`` bits."""
    return (length + 63) // 64


def pack(flags: torch.Tensor) -> torch.Tensor:
    """Bool (..., L) -> int64 (..., words_for(L)); bits past L are 0."""
    length = flags.shape[-1]
    packed = np.packbits(flags.cpu().numpy(), axis=-1, bitorder="little")
    padded = np.zeros((*flags.shape[:-1], 8 * words_for(length)), dtype=np.uint8)
    padded[..., : packed.shape[-1]] = packed
    return torch.from_numpy(padded.view("<i8").astype(np.int64, copy=False))


def unpack(words: torch.Tensor, length: int) -> torch.Tensor:
    """int64 (..., W) -> bool (..., length): the inverse of ``pack``."""
    as_bytes = np.ascontiguousarray(words.cpu().numpy().astype("<i8", copy=False)).view(np.uint8)
    return torch.from_numpy(np.unpackbits(as_bytes, axis=-1, count=length, bitorder="little").astype(bool))


def or_reduce(words: torch.Tensor, dim: int) -> torch.Tensor:
    """Bitwise OR along ``dim`` (the union of the sets), by pairwise halving."""
    words = words.movedim(dim, 0)
    if words.shape[0] == 0:
        return torch.zeros(words.shape[1:], dtype=words.dtype)
    while words.shape[0] > 1:
        half = words.shape[0] // 2
        merged = words[:half] | words[half : 2 * half]
        words = torch.cat([merged, words[2 * half :]]) if words.shape[0] % 2 else merged
    return words[0]


def popcount(words: torch.Tensor) -> torch.Tensor:
    """Set sizes: the number of 1 bits summed over the last (word) dimension."""
    counts = np.bitwise_count(words.cpu().numpy().view(np.uint64))
    return torch.from_numpy(counts.sum(axis=-1, dtype=np.int64))
