"""Search spaces, registered by name.

A space is named on the command line as ``name`` or ``name:key=value,key=value`` (for example
``nasbench201:C=8,N=1`` for a slimmer skeleton); ``get_space`` parses that form.
"""

from __future__ import annotations

import inspect
import types
import typing
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
    factory = _FACTORIES[name]
    kwargs = {}
    for item in filter(None, arg_text.split(",")):
        key, eq, value = item.partition("=")
        if not eq:
            raise NaswotError(f"space setting {item!r} is not key=value: write e.g. {name}:C=16,N=5")
        kwargs[key.strip()] = _setting_value(name, factory, key.strip(), value.strip())
    return factory(**kwargs)


_KINDS = {int: "a whole number", float: "a number", str: "text"}


def _setting_value(space: str, factory: Callable[..., SearchSpace], key: str, text: str) -> object:
    """``text`` read as the type the factory declares for ``key``; an unknown key or a wrong type names the allowed settings."""
    parameters = inspect.signature(factory, eval_str=True).parameters
    parameter = parameters.get(key)
    if parameter is None or parameter.kind not in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY):
        if any(p.kind is p.VAR_KEYWORD for p in parameters.values()):
            return _parse_value(text)
        raise NaswotError(f"space {space!r} has no setting {key!r}: {_settings_help(parameters)}")
    value = _parse_value(text)
    allowed = _allowed_types(parameter.annotation)
    if not allowed or type(value) in allowed:
        return value
    if float in allowed and isinstance(value, int):
        return float(value)
    if str in allowed:
        return text
    raise NaswotError(f"space setting {key}={text!r} of {space!r} is not {_kind(allowed)}: {_settings_help(parameters)}")


def _allowed_types(annotation: object) -> tuple[type, ...]:
    """The plain types an annotation admits (``int | str | None`` -> int, str); empty when it says nothing."""
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else (annotation,)
    return tuple(t for t in options if t in _KINDS)


def _kind(allowed: tuple[type, ...]) -> str:
    return " or ".join(_KINDS[t] for t in allowed)


def _settings_help(parameters: typing.Mapping[str, inspect.Parameter]) -> str:
    settings = [f"{p.name} ({_kind(_allowed_types(p.annotation)) or 'any value'}, default {p.default})"
                for p in parameters.values() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    return f"its settings are {', '.join(settings)}" if settings else "it takes no settings"


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
