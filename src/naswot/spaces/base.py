"""The interface every search space implements."""

from __future__ import annotations

import hashlib
import importlib
import inspect
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

if TYPE_CHECKING:
    from torch import nn

Arch = Hashable
"""An architecture: an immutable, hashable value whose ``str`` is its canonical text form."""

T = TypeVar("T")


def other_choice(choices: Sequence[T], current: T, rng: np.random.Generator) -> T:
    """One of ``choices`` other than ``current``, uniformly: the step of a one-choice mutation."""
    others = [c for c in choices if c != current]
    return others[int(rng.integers(len(others)))]


@dataclass(frozen=True)
class NetworkCall:
    """How a space builds one network: a function (or class) of a module, called with plain values.

    ``build`` makes this call and ``naswot export`` writes the same call as source, so the exported file
    builds the very network ``build`` does.
    """

    module: str
    function: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()

    def __call__(self) -> nn.Module:
        function = getattr(importlib.import_module(self.module), self.function)
        return function(*self.args, **dict(self.kwargs))


class SearchSpace(ABC):
    """A family of architectures that can be sampled, mutated, parsed, printed and built.

    Architectures are plain values, never modules: ``build`` turns one into a fresh, untrained
    ``nn.Module`` whose ``forward`` maps an image batch to logits. What else a network may offer the scores
    (``forward_features``, ``stem`` and ``cells``) and the defaults for one that offers nothing more are
    written down in ``naswot.spaces.network``.
    """

    name: str
    build_modules: tuple[str, ...] = ()
    """The modules that hold the network code of ``build``; their source is part of every stored score's key
    (by default the module that defines the space, as for a space in a user's own file)."""

    @abstractmethod
    def sample(self, rng: np.random.Generator) -> Arch:
        """Draw one architecture uniformly at random."""

    @abstractmethod
    def mutate(self, arch: Arch, rng: np.random.Generator) -> Arch:
        """Return a neighbour of ``arch`` that differs in one choice."""

    @abstractmethod
    def parse(self, text: str) -> Arch:
        """Read an architecture from its text form; raise ``NaswotError`` naming the problem."""

    @abstractmethod
    def build(self, arch: Arch, num_classes: int = 10) -> nn.Module:
        """Build the untrained network of ``arch``."""

    def check_input(self, image_size: tuple[int, int], num_classes: int) -> None:
        """Refuse, in one line that says why, images of ``image_size`` (height, width) or a number of classes
        this space's networks cannot take, before any work starts. Networks that pool globally before their
        classifier take any size, so by default everything is accepted."""
        return None

    def network_call(self, arch: Arch, num_classes: int = 10) -> NetworkCall | None:
        """The call that builds ``arch``'s network (what ``naswot export`` writes), or None where the space
        does not say (then it cannot be exported)."""
        return None

    @abstractmethod
    def __len__(self) -> int:
        """The number of architectures in the space."""

    def __iter__(self) -> Iterator[Arch]:
        raise TypeError(f"the {self.name} space cannot be enumerated")

    def spec(self) -> str:
        """The text that names this space and its settings, as used in the result store."""
        return self.name

    def code_version(self) -> str:
        """A hash of the code that builds this space's networks: edit it and stored scores are not reused.

        Only the network modules count, not the space's own (parsing, sampling), so that editing how
        architectures are read or drawn keeps the scores of the networks they name.
        """
        digest = hashlib.sha256()
        for module in self.build_modules or (type(self).__module__,):
            try:
                digest.update(inspect.getsource(importlib.import_module(module)).encode())
            except (OSError, TypeError):  # no source to read (an interactive session): the class's name stands in
                digest.update(f"{module}.{type(self).__qualname__}".encode())
        return digest.hexdigest()[:12]

    def equivalence_classes(self, archs: Sequence[Arch]) -> list[list[Arch]] | None:
        """``archs`` grouped into classes whose networks compute the same function (the first member of each
        class stands for it), or None when the space does not know such classes.

        A ``dedupe`` sweep scores one member per class and stores the others as copies of it.
        """
        return None

    def arch_code_version(self, arch: Arch) -> str | None:
        """The code version of ``arch``'s network where it is not the space's (a zoo's models); None otherwise."""
        return None
