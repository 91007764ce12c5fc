"""Parameter sets by brute force: list every unit and edge with explicit loops, walk every path.

Independent of ``naswot.scores.llo``'s rules: edges come from the layer definitions (index
arithmetic per output unit), dead units from the ReLU inputs of an ordinary forward pass, and a
parameter is in omega_n^(i) when some enumerated path from input element n to a logit, through live
units only, carries it (a bias: when the path passes its unit). Exponential, for tiny nets only.
"""

from __future__ import annotations

import operator
from collections import defaultdict

import torch
import torch.fx as fx
from torch import nn

from naswot.scores.llo.graph import set_parameters


class _Recorder(fx.Interpreter):
    def __init__(self, module: fx.GraphModule) -> None:
        super().__init__(module)
        self.values: dict[str, torch.Tensor] = {}

    def run_node(self, n: fx.Node):  # noqa: ANN201
        value = super().run_node(n)
        self.values[n.name] = value
        return value


def _edges(gm: fx.GraphModule, values: dict[str, torch.Tensor], offsets: dict[int, int]):
    """Per node name: list of (output unit, source node, source unit, parameter index or None),
    and per node name: list of (output unit, bias parameter index)."""
    modules = dict(gm.named_modules())
    edges: dict[str, list] = defaultdict(list)
    biases: dict[str, list] = defaultdict(list)
    for node in gm.graph.nodes:
        if node.op in ("placeholder", "output"):
            continue
        name = node.name
        sources = [a for a in node.args if isinstance(a, fx.Node)]
        out_numel = values[name][0].numel()
        identity = [(u, sources[0].name, u, None) for u in range(out_numel)]
        if node.op == "call_module":
            m = modules[node.target]
            x = values[sources[0].name][0]
            if isinstance(m, nn.Linear):
                w = offsets[id(m.weight)]
                edges[name] = [(k, sources[0].name, c, w + k * m.in_features + c)
                               for k in range(m.out_features) for c in range(m.in_features)]
                if m.bias is not None:
                    biases[name] = [(k, offsets[id(m.bias)] + k) for k in range(m.out_features)]
            elif isinstance(m, nn.Conv1d):
                C, L = x.shape
                P = values[name][0].shape[1]
                (k,), (s,), (pad,), (d,) = m.kernel_size, m.stride, m.padding, m.dilation
                w = offsets[id(m.weight)]
                for o in range(m.out_channels):
                    for p in range(P):
                        for c in range(C):
                            for t in range(k):
                                q = p * s - pad + t * d
                                if 0 <= q < L:
                                    edges[name].append((o * P + p, sources[0].name, c * L + q, w + (o * C + c) * k + t))
                        if m.bias is not None:
                            biases[name].append((o * P + p, offsets[id(m.bias)] + o))
            elif isinstance(m, nn.Conv2d):
                C, H, W = x.shape
                Hp, Wp = values[name][0].shape[1:]
                (kh, kw), (sh, sw), (ph, pw), (dh, dw) = m.kernel_size, m.stride, m.padding, m.dilation
                w = offsets[id(m.weight)]
                for o in range(m.out_channels):
                    for py in range(Hp):
                        for px in range(Wp):
                            out = (o * Hp + py) * Wp + px
                            for c in range(C):
                                for ky in range(kh):
                                    for kx in range(kw):
                                        qy, qx = py * sh - ph + ky * dh, px * sw - pw + kx * dw
                                        if 0 <= qy < H and 0 <= qx < W:
                                            param = w + ((o * C + c) * kh + ky) * kw + kx
                                            edges[name].append((out, sources[0].name, (c * H + qy) * W + qx, param))
                            if m.bias is not None:
                                biases[name].append((out, offsets[id(m.bias)] + o))
            elif isinstance(m, nn.AvgPool2d):
                C, H, W = x.shape
                Hp, Wp = values[name][0].shape[1:]
                k, s, pad = (m.kernel_size, m.stride, m.padding)
                k, s, pad = [v if isinstance(v, int) else v[0] for v in (k, s, pad)]
                for c in range(C):
                    for py in range(Hp):
                        for px in range(Wp):
                            for ky in range(k):
                                for kx in range(k):
                                    qy, qx = py * s - pad + ky, px * s - pad + kx
                                    if 0 <= qy < H and 0 <= qx < W:
                                        out = (c * Hp + py) * Wp + px
                                        edges[name].append((out, sources[0].name, (c * H + qy) * W + qx, None))
            elif isinstance(m, nn.AdaptiveAvgPool2d):
                C, H, W = x.shape
                edges[name] = [(c, sources[0].name, c * H * W + q, None) for c in range(C) for q in range(H * W)]
            elif isinstance(m, (nn.ReLU, nn.BatchNorm1d, nn.BatchNorm2d, nn.Identity, nn.Flatten)):
                edges[name] = identity
            else:
                raise NotImplementedError(type(m))
        elif node.target in (operator.add, torch.add):
            edges[name] = [(u, s.name, u, None) for s in sources for u in range(out_numel)]
        elif node.target in (operator.mul, "mul"):
            constant = [a for a in node.args if not isinstance(a, fx.Node)][0]
            edges[name] = [] if constant == 0 else identity
        elif node.target in (torch.flatten, "flatten"):
            edges[name] = identity
        else:
            raise NotImplementedError(node.target)
    return edges, biases


def brute_force_sets(net: nn.Module, images: torch.Tensor) -> torch.Tensor:
    """(batch, parameters, inputs) bool, by enumerating every path of every image."""
    gm = fx.symbolic_trace(net)
    recorder = _Recorder(gm)
    with torch.no_grad():
        recorder.run(images)
    values = recorder.values
    params = set_parameters(net)
    offsets, start = {}, 0
    for _, p in params:
        offsets[id(p)] = start
        start += p.numel()
    edges, biases = _edges(gm, values, offsets)
    modules = dict(gm.named_modules())
    nodes = list(gm.graph.nodes)
    input_name = nodes[0].name
    output_name = [n for n in nodes if n.op == "output"][0].args[0].name
    consumers: dict[tuple[str, int], list] = defaultdict(list)
    for target, items in edges.items():
        for out, source, unit, param in items:
            consumers[(source, unit)].append((target, out, param))
    bias_of = {(name, unit): param for name, items in biases.items() for unit, param in items}
    result = torch.zeros(len(images), start, values[input_name][0].numel(), dtype=torch.bool)
    for image in range(len(images)):
        dead = set()
        for node in nodes:
            if node.op == "call_module" and isinstance(modules[node.target], nn.ReLU):
                pre = values[node.args[0].name][image].flatten()
                dead |= {(node.name, u) for u in range(pre.numel()) if pre[u] <= 0}

        def walk(unit: tuple[str, int], carried: tuple[int, ...], found: set[int], dead: set) -> None:
            if unit in dead:
                return
            if unit in bias_of:
                carried = carried + (bias_of[unit],)
            if unit[0] == output_name:
                found.update(carried)
            for target, out, param in consumers[unit]:
                walk((target, out), carried + ((param,) if param is not None else ()), found, dead)

        for n in range(values[input_name][0].numel()):
            found: set[int] = set()
            walk((input_name, n), (), found, dead)
            for param in found:
                result[image, param, n] = True
    return result
