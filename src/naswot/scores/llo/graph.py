"""A network as a list of canonical operations (via torch.fx), and the forward pass the LLO score needs.

Every tensor is seen as (batch, C, H, W): a 1-D signal (batch, C, L) as (C, 1, L), a feature vector
(batch, F) as (F, 1, 1). The operations reduce to a few kinds that have a parameter-set rule:

- ``window`` (conv, linear, average pooling): an output unit sums the units of a window, over all
  input channels (``mixes``: conv, linear) or in its own channel (pooling); ``global_pool``: a
  window over the whole input, whose size is known only once the input's shape is;
- ``relu``: a unit dies when its input is <= 0; ``zero``: multiplication by 0 (NAS-Bench-201 ``none``);
- ``pass``: BatchNorm, identity, multiplication by a non-zero constant; ``add``; ``flatten``.

BatchNorm in train mode couples the images of a batch through its statistics, a choice the thesis
leaves open (``BATCH_NORM``). By default (``constant``) the batch statistics are computed as usual but
treated as constants (detached), so each image's network is an exact piecewise-linear function of
that image alone: its LLO is that function's gradient. With ``autograd`` the gradient also flows
through the statistics, as plain autograd of the train-mode network does: image i's LLO is
d(sum of the batch's logits)/d(image i), which carries the other images' terms. Either way the
activation pattern is the one the ordinary train-mode forward pass produces, BatchNorm passes
dependencies unchanged and its own parameters belong to no parameter set (as in the thesis).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.fx as fx
import torch.nn.functional as F
from torch import nn

from naswot.errors import NaswotError

BATCH_NORM = ("constant", "autograd")
"""How the LLO treats BatchNorm's batch statistics: held constant (the default) or differentiated."""
SUPPORTED = (
    "Conv1d/Conv2d (groups=1, zero padding), Linear, ReLU, BatchNorm, Identity, AvgPool, global average pooling, "
    "flatten, add, multiplication by a constant"
)


@dataclass(frozen=True)
class Window:
    """The sliding-window geometry of a conv or pool, in canonical (H, W) form."""

    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    dilation: tuple[int, int] = (1, 1)

    def taps(self) -> list[tuple[int, int]]:
        return [(ky, kx) for ky in range(self.kernel[0]) for kx in range(self.kernel[1])]

    def output_size(self, height: int, width: int) -> tuple[int, int]:
        return tuple(  # type: ignore[return-value]
            (size + 2 * pad - dil * (k - 1) - 1) // step + 1
            for size, k, step, pad, dil in zip((height, width), self.kernel, self.stride, self.padding, self.dilation)
        )

    def tap_slices(self, tap: tuple[int, int], out_size: tuple[int, int]) -> tuple[slice, slice]:
        """Where tap ``tap`` reads, for every output position, in the zero-padded input."""
        return tuple(  # type: ignore[return-value]
            slice(k * dil, k * dil + step * (n - 1) + 1, step)
            for k, dil, step, n in zip(tap, self.dilation, self.stride, out_size)
        )


@dataclass
class Op:
    """One operation of the traced network; ``shape`` (C, H, W) is filled in by the forward pass."""

    kind: str
    window: Window | None = None
    mixes: bool = False
    name: str = ""
    inputs: tuple[int, ...] = ()
    node: fx.Node | None = None
    module: nn.Module | None = None
    shape: tuple[int, int, int] = (0, 0, 0)


@dataclass(frozen=True)
class ForwardPass:
    """What one pass over the batch yields: LLOs, the activation pattern and every tensor's shape."""

    llo: torch.Tensor
    """d(sum of logits)/d(input) per image, flattened: (batch, inputs), float64."""
    relu_alive: dict[int, torch.Tensor]
    """Per ReLU op: (batch, C, H, W) bool, True where the ReLU's input is > 0."""
    input_shape: tuple[int, int, int]


def set_parameters(net: nn.Module) -> list[tuple[str, nn.Parameter]]:
    """The parameters that parameter sets are made of: weights and biases of conv and linear layers, in
    ``named_parameters`` order (this order defines the global parameter index)."""
    owners = {id(p): m for m in net.modules() for p in m.parameters(recurse=False)}
    return [(name, p) for name, p in net.named_parameters() if isinstance(owners[id(p)], (nn.Conv1d, nn.Conv2d, nn.Linear))]


def parameter_offsets(net: nn.Module) -> dict[int, int]:
    """Global index of the first element of every set parameter, keyed by the tensor's id."""
    offsets, start = {}, 0
    for _, p in set_parameters(net):
        offsets[id(p)] = start
        start += p.numel()
    return offsets


