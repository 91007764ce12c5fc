"""A second, independent way to find the parameter sets: differentiate a positive copy of the network.

Freeze image i's activation pattern (each ReLU multiplies by its 0/1 mask), set every weight to 1,
every bias to 0 and drop BatchNorm (a positive per-channel scale cannot create or remove a path).
The output for a one-hot input at element n is then a sum over the live paths from n of positive
products, so nothing cancels: a weight is in omega_n^(i) exactly when the derivative of the output
with respect to it is non-zero. A bias belongs when its unit is on a live path, i.e. when the unit
is both reached (its value z > 0) and reaches the output (d out / dz > 0): sum_p z * d out/dz > 0,
which is the derivative with respect to a gain on the unit's channel.

All one-hot inputs of an image go through as one batch (the images do not interact without
BatchNorm); per-input weight gradients come from each layer's input and output gradient.
ReLUs must be ``nn.ReLU`` modules (their calls are hooked).
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from naswot.scores.llo.graph import parameter_offsets, set_parameters
from naswot.spaces.network import run_with_hooks

_LAYERS = (nn.Conv1d, nn.Conv2d, nn.Linear)


def activation_patterns(net: nn.Module, images: torch.Tensor) -> list[torch.Tensor]:
    """(batch, ...) bool per nn.ReLU call, in call order: True where the ReLU's input is > 0."""
    patterns: list[torch.Tensor] = []
    relus = [m for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        run_with_hooks(net, images, relus, lambda m, i, o: patterns.append(i[0].detach() > 0))
    return patterns


def _positive_copy(net: nn.Module) -> nn.Module:
    """All weights 1, biases 0, BatchNorm replaced by identity."""
    probe = copy.deepcopy(net)
    for parent in list(probe.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.modules.batchnorm._BatchNorm):
                setattr(parent, name, nn.Identity())
    with torch.no_grad():
        for module in probe.modules():
            if isinstance(module, _LAYERS):
                module.weight.fill_(1.0)
                if module.bias is not None:
                    module.bias.zero_()
    return probe


def _per_input_weight_gradient(layer: nn.Module, inputs: torch.Tensor, grads: torch.Tensor) -> torch.Tensor:
    """(N, *weight.shape): d out / d weight for each of the N inputs of the batch separately:
    for tap k, the sum over output positions p of grad(o, p) * input(c, p * stride - padding + k * dilation)."""
    if isinstance(layer, nn.Linear):
        return torch.einsum("no,nc->noc", grads, inputs)
    one_d = isinstance(layer, nn.Conv1d)
    if one_d:
        inputs, grads = inputs[:, :, None], grads[:, :, None]
    settings = (layer.kernel_size, layer.stride, layer.padding, layer.dilation)
    kernel, stride, padding, dilation = ((1, *v) if one_d else v for v in settings)
    if one_d:
        padding = (0, padding[1])
    padded = F.pad(inputs, (padding[1], padding[1], padding[0], padding[0]))
    out_h, out_w = grads.shape[2:]
    taps = []
    for ky in range(kernel[0]):
        for kx in range(kernel[1]):
            top, left = ky * dilation[0], kx * dilation[1]
            rows = slice(top, top + stride[0] * (out_h - 1) + 1, stride[0])
            patch = padded[:, :, rows, left : left + stride[1] * (out_w - 1) + 1 : stride[1]]
            taps.append(torch.einsum("nohw,nchw->noc", grads, patch))
    return torch.stack(taps, dim=-1).reshape(len(inputs), *layer.weight.shape)


def gradient_parameter_sets(net: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """(batch, parameters, inputs) bool: omega_n^(i) by differentiation, in ``set_parameters`` order."""
    patterns = activation_patterns(net, images)
    probe = _positive_copy(net)
    offsets = parameter_offsets(probe)
    count = sum(p.numel() for _, p in set_parameters(probe))
    num_inputs = images[0].numel()
    layers = [m for m in probe.modules() if isinstance(m, _LAYERS)]
    seen: dict[int, dict[str, torch.Tensor]] = {}
    state = {"call": 0, "image": 0}

    def frozen_relu(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> torch.Tensor:
        mask = patterns[state["call"]][state["image"]]
        state["call"] += 1
        return inputs[0] * mask

    def record(module: nn.Module, inputs: tuple[torch.Tensor, ...], output: torch.Tensor) -> None:
        entry = seen.setdefault(id(module), {})
        entry["input"], entry["output"] = inputs[0].detach(), output.detach()
        output.register_hook(lambda grad: entry.__setitem__("grad", grad.detach()))

    hooks = [m.register_forward_hook(frozen_relu) for m in probe.modules() if isinstance(m, nn.ReLU)]
    hooks += [m.register_forward_hook(record) for m in layers]
    result = torch.zeros(len(images), count, num_inputs, dtype=torch.bool)
    one_hot = torch.eye(num_inputs).view(num_inputs, *images.shape[1:])
    try:
        for image in range(len(images)):
            state.update(call=0, image=image)
            seen.clear()
            probe(one_hot).sum().backward()
            for layer in layers:
                entry = seen.get(id(layer), {})
                if "grad" not in entry:
                    continue
                start = offsets[id(layer.weight)]
                weight = _per_input_weight_gradient(layer, entry["input"], entry["grad"])
                result[image, start : start + layer.weight.numel()] = weight.flatten(1).T > 0
                if layer.bias is not None:
                    gain = entry["grad"] * entry["output"]
                    gain = gain.flatten(2).sum(-1) if gain.dim() > 2 else gain
                    start = offsets[id(layer.bias)]
                    result[image, start : start + layer.bias.numel()] = gain.T > 0
    finally:
        for hook in hooks:
            hook.remove()
    return result
