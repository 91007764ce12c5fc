"""Search spaces, registered by name.

A space is named on the command line as ``name`` or ``name:key=value,key=value`` (for example
``nasbench201:C=8,N=1`` for a slimmer skeleton); ``get_space`` parses that form.
"""

from __future__ import annotations

from collections.abc import Callable

from naswot.errors import NaswotError
from naswot.spaces.base import Arch, SearchSpace

_FACTORIES: dict[str, Callable[..., SearchSpace]] = {}


def register_space(name: str) -> Callable[[Callable[..., SearchSpace]], Callable[..., SearchSpace]]:
    """Register a space factory under ``name``; its keyword arguments become ``key=value`` settings."""

    def decorate(factory: Callable[..., SearchSpace]) -> Callable[..., SearchSpace]:
        _FACTORIES[name] = factory
        return factory

    return decorate


def space_names() -> list[str]:
    _load_builtin_spaces()
    return sorted(_FACTORIES)


def get_space(spec: str) -> SearchSpace:
    """Create the space named by ``spec`` (``name`` or ``name:key=value,...``)."""
    _load_builtin_spaces()
    name, _, arg_text = spec.partition(":")
    if name not in _FACTORIES:
        raise NaswotError(f"unknown space {name!r}: choose one of {', '.join(space_names())}")
    kwargs = {}
    for item in filter(None, arg_text.split(",")):
        key, eq, value = item.partition("=")
        if not eq:
            raise NaswotError(f"space setting {item!r} is not key=value: write e.g. {name}:C=16,N=5")
        kwargs[key.strip()] = _parse_value(value.strip())
    try:
        return _FACTORIES[name](**kwargs)
    except TypeError as exc:
        raise NaswotError(f"bad setting for space {name!r} ({exc}): see `naswot list spaces`") from None


def _parse_value(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _load_builtin_spaces() -> None:
    """Import the modules that register the built-in spaces (kept lazy so imports stay cheap)."""
    from naswot.spaces import nasbench101, nasbench201, natsbench_sss, nds, zoo  # noqa: F401


__all__ = ["Arch", "SearchSpace", "get_space", "register_space", "space_names"]
