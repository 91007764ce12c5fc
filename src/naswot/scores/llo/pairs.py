"""|omega_n^(i) & omega_n^(j)| and |omega_n^(i)| for all image pairs and input elements, layer by layer.

Jaccard distances need only these counts. A parameter that is in every set of image i (``full``)
adds the same amount to every element's count, so those parameters go through one (batch x batch)
product of indicator matrices; only the few that vary with n (``mixed``) are unpacked and counted
per element, in chunks, as batched matrix products (float32 sums of 0/1 products are exact below
2^24, and each chunk stays far below that).
"""

from __future__ import annotations

import numpy as np
import torch

from naswot.scores.llo.contract import ParameterSets

_CHUNK_ELEMENTS = 1 << 24  # unpacked floats per chunk (64 MB)


class PairCounts:
    """Pairwise intersection sizes over the parameter tensors added so far (the diagonal holds the set sizes).

    Most patterns are the same in every input channel (the first convolution mixes the channels);
    those are counted once per pixel and spread over the channels at the end."""

    def __init__(self, batch: int, input_shape: tuple[int, int, int]) -> None:
        self.channels = input_shape[0]
        self.pixels = input_shape[1] * input_shape[2]
        self.constant = torch.zeros(batch, batch, dtype=torch.float64)
        self.per_pixel = torch.zeros(self.pixels, batch, batch, dtype=torch.float64)
        self.per_element = torch.zeros(self.channels * self.pixels, batch, batch, dtype=torch.float64)

    def add(self, sets: ParameterSets) -> None:
        constant = sets.full.to(torch.float32)
        constant[:, sets.mixed] = 0.0
        self.constant += (constant @ constant.T).double()
        weights = torch.bincount(sets.pattern_of_row, minlength=sets.patterns.shape[1]).to(torch.float32)
        uniform = self._channel_uniform(sets.patterns)
        if bool(uniform.any()):
            first_channel = sets.patterns[:, uniform, : self.pixels // 64]
            self._accumulate(self.per_pixel, first_channel, weights[uniform], self.pixels)
        if not bool(uniform.all()):
            self._accumulate(self.per_element, sets.patterns[:, ~uniform], weights[~uniform], self.channels * self.pixels)

    def _channel_uniform(self, patterns: torch.Tensor) -> torch.Tensor:
        """(U,) bool: the pattern is the same in every input channel (checked on whole words, so only
        when a channel fills whole words; otherwise every pattern counts per element)."""
        if self.pixels % 64:
            return torch.zeros(patterns.shape[1], dtype=torch.bool)
        by_channel = patterns.view(*patterns.shape[:2], self.channels, self.pixels // 64)
        return (by_channel == by_channel[:, :, :1]).all(-1).all(-1).all(0)

    @staticmethod
    def _accumulate(target: torch.Tensor, patterns: torch.Tensor, weights: torch.Tensor, length: int) -> None:
        """target[n] += sum_u weights[u] * member[n, :, u] member[n, :, u]^T, in chunks of patterns."""
        batch = patterns.shape[0]
        chunk = max(1, _CHUNK_ELEMENTS // (batch * length))
        for start in range(0, patterns.shape[1], chunk):
            members = unpack_by_element(patterns[:, start : start + chunk], length)  # (length, b, u)
            part = weights[start : start + chunk]
            weighted = members if bool((part == 1).all()) else members * part
            target += torch.bmm(weighted, members.transpose(1, 2))

    def intersections(self) -> torch.Tensor:
        """(batch, batch, inputs): |omega_n^(i) & omega_n^(j)|."""
        per_element = self.per_element.view(self.channels, self.pixels, *self.constant.shape) + self.per_pixel
        return per_element.flatten(0, 1).permute(1, 2, 0) + self.constant[:, :, None]

    def jaccard_distances(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(pairs i < j as a (2, pairs) index, distances (pairs, inputs)); two empty sets are at distance 0."""
        intersections = self.intersections()
        sizes = torch.diagonal(intersections).T
        first, second = torch.triu_indices(sizes.shape[0], sizes.shape[0], offset=1)
        common = intersections[first, second]
        union = sizes[first] + sizes[second] - common
        distance = torch.where(union > 0, 1.0 - common / union.clamp(min=1.0), torch.zeros((), dtype=torch.float64))
        return torch.stack([first, second]), distance


def unpack_by_element(bits: torch.Tensor, num_inputs: int) -> torch.Tensor:
    """(batch, rows, words) bit-sets -> (inputs, batch, rows) float32 0/1, contiguous for ``bmm``
    (unpacked along the last axis, then transposed as bytes: both far cheaper than the other orders)."""
    as_bytes = bits.numpy().astype("<i8", copy=False).view(np.uint8)
    flags = np.unpackbits(as_bytes, axis=-1, count=num_inputs, bitorder="little")
    return torch.from_numpy(np.ascontiguousarray(flags.transpose(2, 0, 1))).to(torch.float32)
