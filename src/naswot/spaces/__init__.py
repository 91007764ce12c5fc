"""Search spaces, registered by name.

A space is named as ``name`` or ``name:key=value,key=value`` (for example ``nasbench201:C=8,N=1`` for a
slimmer skeleton); ``get_space`` parses that form, and ``space_settings`` says which settings a space takes.
The space modules import torch only to build a network, so naming, parsing and listing spaces stays fast.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable

from naswot.errors import NaswotError
from naswot.registry import Registry
from naswot.spaces.base import Arch, SearchSpace

SPACES: Registry[Callable[..., SearchSpace]] = Registry("space", builtins=[
    f"naswot.spaces.{module}" for module in ("nasbench201", "natsbench_sss", "nasbench101", "nds", "zoo")])


def register_space(name: str) -> Callable[[Callable[..., SearchSpace]], Callable[..., SearchSpace]]:
    """Register a space factory under ``name``; its keyword arguments become ``key=value`` settings."""
    return SPACES.decorator(name)


def space_names(pattern: str = "*") -> list[str]:
    return SPACES.names(pattern)


def space_settings(name: str) -> str:
    """The settings space ``name`` takes, as a sentence: ``its settings are C (a whole number, default 16), ...``."""
    return _settings_help(inspect.signature(SPACES.get(name), eval_str=True).parameters)


def get_space(spec: str) -> SearchSpace:
    """Create the space named by ``spec`` (``name`` or ``name:key=value,...``)."""
    name, _, arg_text = spec.partition(":")
    factory = SPACES.get(name)
    kwargs = {}
    for item in filter(None, arg_text.split(",")):
        key, eq, value = item.partition("=")
        if not eq:
            raise NaswotError(f"space setting {item!r} is not key=value: write e.g. {name}:C=16,N=5")
        kwargs[key.strip()] = _setting_value(name, factory, key.strip(), value.strip())
    return factory(**kwargs)


_KINDS = {int: "a whole number", float: "a number", str: "text"}


def resolve(space: SearchSpace | str, arch: Arch | str) -> tuple[SearchSpace, Arch]:
    """The space (a spec such as ``nasbench201:C=8`` is read) and the architecture (text is parsed): what a
    library call taking either form works with."""
    space = get_space(space) if isinstance(space, str) else space
    return space, space.parse(arch) if isinstance(arch, str) else arch


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
    extra = next((f"any other key=value ({p.name})" for p in parameters.values() if p.kind is p.VAR_KEYWORD), None)
    settings += [extra] if extra else []
    return f"its settings are {', '.join(settings)}" if settings else "it takes no settings"


def _parse_value(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


__all__ = ["SPACES", "Arch", "SearchSpace", "get_space", "register_space", "resolve", "space_names", "space_settings"]
