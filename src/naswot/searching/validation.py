"""Option checks shared by the strategies, so a bad option fails before any scoring."""

from __future__ import annotations

from naswot.errors import NaswotError


def check_positive(**options: int) -> None:
    for name, value in options.items():
        if value < 1:
            raise NaswotError(f"{name}={value} is too small: use {name}=1 or more")
