"""The reach of a unit when no ReLU is dead is a box of input pixels; unions of boxes are dilations.

In a CNN every unit at position (qy, qx) is reached, with all ReLUs alive, by the input pixels of a
box [y0(qy), y1(qy)] x [x0(qx), x1(qx)] (the receptive field clipped to the image), in all input
channels after the first convolution or in its own channel before it. Dead ReLUs only remove
elements, and in practice almost never at all (the positions where they do are handled exactly,
one by one, in ``contract.py``). So the set of inputs that reach any of a set S of positions is a
dilation of S: per pixel row my, the OR over the tensor rows qy whose box covers my, of the pixel
columns covered by the columns in S. Bits packed along the width make this a few table look-ups.

``BoxModel`` is derived from, and checked exactly against, the mask-free reach; a tensor whose
reach is not of this form gets no model and is contracted the slow, general way.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from naswot.scores.llo.bitsets import or_reduce, pack, unpack

MAX_WIDTH = 64  # a row of positions, and a row of input pixels, must fit one int64 word


@dataclass(frozen=True)
class BoxModel:
    """Mask-free reach of a tensor's units as boxes of input pixels."""

    own_channel: bool
    """True: unit channel c' is reached from input channel c' only; False: from all input channels."""
    row_lo: torch.Tensor
    """(Hin,) long: the first tensor row whose box covers input pixel row my ..."""
    row_hi: torch.Tensor
    """(Hin,) long: ... and the last (row_lo > row_hi: none does)."""
    column_lo: torch.Tensor
    """(Win,) long: the first tensor column whose box covers input pixel column mx ..."""
    column_hi: torch.Tensor
    """(Win,) long: ... and the last."""
    column_masks: torch.Tensor
    """(W,) int64: the input pixel columns covered by tensor column qx, as bits."""
    input_shape: tuple[int, int, int]
    height: int
    """H, the number of tensor rows."""

    @property
    def covers_everything(self) -> bool:
        """Every unit's box is the whole image in all channels: any live regular position reaches all inputs."""
        return (
            (not self.own_channel or self.input_shape[0] == 1)
            and bool((self.row_lo == 0).all())
            and bool((self.row_hi == self.height - 1).all())
            and bool((self.column_masks == full_row_bits(self.input_shape[2])).all())
        )

    def certifying_blocks(self) -> torch.Tensor | None:
        """Aligned blocks of tensor positions, as large as possible while every input pixel's covering
        rectangle contains a whole block: a set meeting every block reaches every pixel. Returned as
        (blocks, positions per block) flat position indices, padded with H*W; None when no block
        larger than one position qualifies."""
        block_height = _largest_block(self.row_lo, self.row_hi, self.height)
        block_width = _largest_block(self.column_lo, self.column_hi, self.column_masks.shape[0])
        if block_height * block_width <= 1:
            return None
        width = self.column_masks.shape[0]
        rows = torch.arange(self.height)[:, None].expand(-1, width)
        cols = torch.arange(width)[None, :].expand(self.height, -1)
        block = (rows // block_height) * ((width + block_width - 1) // block_width) + cols // block_width
        members = [(block.flatten() == b).nonzero().squeeze(1) for b in range(int(block.max()) + 1)]
        padded = torch.full((len(members), max(len(m) for m in members)), self.height * width)
        for index, member in enumerate(members):
            padded[index, : len(member)] = member
        return padded


def box_model(free_sets: torch.Tensor, input_shape: tuple[int, int, int]) -> BoxModel | None:
    """The box form of a mask-free reach ``free_sets`` (1, C', H, W, words), or None if it has none."""
    channels_in, height_in, width_in = input_shape
    _, channels, height, width, _ = free_sets.shape
    if width > MAX_WIDTH or width_in > MAX_WIDTH:
        return None
    support = unpack(free_sets[0], channels_in * height_in * width_in)
    support = support.reshape(channels, height, width, channels_in, height_in, width_in)
    in_channels = support.any(-1).any(-1)
    if bool(in_channels.all()):
        own = False
    elif channels == channels_in and torch.equal(in_channels, _own_channels(channels).expand(in_channels.shape)):
        own = True
    else:
        return None
    pixels = support.any(3)
    rows, cols = pixels.any(-1), pixels.any(-2)
    y0, y1 = _first(rows), _last(rows)
    x0, x1 = _first(cols), _last(cols)
    y0, y1 = y0[0, :, 0], y1[0, :, 0]
    x0, x1 = x0[0, 0, :], x1[0, 0, :]
    in_rows = torch.arange(height_in)
    in_cols = torch.arange(width_in)
    row_box = (in_rows >= y0[:, None]) & (in_rows <= y1[:, None])
    col_box = (in_cols >= x0[:, None]) & (in_cols <= x1[:, None])
    boxes = row_box[:, None, :, None] & col_box[None, :, None, :]
    if not torch.equal(pixels, boxes.expand_as(pixels)) or not all(_nondecreasing(v) for v in (y0, y1, x0, x1)):
        return None
    row_lo = torch.searchsorted(y1.contiguous(), in_rows, right=False)
    row_hi = torch.searchsorted(y0.contiguous(), in_rows, right=True) - 1
    column_lo = torch.searchsorted(x1.contiguous(), in_cols, right=False)
    column_hi = torch.searchsorted(x0.contiguous(), in_cols, right=True) - 1
    column_masks = pack(col_box)[:, 0]
    return BoxModel(own, row_lo, row_hi, column_lo, column_hi, column_masks, input_shape, height)


def dilate(model: BoxModel, rows: torch.Tensor) -> torch.Tensor:
    """For position sets packed per tensor row, (H, M) int64 of W bits (M sets), the input pixels
    reached by any of their positions: (Hin, M) int64 of Win bits."""
    width = model.column_masks.shape[0]
    full_row = full_row_bits(model.input_shape[2])
    if bool((model.column_masks == full_row).all()):
        columns = torch.where(rows != 0, full_row, 0)
    else:
        table = _byte_table(model.column_masks)
        columns = torch.zeros_like(rows)
        for byte in range((width + 7) // 8):
            columns |= table[byte][(rows >> (8 * byte)) & 255]
    if bool((model.row_lo == 0).all() and (model.row_hi == rows.shape[0] - 1).all()):
        return or_reduce(columns, dim=0).expand(model.row_lo.shape[0], -1)
    return _range_or(columns, model.row_lo, model.row_hi)


def full_row_bits(width: int) -> int:
    """The int64 value with the low ``width`` bits set."""
    return -1 if width == 64 else (1 << width) - 1


def _byte_table(column_masks: torch.Tensor) -> torch.Tensor:
    """table[j][v] = OR of the column masks of the bits set in byte value v at byte j."""
    width = column_masks.shape[0]
    values = torch.arange(256)
    table = torch.zeros((width + 7) // 8, 256, dtype=torch.int64)
    for column in range(width):
        byte, bit = divmod(column, 8)
        table[byte] |= torch.where((values >> bit) & 1 == 1, column_masks[column], 0)
    return table


def _range_or(rows: torch.Tensor, lo: torch.Tensor, hi: torch.Tensor) -> torch.Tensor:
    """out[i] = OR of rows[lo[i] : hi[i] + 1] (0 where lo > hi), by a sparse table over dim 0."""
    height = rows.shape[0]
    levels = [rows]
    while 2 ** len(levels) <= height:
        step = 2 ** (len(levels) - 1)
        previous = levels[-1]
        levels.append(previous[: previous.shape[0] - step] | previous[step:])
    out = torch.zeros(lo.shape[0], *rows.shape[1:], dtype=torch.int64)
    length = hi - lo + 1
    for level, table in enumerate(levels):
        chosen = (length >= 2**level) & (length < 2 ** (level + 1))
        if bool(chosen.any()):
            index = chosen.nonzero().squeeze(1)
            out[index] = table[lo[index]] | table[hi[index] - 2**level + 1]
    return out


def _own_channels(channels: int) -> torch.Tensor:
    """(C, 1, 1, C): unit channel c reached from input channel c only."""
    return torch.eye(channels, dtype=torch.bool)[:, None, None]


def _largest_block(lo: torch.Tensor, hi: torch.Tensor, size: int) -> int:
    """The largest b such that every interval [lo, hi] contains a whole aligned block [b*i, b*i + b) & [0, size)."""
    if bool((lo > hi).any()):
        return 1
    for block in range(int((hi - lo).min()) + 1, 1, -1):
        starts = torch.arange(0, size, block)
        ends = (starts + block).clamp(max=size) - 1
        inside = (starts[None, :] >= lo[:, None]) & (ends[None, :] <= hi[:, None])
        if bool(inside.any(1).all()):
            return block
    return 1


def _first(flags: torch.Tensor) -> torch.Tensor:
    return flags.int().argmax(-1)


def _last(flags: torch.Tensor) -> torch.Tensor:
    return flags.shape[-1] - 1 - flags.flip(-1).int().argmax(-1)


def _nondecreasing(values: torch.Tensor) -> bool:
    return bool((values[1:] >= values[:-1]).all())
