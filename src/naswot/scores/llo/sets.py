"""The parameter sets omega_n^(i) of a network on a batch: one graph walk, one parameter tensor at a time.

omega_n^(i) holds the parameters on some path from input element n to the output along which every
ReLU is live for image i (thesis, sections 3.1 and 4.1): a weight when one of its edges is on such
a path, a bias when its unit is. BatchNorm passes dependencies and owns no set parameters; a
multiplication by zero (NAS-Bench-201 ``none``) removes its edges.

The walk goes forward once over the traced graph, keeping the reach of a tensor only until its last
consumer has run, and yields each conv/linear parameter tensor's sets as soon as its op is reached.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch import nn

from naswot.scores.llo.box import BoxModel, box_model
from naswot.scores.llo.contract import ParameterSets, RowPositions, contract
from naswot.scores.llo.graph import ForwardPass, Op, forward_pass, parameter_offsets, set_parameters, trace
from naswot.scores.llo.reach import Reach, backward_reach, forward_reach_step, input_reach, tap_targets


def parameter_set_layers(net: nn.Module, ops: list[Op], forward: ForwardPass) -> Iterator[ParameterSets]:
    """The sets of every conv/linear weight and bias tensor, in execution order."""
    batch = forward.llo.shape[0]
    offsets = parameter_offsets(net)
    to_output = backward_reach(ops, forward.relu_alive, batch)
    last_use = {source: i for i, op in enumerate(ops) for source in op.inputs}
    reach: dict[int, Reach] = {}
    free: dict[int, Reach] = {}
    models: dict[int, BoxModel | None] = {}

    def model_of(index: int) -> BoxModel | None:
        if index not in models:
            sets = free[index].channel_sets()
            models[index] = box_model(sets, forward.input_shape) if bool(sets.any()) else None
        return models[index]

    for i, op in enumerate(ops):
        if op.kind == "output":
            break
        if op.kind == "input":
            reach[i], free[i] = input_reach(op.shape, batch), input_reach(op.shape, 1)
        else:
            live = torch.ones(1, *ops[op.inputs[0]].shape, dtype=torch.bool) if op.kind == "relu" else None
            reach[i] = forward_reach_step(op, [reach[j] for j in op.inputs], forward.relu_alive.get(i))
            free[i] = forward_reach_step(op, [free[j] for j in op.inputs], live)
        if op.kind == "window" and op.mixes:
            source = op.inputs[0]
            target = to_output.get(i, torch.zeros(batch, *op.shape, dtype=torch.bool))
            weight = op.module.weight  # type: ignore[union-attr]
            yield _weight_sets(op, ops[source].shape, target, reach[source], free[source], model_of(source), offsets[id(weight)])
            bias = op.module.bias  # type: ignore[union-attr]
            if bias is not None:
                rows = RowPositions(target[:, :, None], diagonal=True)
                yield contract(offsets[id(bias)], rows, reach[i].alive, reach[i], free[i].channel_sets(), model_of(i))
        for source in op.inputs:
            if last_use[source] == i:
                del reach[source], free[source]
                models.pop(source, None)


def _weight_sets(
    op: Op,
    in_shape: tuple[int, int, int],
    target: torch.Tensor,
    reach: Reach,
    free: Reach,
    model: BoxModel | None,
    offset: int,
) -> ParameterSets:
    """Rows w[o, c, k] (flattened in the weight's own order): input positions q read by tap k for
    an output (o, p) that reaches the output, where unit (c, q) is live."""
    assert op.window is not None
    rows = RowPositions(tap_targets(target, op.window, in_shape[1:]))
    return contract(offset, rows, reach.alive, reach, free.channel_sets(), model)


def dense_parameter_sets(net: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """(batch, parameters, inputs) bool: omega_n^(i) spelled out, for small networks and tests."""
    ops = trace(net)
    forward = forward_pass(ops, images)
    count = sum(p.numel() for _, p in set_parameters(net))
    num_inputs = forward.llo.shape[1]
    out = torch.zeros(len(images), count, num_inputs, dtype=torch.bool)
    for layer in parameter_set_layers(net, ops, forward):
        out[:, layer.offset : layer.offset + layer.full.shape[1]] = layer.dense(num_inputs)
    return out
