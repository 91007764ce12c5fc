"""naswot: neural architecture search without training.

Build untrained networks from a search space, score each from one mini-batch, rank and search with
the scores, and check the ranking against trained-accuracy tables.
"""

from typing import Any

__version__ = "0.1.0"

FACADE = ("score", "search", "export", "train", "Found")
"""What ``import naswot`` offers beside its version, loaded on first use so the import itself stays light."""


def __getattr__(name: str) -> Any:
    if name in FACADE:
        from naswot import api

        return getattr(api, name)
    raise AttributeError(f"module 'naswot' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *FACADE])


__all__ = ["Found", "__version__", "export", "score", "search", "train"]
