"""From reach to parameter sets: one parameter tensor at a time, in a compact form.

Every element of a parameter tensor ("row") is attached to a set S of positions of one tensor: the
positions where its edge's source unit is live and its target unit reaches the output (for a conv
weight w[o, c, k]: the input positions q read by tap k for an output (o, p) that reaches the
output, with unit (c, q) live). Row r is in omega_n^(i) iff n is in the union of the forward reach
over S_r. Rows come out as

- ``full``: in the set of every input element (most rows of most layers), or
- ``mixed``: membership varies with n in some image; stored as an index into a few distinct
  bit-set ``patterns`` (rows of one layer mostly share their pattern), or
- neither: in no set.

The union over S splits in two: positions whose reach equals the mask-free reach are dilated with
the tensor's box model (``box.py``); the rare others contribute their exact reach one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from naswot.scores.llo.bitsets import pack, unpack, words_for
from naswot.scores.llo.box import BoxModel, dilate, full_row_bits
from naswot.scores.llo.reach import Reach

_SETS_PER_CHUNK = 1 << 21  # (image x row) position sets dilated at once


@dataclass(frozen=True)
class RowPositions:
    """The position sets of the rows of one parameter tensor, kept factored.

    Weights: row (o, c, k), flattened in that order, covers the positions where ``targets[o, k]``
    and the unit of channel c is live. Biases (``diagonal``): row o covers ``targets[o, 0]`` where
    the unit of channel o is live.
    """

    targets: torch.Tensor
    """(batch, O, K, H, W) bool."""
    diagonal: bool = False

    def count(self, channels: int) -> int:
        out_channels, taps = self.targets.shape[1:3]
        return out_channels if self.diagonal else out_channels * channels * taps

    def channel_of_row(self, rows: torch.Tensor, channels: int) -> torch.Tensor:
        taps = self.targets.shape[2]
        return rows if self.diagonal else (rows // taps) % channels

    def hits(self, live: torch.Tensor) -> torch.Tensor:
        """(batch, rows) bool: does the row's position set meet ``live`` (batch, C, H, W)?"""
        batch, out_channels, taps = self.targets.shape[:3]
        if self.diagonal:
            return (self.targets[:, :, 0] & live).flatten(2).any(-1)
        targets = self.targets.reshape(batch, out_channels * taps, -1).to(torch.float32)
        counts = torch.bmm(targets, live.flatten(2).to(torch.float32).transpose(1, 2))  # (b, O*K, C)
        return (counts.reshape(batch, out_channels, taps, -1).permute(0, 1, 3, 2) > 0).reshape(batch, -1)

    def block_hits(self, live: torch.Tensor, blocks: torch.Tensor) -> torch.Tensor:
        """(batch, rows) bool: does the row's position set meet ``live`` in every block of positions?
        ``blocks`` (blocks, size) lists flat positions, padded with H*W (a position never set)."""
        batch, out_channels, taps = self.targets.shape[:3]
        count, size = blocks.shape
        targets = _with_empty_position(self.targets.flatten(3))[..., blocks]  # (b, O, K, blocks, size)
        live = _with_empty_position(live.flatten(2))[..., blocks]  # (b, C, blocks, size)
        if self.diagonal:
            return (targets[:, :, 0] & live).any(-1).all(-1)
        left = targets.permute(0, 3, 1, 2, 4).reshape(batch * count, out_channels * taps, size).to(torch.float32)
        right = live.permute(0, 2, 3, 1).reshape(batch * count, size, -1).to(torch.float32)
        met = (torch.bmm(left, right) > 0).reshape(batch, count, out_channels, taps, -1).all(1)  # (b, O, K, C)
        return met.permute(0, 1, 3, 2).reshape(batch, -1)

    def positions(self, live: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """(batch, len(rows), H, W) bool: the position sets of ``rows`` restricted to ``live``."""
        images = torch.arange(live.shape[0])[:, None]
        return self._select(self.targets, live, images, rows[None, :], live.shape[1])

    def packed_positions(self, live: torch.Tensor, images: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """(len(rows), H) int64: the sets of the (image, row) pairs, packed per tensor row (W <= 64 bits)."""
        return self._select(pack(self.targets)[..., 0], pack(live)[..., 0], images, rows, live.shape[1])

    def _select(
        self, targets: torch.Tensor, live: torch.Tensor, images: torch.Tensor, rows: torch.Tensor, channels: int
    ) -> torch.Tensor:
        if self.diagonal:
            return targets[images, rows, 0] & live[images, rows]
        taps = targets.shape[2]
        out, channel, tap = rows // (channels * taps), (rows // taps) % channels, rows % taps
        return targets[images, out, tap] & live[images, channel]


@dataclass(frozen=True)
class ParameterSets:
    """Membership of the elements of one parameter tensor in every omega_n^(i)."""

    offset: int
    """Global index (see ``graph.set_parameters``) of the tensor's first element."""
    full: torch.Tensor
    """(batch, P) bool: the element is in the set of every input element of that image."""
    mixed: torch.Tensor
    """(K,) long: elements described by a pattern (exact for every image)."""
    pattern_of_row: torch.Tensor
    """(K,) long: which pattern each mixed element follows."""
    patterns: torch.Tensor
    """(batch, U, words) int64: the distinct bit-sets over input elements."""

    def dense(self, num_inputs: int) -> torch.Tensor:
        """(batch, P, num_inputs) bool: the membership of every element for every input element."""
        out = self.full[:, :, None].expand(*self.full.shape, num_inputs).clone()
        out[:, self.mixed] = unpack(self.patterns, num_inputs)[:, self.pattern_of_row]
        return out


def contract(
    offset: int, rows: RowPositions, live: torch.Tensor, reach: Reach, free_sets: torch.Tensor, model: BoxModel | None
) -> ParameterSets:
    """The sets of ``rows`` on a tensor whose live units are ``live`` (batch, C, H, W), forward reach
    ``reach`` and mask-free reach ``free_sets`` (1, C', H, W, words)."""
    regular = (reach.bits == free_sets).all(-1).expand_as(live) if model is not None else torch.zeros_like(live)
    live_regular, live_irregular = live & regular, live & ~regular
    touched = rows.hits(live_irregular)
    if model is None:
        full, mixed, patterns, pattern_of_row = _only_exact(touched, reach.bits.shape[-1])
    elif model.covers_everything:
        full, mixed, patterns, pattern_of_row = _covering(rows.hits(live_regular), touched, model)
    else:
        full, mixed, patterns, pattern_of_row = _dilated(rows, live_regular, touched, model)
    extra = touched[:, mixed] & ~full[:, mixed]
    with_extra = extra.any(0).nonzero().squeeze(1)
    if with_extra.numel():
        row_index = mixed[with_extra]
        positions = rows.positions(live_irregular, row_index) & extra[:, with_extra, None, None]
        sets = reach.bits.expand(live.shape[0], *reach.bits.shape[1:])
        added = _exact_union(positions, sets, rows.channel_of_row(row_index, live.shape[1]) if sets.shape[1] > 1 else None)
        patterns = torch.cat([patterns, patterns[:, pattern_of_row[with_extra]] | added], dim=1)
        pattern_of_row = pattern_of_row.clone()
        pattern_of_row[with_extra] = patterns.shape[1] - with_extra.numel() + torch.arange(with_extra.numel())
    used, pattern_of_row = torch.unique(pattern_of_row, return_inverse=True)
    return ParameterSets(offset, full, mixed, pattern_of_row, patterns[:, used])


def _only_exact(touched: torch.Tensor, words: int) -> tuple[torch.Tensor, ...]:
    """No box model: nothing is known to be full; every touched row starts from the empty pattern."""
    mixed = touched.any(0).nonzero().squeeze(1)
    return torch.zeros_like(touched), mixed, torch.zeros(touched.shape[0], 1, words, dtype=torch.int64), torch.zeros_like(mixed)


def _covering(full: torch.Tensor, touched: torch.Tensor, model: BoxModel) -> tuple[torch.Tensor, ...]:
    """Every box is the whole input: a row is full where it meets a regular live position, else its
    regular part is empty; rows with irregular positions elsewhere start from those two patterns."""
    mixed = (touched & ~full).any(0).nonzero().squeeze(1)
    distinct, pattern_of_row = _distinct(full[:, mixed].T.contiguous())
    everything = pack(torch.ones(model.input_shape[0] * model.input_shape[1] * model.input_shape[2], dtype=torch.bool))
    return full, mixed, torch.where(distinct.T[:, :, None], everything, 0), pattern_of_row


def _dilated(rows: RowPositions, live: torch.Tensor, touched: torch.Tensor, model: BoxModel) -> tuple[torch.Tensor, ...]:
    """Full flags, mixed rows, their distinct patterns and each mixed row's pattern, via the box model.

    Sets that meet every certifying block are full without dilation; the others are dilated."""
    batch, channels = live.shape[:2]
    count = rows.count(channels)
    full_row = full_row_bits(model.input_shape[2])
    can_be_full = not model.own_channel or model.input_shape[0] == 1
    blocks = model.certifying_blocks() if can_be_full else None
    full = rows.block_hits(live, blocks) if blocks is not None else torch.zeros(batch, count, dtype=torch.bool)
    images, row_index = (~full & rows.hits(live)).nonzero(as_tuple=True)  # empty sets reach nothing
    pixel_rows = torch.empty(model.input_shape[1], images.numel(), dtype=torch.int64)
    for start in range(0, images.numel(), _SETS_PER_CHUNK):
        part = slice(start, start + _SETS_PER_CHUNK)
        packed = rows.packed_positions(live, images[part], row_index[part])  # (n, H) rows of W bits
        pixel_rows[:, part] = dilate(model, packed.T.contiguous())
    dilated_full = (pixel_rows == full_row).all(0) if can_be_full else torch.zeros(images.numel(), dtype=torch.bool)
    full[images, row_index] = dilated_full
    reaches = torch.zeros(batch, count, dtype=torch.bool)
    reaches[images, row_index] = (pixel_rows != 0).any(0)
    mixed = (~full & (touched | reaches)).any(0).nonzero().squeeze(1)
    slot = torch.full((batch, count), -1, dtype=torch.long)
    slot[images, row_index] = torch.arange(images.numel())
    chosen = slot[:, mixed]  # (b, K): column of pixel_rows, or -1 where the set is certified full or empty
    undilated = torch.where(full[:, mixed], full_row, 0)
    mixed_rows = torch.where(chosen[None] >= 0, pixel_rows[:, chosen.clamp(min=0)], undilated[None])  # (Hin, b, K)
    key = mixed_rows.permute(2, 1, 0).reshape(mixed.numel(), batch * mixed_rows.shape[0])
    channel = rows.channel_of_row(mixed, channels)
    if model.own_channel:
        key = torch.cat([key, channel[:, None]], dim=1)
    distinct, pattern_of_row = _distinct(key)
    first = torch.full((distinct.shape[0],), mixed.numel())
    first.scatter_reduce_(0, pattern_of_row, torch.arange(mixed.numel()), reduce="amin")  # each pattern's first row
    patterns = _pixel_rows_to_sets(mixed_rows[:, :, first].permute(1, 2, 0), model, channel[first])
    return full, mixed, patterns, pattern_of_row


def _with_empty_position(flags: torch.Tensor) -> torch.Tensor:
    """Append one always-False position (the padding index of certifying blocks) to the last dim."""
    return torch.cat([flags, torch.zeros(*flags.shape[:-1], 1, dtype=flags.dtype)], dim=-1)


def _distinct(keys: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The distinct rows of ``keys`` (K, L) and, per row, the index of its distinct row."""
    if keys.shape[0] == 0:
        return keys[:0], torch.zeros(0, dtype=torch.long)
    return torch.unique(keys, dim=0, return_inverse=True)


def _pixel_rows_to_sets(pixel_rows: torch.Tensor, model: BoxModel, channel_of_row: torch.Tensor) -> torch.Tensor:
    """(batch, K, Hin) rows of Win bits -> (batch, K, words) bit-sets over input elements (c, y, x)."""
    channels, height, width = model.input_shape
    batch, count = pixel_rows.shape[:2]
    out = torch.empty(batch, count, words_for(channels * height * width), dtype=torch.int64)
    chunk = max(1, _SETS_PER_CHUNK * 8 // (batch * channels * height * width))
    for start in range(0, count, chunk):
        part = slice(start, start + chunk)
        pixels = unpack(pixel_rows[:, part, :, None], width).reshape(batch, -1, height * width)
        size = pixels.shape[1]
        if model.own_channel:
            elements = torch.zeros(batch, size, channels, height * width, dtype=torch.bool)
            elements[:, torch.arange(size), channel_of_row[part]] = pixels
        else:
            elements = pixels[:, :, None, :].expand(batch, size, channels, height * width)
        out[:, part] = pack(elements.reshape(batch, size, channels * height * width))
    return out


def _exact_union(positions: torch.Tensor, sets: torch.Tensor, channel_of_row: torch.Tensor | None) -> torch.Tensor:
    """Per row, the OR of the exact reach over its positions (batch, K, H, W); the reach is
    (batch, C', H, W, words), read at each row's channel when C' > 1."""
    batch, count = positions.shape[:2]
    words = sets.shape[-1]
    out = torch.zeros(batch, count, words, dtype=torch.int64)
    channels = [None] if channel_of_row is None else channel_of_row.unique().tolist()
    for image in range(batch):
        for channel in channels:
            selected = torch.arange(count) if channel is None else (channel_of_row == channel).nonzero().squeeze(1)
            flags = positions[image, selected].flatten(1)
            used = flags.any(0).nonzero().squeeze(1)
            if used.numel() == 0:
                continue
            reach = unpack(sets[image, channel or 0].flatten(0, 1)[used], 64 * words).to(torch.float32)
            out[image, selected] = pack((flags[:, used].to(torch.float32) @ reach) > 0)
    return out
