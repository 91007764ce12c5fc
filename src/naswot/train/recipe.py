"""How a network is trained: NAS-Bench-201's recipe by default, every setting a plain field."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from naswot.errors import NaswotError


@dataclass(frozen=True)
class Recipe:
    """SGD with (Nesterov) momentum, a cosine learning rate from ``lr`` to 0 over every step, weight decay on every
    parameter, and random crops (zero padding ``padding``) and horizontal flips of the training images.

    The defaults are NAS-Bench-201's (xautodl's ``LESS`` config, which also trained 200 epochs of batch 256).
    """

    batch_size: int = 256
    lr: float = 0.1
    momentum: float = 0.9
    nesterov: bool = True
    weight_decay: float = 5e-4
    padding: int = 4
    flip: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise NaswotError(f"batch_size={self.batch_size!r} is not a whole number of at least 1: pass e.g. 256")
        for name, low in (("lr", 0.0), ("momentum", 0.0), ("weight_decay", 0.0)):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or not math.isfinite(value) or value < low or (name == "lr" and value == 0):
                kind, default = ("positive", 0.1) if name == "lr" else ("non-negative", getattr(Recipe, name))
                raise NaswotError(f"{name}={value!r} is not a {kind} number: pass e.g. {name}={default:g} (NAS-Bench-201's)")
        if self.nesterov and self.momentum == 0:
            raise NaswotError("Nesterov momentum needs momentum= above 0: pass a momentum above 0, or turn Nesterov off")
        if isinstance(self.padding, bool) or not isinstance(self.padding, int) or self.padding < 0:
            raise NaswotError(f"padding={self.padding!r} is not a whole number of pixels (0 for no random crop)")

    def lr_at(self, step: int, total: int) -> float:
        """The cosine schedule, stepped every batch (as xautodl steps it), from ``lr`` at step 0 towards 0."""
        return 0.5 * self.lr * (1 + math.cos(math.pi * step / total))

    def settings(self) -> dict[str, Any]:
        return asdict(self)
