"""An independent reading of ReLU codes for tests: every ReLU module hooked on its own, nothing shared or cached."""

from __future__ import annotations

import torch
from torch import nn


def relu_codes(net: nn.Module, images: torch.Tensor) -> list[torch.Tensor]:
    """The binary codes (batch x units, bool) of each ReLU call, in call order."""
    codes: list[torch.Tensor] = []
    hooks = [m.register_forward_hook(lambda _m, inputs, _o: codes.append((inputs[0] > 0).flatten(1)))
             for m in net.modules() if isinstance(m, nn.ReLU)]
    try:
        with torch.no_grad():
            net(images)
    finally:
        for hook in hooks:
            hook.remove()
    return codes
