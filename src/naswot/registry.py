"""One registry type for everything found by name: spaces, scores, strategies, tables, data sources, backends,
reproduction items and named score combinations.

As timm's model registry: register under a name, look up by name (an unknown one says what was probably meant),
list by glob pattern. Two rules keep a user's registration from silently changing the meaning of a name: the
built-ins are loaded before anything else is registered, and a second definition under a taken name is refused
at once, naming both definitions (re-running the same definition, as ``importlib.reload`` does, replaces it).
This module imports nothing heavy, so listing what exists stays fast.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

from naswot.errors import NaswotError

T = TypeVar("T")


class UnknownName(NaswotError):
    """A name that nothing is registered under."""


class DuplicateName(NaswotError):
    """A second, different definition under a name that is already taken."""


def origin(value: object) -> str:
    """Where ``value`` was defined, for messages: ``module.qualname`` of a function or class, else its type's."""
    target = value if inspect.isfunction(value) or inspect.isclass(value) else type(value)
    return f"{getattr(target, '__module__', '?')}.{getattr(target, '__qualname__', type(value).__name__)}"


class Registry(Generic[T]):
    """Names of one ``kind`` of thing, each mapped to one value.

    ``builtins`` are the modules whose import registers the built-in values; they are imported on first use,
    so a package that is never asked for a name never pays for its imports.
    """

    def __init__(self, kind: str, builtins: Sequence[str] = (), *, listed_by: str | None = None) -> None:
        self.kind = kind
        self.listed_by = listed_by
        """The command that lists these names, for messages (``naswot list scores``)."""
        self._builtins = tuple(builtins)
        self._loaded = not self._builtins
        self._values: dict[str, T] = {}
        self._origins: dict[str, str] = {}

    def register(self, name: str, value: T, *, defined_at: str | None = None) -> T:
        """Register ``value`` under ``name`` and return it; ``defined_at`` names the definition in messages
        when ``value`` itself does not (an entry built from settings, say)."""
        where = defined_at or origin(value)
        if not self._is_builtin(where):  # a built-in module registering itself must not import the others midway
            self._load_builtins()
        if name in self._values and self._origins[name] != where:
            raise DuplicateName(f"{self.kind} {name!r} is defined twice: by {self._origins[name]} and by {where}: "
                                "give the new one another name")
        self._values[name] = value
        self._origins[name] = where
        return value

    def decorator(self, name: str) -> Callable[[T], T]:
        """``@registry.decorator("name")``: register the decorated function or class under ``name``."""
        return lambda value: self.register(name, value)

    def get(self, name: str) -> T:
        self._load_builtins()
        if name not in self._values:
            raise UnknownName(self.unknown(name))
        return self._values[name]

    def unknown(self, name: str) -> str:
        """The message for a name nothing is registered under: the closest name, then every name."""
        names = self.names()
        close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        listed = f" (see `{self.listed_by}`)" if self.listed_by else ""
        return f"unknown {self.kind} {name!r}{guess}: choose from {', '.join(names)}{listed}"

    def names(self, pattern: str = "*") -> list[str]:
        """The registered names matching the glob ``pattern``, sorted."""
        self._load_builtins()
        return sorted(name for name in self._values if fnmatch.fnmatchcase(name, pattern))

    def items(self) -> Iterator[tuple[str, T]]:
        """(name, value) pairs, sorted by name."""
        self._load_builtins()
        return iter(sorted(self._values.items(), key=lambda item: item[0]))

    def __contains__(self, name: object) -> bool:
        self._load_builtins()
        return name in self._values

    def _is_builtin(self, where: str) -> bool:
        return any(where.startswith(f"{module}.") for module in self._builtins)

    def _load_builtins(self) -> None:
        if self._loaded:
            return
        self._loaded = True  # before the imports: their own registrations come back through here
        for module in self._builtins:
            importlib.import_module(module)