def trace(net: nn.Module) -> list[Op]:
    """The network's operations in execution order, each mapped to a kind with a parameter-set rule."""
    try:
        graph = fx.symbolic_trace(net).graph
    except Exception as exc:  # fx raises many types for dynamic control flow
        reason = f"{type(exc).__name__}: {exc}"
        raise NaswotError(f"torch.fx cannot trace the network ({reason}): the LLO score needs static control flow") from None
    modules = dict(net.named_modules())
    ops: list[Op] = []
    index: dict[fx.Node, int] = {}
    used: set[str] = set()
    for node in graph.nodes:
        if node.op == "output":
            source = node.args[0]
            if not isinstance(source, fx.Node):
                raise NaswotError("the network returns several values: the LLO score needs one tensor of logits")
            ops.append(Op("output", name="output", inputs=(index[source],), node=node))
            continue
        op = _classify(node, modules, index)
        if op.mixes:
            if node.target in used:
                raise NaswotError(f"layer {node.target!r} is called twice: parameter sets of shared weights are not supported")
            used.add(str(node.target))
        index[node] = len(ops)
        ops.append(op)
    if sum(op.kind == "input" for op in ops) != 1:
        raise NaswotError("the network must take exactly one input tensor for the LLO score")
    return ops


def _classify(node: fx.Node, modules: dict[str, nn.Module], index: dict[fx.Node, int]) -> Op:
    tensors = tuple(index[a] for a in node.args if isinstance(a, fx.Node))
    name = node.name
    if node.op == "placeholder":
        return Op("input", name=name, node=node)
    if node.op == "call_module":
        module = modules[str(node.target)]
        return Op(*_module_kind(module, name), name=name, inputs=tensors, node=node, module=module)  # type: ignore[misc]
    target = node.target
    if target in (F.relu, torch.relu) or (node.op == "call_method" and target == "relu"):
        return Op("relu", name=name, inputs=tensors, node=node)
    if target in (operator.add, torch.add) or (node.op == "call_method" and target == "add"):
        if len(tensors) != 2 or node.kwargs:
            raise NaswotError(f"{name}: only the sum of two tensors is supported")
        return Op("add", name=name, inputs=tensors, node=node)
    if target in (operator.mul, torch.mul) or (node.op == "call_method" and target == "mul"):
        constants = [a for a in node.args if not isinstance(a, fx.Node)]
        if len(tensors) != 1 or len(constants) != 1 or not isinstance(constants[0], (int, float)):
            raise NaswotError(f"{name}: only multiplication by a constant number is supported")
        return Op("zero" if constants[0] == 0 else "pass", name=name, inputs=tensors, node=node)
    if target is torch.flatten or (node.op == "call_method" and target == "flatten"):
        start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
        if start != 1 or len(node.args) > 2 or "end_dim" in node.kwargs:
            raise NaswotError(f"{name}: only flatten(x, 1) is supported")
        return Op("flatten", name=name, inputs=tensors, node=node)
    raise NaswotError(f"{name}: {node.op} {target!r} has no parameter-set rule (supported: {SUPPORTED})")


def _module_kind(module: nn.Module, name: str) -> tuple[str, Window | None, bool]:
    """(kind, window, mixes) of a module call."""
    if isinstance(module, (nn.Conv1d, nn.Conv2d)):
        return "window", _conv_window(module, name), True
    if isinstance(module, nn.Linear):
        return "window", Window((1, 1), (1, 1), (0, 0)), True
    if isinstance(module, nn.ReLU):
        return "relu", None, False
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d, nn.Identity)):
        return "pass", None, False
    if isinstance(module, nn.Flatten):
        if (module.start_dim, module.end_dim) != (1, -1):
            raise NaswotError(f"{name}: only nn.Flatten(1, -1) is supported")
        return "flatten", None, False
    if isinstance(module, (nn.AvgPool1d, nn.AvgPool2d)):
        return "window", _pool_window(module, name), False
    if isinstance(module, (nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)):
        if module.output_size not in (1, (1,), (1, 1)):
            raise NaswotError(f"{name}: adaptive pooling to {module.output_size} is not supported, only global pooling (size 1)")
        return "global_pool", None, False
    raise NaswotError(f"{name}: {type(module).__name__} has no parameter-set rule (supported: {SUPPORTED})")


