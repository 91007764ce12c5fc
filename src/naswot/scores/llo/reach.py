"""Which input elements reach each unit (forward) and which units reach the output (backward).

A parameter lies on an active path from input element n to the output exactly when, for one of
its edges u -> v, the source u is reachable from n through live units and the target v reaches the
output through live units (a bias: when its own unit is on such a path). So instead of carrying a
set of parameters per unit backwards, as the thesis does, we carry two cheaper things and combine
them per parameter afterwards (``contract.py``):

- forward reach: per unit, the set of input elements that reach it (a bit-set over the inputs);
- backward reach: per unit, one bit: does it reach the network output.

A convolution's output unit sees all input channels, so the reach of every unit after the first
convolution depends only on its position: it is stored once per position (``bits`` with one
channel) plus a per-unit ``alive`` mask (False = the unit is dead and reaches nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from naswot.scores.llo.bitsets import or_reduce, pack, words_for
from naswot.scores.llo.graph import Op, Window


@dataclass(frozen=True)
class Reach:
    """Forward reach of one tensor: unit (c, q) is reached by ``bits[:, c or 0, q]`` if ``alive[:, c, q]``."""

    bits: torch.Tensor
    """(batch, C' in {1, C}, H, W, words) int64."""
    alive: torch.Tensor
    """(batch, C, H, W) bool."""

    def masked(self) -> torch.Tensor:
        """Per-unit bit-sets (batch, C, H, W, words), dead units empty."""
        return torch.where(self.alive[..., None], self.bits, torch.zeros((), dtype=torch.int64))

    def channel_sets(self) -> torch.Tensor:
        """The bit-sets with one entry per unit channel where they differ: ``bits`` if the mask is all
        True, else ``masked()``."""
        return self.bits if bool(self.alive.all()) else self.masked()


def input_reach(shape: tuple[int, int, int], batch: int) -> Reach:
    """Input element n = (c, y, x) is reached by itself only."""
    count = shape[0] * shape[1] * shape[2]
    identity = pack(torch.eye(count, dtype=torch.bool)).reshape(1, *shape, words_for(count))
    return Reach(identity.expand(batch, *identity.shape[1:]), torch.ones(batch, *shape, dtype=torch.bool))


def window_of(op: Op, in_shape: tuple[int, int, int]) -> Window:
    """The window of a window op; global pooling is a window covering the whole input."""
    if op.kind == "global_pool":
        return Window((in_shape[1], in_shape[2]), (1, 1), (0, 0))
    assert op.window is not None
    return op.window


def window_reach(r: Reach, window: Window, mixes: bool, out_channels: int) -> Reach:
    """Each output unit is reached by the union over its window (and over input channels if ``mixes``)."""
    batch, channels, height, width = r.alive.shape
    if mixes:
        if r.bits.shape[1] == 1:
            source = torch.where(r.alive.any(1)[:, None, ..., None], r.bits, torch.zeros((), dtype=torch.int64))
        else:
            source = or_reduce(r.masked(), dim=1)[:, None]
    else:
        source = r.bits if r.bits.shape[1] == 1 and bool(r.alive.all()) else r.masked()
        out_channels = channels
    out_size = window.output_size(height, width)
    padded = _zero_pad(source, window.padding, dims=(2, 3))
    out = torch.zeros(batch, source.shape[1], *out_size, source.shape[-1], dtype=torch.int64)
    for tap in window.taps():
        rows, cols = window.tap_slices(tap, out_size)
        out |= padded[:, :, rows, cols]
    return Reach(out, torch.ones(batch, out_channels, *out_size, dtype=torch.bool))


def add_reach(a: Reach, b: Reach) -> Reach:
    """A sum is reached by whatever reaches either operand."""
    if not bool(a.alive.any()):
        return b
    if not bool(b.alive.any()):
        return a
    if bool(a.alive.all()) and bool(b.alive.all()):
        return Reach(a.bits | b.bits, a.alive)
    return Reach(a.masked() | b.masked(), torch.ones_like(a.alive))


def flatten_reach(r: Reach) -> Reach:
    """(C, H, W) -> (C*H*W, 1, 1): every unit becomes its own channel."""
    batch, channels, height, width = r.alive.shape
    if height == width == 1:
        return r
    units = r.masked().reshape(batch, channels * height * width, 1, 1, r.bits.shape[-1])
    return Reach(units, torch.ones(batch, channels * height * width, 1, 1, dtype=torch.bool))


def zero_reach(r: Reach) -> Reach:
    """Multiplication by zero removes every edge: nothing reaches the result."""
    batch, _, height, width = r.alive.shape
    return Reach(torch.zeros(batch, 1, height, width, r.bits.shape[-1], dtype=torch.int64), torch.zeros_like(r.alive))


def forward_reach_step(op: Op, inputs: list[Reach], relu_alive: torch.Tensor | None) -> Reach:
    """The reach of ``op``'s output from its inputs' reach (one rule per kind)."""
    if op.kind == "relu":
        assert relu_alive is not None
        return Reach(inputs[0].bits, inputs[0].alive & relu_alive)
    if op.kind == "pass":
        return inputs[0]
    if op.kind == "zero":
        return zero_reach(inputs[0])
    if op.kind == "add":
        return add_reach(inputs[0], inputs[1])
    if op.kind == "flatten":
        return flatten_reach(inputs[0])
    in_shape = tuple(inputs[0].alive.shape[1:])
    return window_reach(inputs[0], window_of(op, in_shape), op.mixes, op.shape[0])  # type: ignore[arg-type]


def tap_targets(target: torch.Tensor, window: Window, in_size: tuple[int, int]) -> torch.Tensor:
    """For a map over output positions (..., Hp, Wp), one map over input positions per tap k:
    (..., K, H, W), True at q where q is read by tap k for an output position where ``target`` holds.

    Output p reads q = p * stride - padding + k * dilation. With stride 1 every tap is a shifted
    window of one padded copy of ``target``; otherwise each tap is scattered on its own canvas."""
    taps = window.taps()
    out = torch.zeros(*target.shape[:-2], len(taps), *in_size, dtype=target.dtype)
    if window.stride == (1, 1):
        margin = [d * (k - 1) for d, k in zip(window.dilation, window.kernel)]
        padded = _zero_pad(target, tuple(margin), dims=(-2, -1))  # type: ignore[arg-type]
        for index, tap in enumerate(taps):
            top, left = (m + p - k * d for m, p, k, d in zip(margin, window.padding, tap, window.dilation))
            out[..., index, :, :] = padded[..., top : top + in_size[0], left : left + in_size[1]]
        return out
    (top, left), (height, width) = window.padding, in_size
    canvas = torch.zeros(*target.shape[:-2], height + 2 * top, width + 2 * left, dtype=target.dtype)
    for index, tap in enumerate(taps):
        rows, cols = window.tap_slices(tap, tuple(target.shape[-2:]))  # type: ignore[arg-type]
        canvas.zero_()
        canvas[..., rows, cols] = target
        out[..., index, :, :] = canvas[..., top : top + height, left : left + width]
    return out


def backward_reach(ops: list[Op], relu_alive: dict[int, torch.Tensor], batch: int) -> dict[int, torch.Tensor]:
    """Per op, (batch, C, H, W) bool: the unit has a path to the output (every logit) through live units."""
    reach: dict[int, torch.Tensor] = {}

    def send(index: int, value: torch.Tensor) -> None:
        reach[index] = reach[index] | value if index in reach else value

    for i in reversed(range(len(ops))):
        op = ops[i]
        if op.kind == "output":
            send(op.inputs[0], torch.ones(batch, *ops[op.inputs[0]].shape, dtype=torch.bool))
            continue
        if i not in reach or op.kind in ("input", "zero"):
            continue
        out = reach[i]
        in_shape = ops[op.inputs[0]].shape if op.inputs else op.shape
        if op.kind == "relu":
            send(op.inputs[0], out & relu_alive[i])
        elif op.kind == "pass":
            send(op.inputs[0], out)
        elif op.kind == "add":
            send(op.inputs[0], out)
            send(op.inputs[1], out)
        elif op.kind == "flatten":
            send(op.inputs[0], out.reshape(batch, *in_shape))
        else:
            window = window_of(op, in_shape)
            source = out.any(1, keepdim=True) if op.mixes else out
            back = tap_targets(source, window, in_shape[1:]).any(2)
            send(op.inputs[0], back.expand(batch, *in_shape))
    return reach


def _zero_pad(x: torch.Tensor, padding: tuple[int, int], dims: tuple[int, int]) -> torch.Tensor:
    if padding == (0, 0):
        return x
    dims = (dims[0] % x.dim(), dims[1] % x.dim())
    shape = list(x.shape)
    shape[dims[0]] += 2 * padding[0]
    shape[dims[1]] += 2 * padding[1]
    out = torch.zeros(shape, dtype=x.dtype)
    index = [slice(None)] * x.dim()
    index[dims[0]] = slice(padding[0], padding[0] + x.shape[dims[0]])
    index[dims[1]] = slice(padding[1], padding[1] + x.shape[dims[1]])
    out[tuple(index)] = x
    return out
