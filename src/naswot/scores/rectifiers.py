"""The inputs of every rectifier-like activation a network calls, seen as it runs, however it calls them.

Code-based scores read the sign of the input of ReLU, ReLU6, LeakyReLU, GELU, SiLU, Hardswish and Mish, whether
a network holds them as modules or calls them as functions (``F.relu``, ``torch.relu``, ``Tensor.relu`` and the
in-place forms). A torch function mode sees every call, the modules' own included (``nn.ReLU`` calls ``F.relu``,
``nn.ReLU6`` calls ``F.hardtanh`` with ``min_val=0``), so a network that calls ``F.relu`` is read exactly as the
same network built from ``nn.ReLU`` modules, call for call. Each input is read before the call runs, so an
in-place activation is read as it was given. For every one of these activations the output is positive exactly
where the input is, so the code is also the sign of the output.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn
from torch.overrides import TorchFunctionMode

RECTIFIER_FUNCTIONS = frozenset({
    F.relu, torch.relu, torch.Tensor.relu, torch.relu_, torch.Tensor.relu_, F.relu6, F.leaky_relu, F.leaky_relu_,
    F.gelu, F.silu, F.hardswish, F.mish,
})
"""Rectifier-like functions whose first argument is the activation's input (``F.hardtanh`` is one only from 0)."""

RECTIFIER_NAMES = "ReLU6, LeakyReLU, GELU, SiLU, Hardswish, Mish"
"""The rectifier-like activations read besides ReLU, as messages name them."""


def rectifier_input(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> torch.Tensor | None:
    """The input tensor of a rectifier-like call, or None for any other call."""
    if func in RECTIFIER_FUNCTIONS:
        return args[0] if args else kwargs["input"]
    if func is F.hardtanh and (args[1] if len(args) > 1 else kwargs.get("min_val", -1.0)) == 0:
        return args[0] if args else kwargs["input"]
    return None


class RectifierInputs(TorchFunctionMode):
    """Inside the block, hands ``record`` the input of every rectifier-like call before the call runs."""

    def __init__(self, record: Callable[[torch.Tensor], None]) -> None:
        super().__init__()
        self.record = record

    def __torch_function__(self, func: Callable[..., Any], types: Any, args: tuple[Any, ...] = (),
                           kwargs: dict[str, Any] | None = None) -> Any:
        kwargs = kwargs or {}
        x = rectifier_input(func, args, kwargs)
        if x is not None:
            self.record(x)
        return func(*args, **kwargs)


def run_reading_rectifiers(net: nn.Module, images: torch.Tensor, record: Callable[[torch.Tensor], None]) -> None:
    """One forward pass of ``net`` on ``images`` with ``record`` given each rectifier-like input, in call order."""
    with RectifierInputs(record):
        net(images)