def _pair(value: int | Sequence[int], one_d: bool, height: int) -> tuple[int, int]:
    """A 2-D (height, width) setting; a 1-D layer's setting becomes the width, ``height`` the height."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value,) * (1 if one_d else 2)
    return (height, values[0]) if one_d else (values[0], values[1])


def _conv_window(conv: nn.Conv1d | nn.Conv2d, name: str) -> Window:
    if conv.groups != 1 or conv.padding_mode != "zeros" or isinstance(conv.padding, str):
        raise NaswotError(f"{name}: only convolutions with groups=1 and explicit zero padding are supported")
    one_d = isinstance(conv, nn.Conv1d)
    kernel, stride, dilation = (_pair(v, one_d, 1) for v in (conv.kernel_size, conv.stride, conv.dilation))
    return Window(kernel, stride, _pair(conv.padding, one_d, 0), dilation)


def _pool_window(pool: nn.AvgPool1d | nn.AvgPool2d, name: str) -> Window:
    if pool.ceil_mode:
        raise NaswotError(f"{name}: average pooling with ceil_mode=True is not supported")
    one_d = isinstance(pool, nn.AvgPool1d)
    stride = pool.stride if pool.stride is not None else pool.kernel_size
    return Window(_pair(pool.kernel_size, one_d, 1), _pair(stride, one_d, 1), _pair(pool.padding, one_d, 0))


def canonical(x: torch.Tensor, name: str) -> torch.Tensor:
    """(b, F) -> (b, F, 1, 1); (b, C, L) -> (b, C, 1, L); (b, C, H, W) unchanged."""
    if x.dim() == 2:
        return x[:, :, None, None]
    if x.dim() == 3:
        return x[:, :, None, :]
    if x.dim() == 4:
        return x
    raise NaswotError(f"{name}: a {x.dim()}-D tensor has no canonical (C, H, W) form")


def forward_pass(ops: list[Op], images: torch.Tensor, batch_norm: str = "constant") -> ForwardPass:
    """Run the traced network on ``images``; BatchNorm's batch statistics are treated as ``batch_norm`` says."""
    if batch_norm not in BATCH_NORM:
        raise ValueError(f"unknown BatchNorm treatment {batch_norm!r}: use one of {BATCH_NORM}")
    x = images.detach().clone().requires_grad_(True)
    values: list[torch.Tensor | None] = []
    relu_alive: dict[int, torch.Tensor] = {}
    position = {op.node: i for i, op in enumerate(ops)}
    logits = None
    for i, op in enumerate(ops):
        if op.kind == "output":
            logits = values[op.inputs[0]]
            break
        args = fx.node.map_arg(op.node.args, lambda n: values[position[n]])
        kwargs = fx.node.map_arg(op.node.kwargs, lambda n: values[position[n]])
        if op.kind == "input":
            value = x
        elif op.kind == "relu":
            relu_alive[i] = canonical(args[0], op.name).detach() > 0
            value = F.relu(args[0])
        elif isinstance(op.module, nn.modules.batchnorm._BatchNorm):
            value = _batch_norm(op.module, args[0], hold_statistics=batch_norm == "constant")
        elif op.node.op == "call_module":
            if isinstance(op.module, nn.Linear) and args[0].dim() != 2:
                dims = args[0].dim()
                raise NaswotError(f"{op.name}: Linear on a {dims}-D tensor has no parameter-set rule: flatten its input first")
            value = op.module(*args, **kwargs)  # type: ignore[misc]
        elif op.node.op == "call_method":
            value = getattr(args[0], str(op.node.target))(*args[1:], **kwargs)
        else:
            value = op.node.target(*args, **kwargs)  # type: ignore[operator]
        op.shape = tuple(canonical(value, op.name).shape[1:])  # type: ignore[assignment]
        values.append(value)
    if logits is None or logits.dim() != 2:
        raise NaswotError("the network's output is not a (batch, classes) tensor of logits")
    (llo,) = torch.autograd.grad(logits.sum(), x)
    return ForwardPass(llo.reshape(len(x), -1).double(), relu_alive, tuple(canonical(x, "input").shape[1:]))  # type: ignore[arg-type]


def _batch_norm(bn: nn.modules.batchnorm._BatchNorm, x: torch.Tensor, hold_statistics: bool) -> torch.Tensor:
    """Train mode: normalise with this batch's statistics, held constant or differentiated (never updating
    the running statistics); eval mode: the module as is."""
    if not bn.training and bn.running_mean is not None:
        return bn(x)
    if not hold_statistics:
        return F.batch_norm(x, None, None, bn.weight, bn.bias, training=True, eps=bn.eps)
    dims = [d for d in range(x.dim()) if d != 1]
    mean = x.mean(dim=dims).detach()
    var = x.var(dim=dims, unbiased=False).detach()
    return F.batch_norm(x, mean, var, bn.weight, bn.bias, training=False, eps=bn.eps)
