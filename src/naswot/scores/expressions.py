"""Score names as a user writes them: a registered score, or a zero-label combination of several.

``naswot`` is one network's score. ``rank_product(naswot,zico,flops)`` and ``rank_mean(...)`` combine
registered scores by their ranks within the scored population (see ``naswot.ensemble``), and
``zero_label`` names the recommended combination. A combination is computed from its members' values
over a population, so it is not a per-network score: callers score the members, then ``combine``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from naswot.ensemble import RANK_METHODS, combine_by_rank
from naswot.errors import NaswotError
from naswot.registry import Registry
from naswot.scores.combinations import NAMED_COMBINATIONS
from naswot.scores.registry import get_score

COMBINATIONS: Registry[str] = Registry("named combination")
"""Every named combination, built-in or registered with ``register_combination``: name -> definition."""


def register_combination(name: str, definition: str) -> None:
    """Name a combination (``rank_product(a,b,...)`` or ``rank_mean(...)`` of registered scores) for use as a score name."""
    expression = parse_score(definition)
    if not expression.is_combination:
        raise NaswotError(f"{definition!r} is not a combination: {_HINT}")
    if _is_score(name):
        raise NaswotError(f"{name!r} is a score's name: give the combination another name")
    COMBINATIONS.register(name, expression.name, defined_at=expression.name)


def _is_score(name: str) -> bool:
    try:
        get_score(name)
    except NaswotError:
        return False
    return True

_HINT = "write a score name, or rank_product(a,b,...) / rank_mean(a,b,...) of two or more (see `naswot list scores`)"


@dataclass(frozen=True)
class ScoreExpression:
    """A score as named by the user: one registered score, or ``method`` over ``members``."""

    name: str
    members: tuple[str, ...]
    method: str | None = None

    @property
    def is_combination(self) -> bool:
        return self.method is not None

    @property
    def definition(self) -> str:
        """What it computes, a named combination spelled out: ``rank_product(meco,synflow,...)``."""
        return f"{self.method}({','.join(self.members)})" if self.method else self.name

    def combine(self, columns: Mapping[str, Sequence[float]]) -> np.ndarray:
        """The expression's value for every architecture of a population, from its members' columns."""
        if self.method is None:
            return np.asarray(columns[self.members[0]], dtype=np.float64)
        return combine_by_rank(self.method, {member: columns[member] for member in self.members})


def parse_score(text: str) -> ScoreExpression:
    """Read one score name; unknown scores, methods and nesting end in one line naming the fix."""
    text = text.strip()
    if text in COMBINATIONS:
        expression = parse_score(COMBINATIONS.get(text))
        return ScoreExpression(text, expression.members, expression.method)
    method, paren, rest = text.partition("(")
    if not paren:
        if ")" in text:
            raise NaswotError(f"score {text!r} has a ')' without '(': {_HINT}")
        return ScoreExpression(get_score(text).name, (text,))
    method = method.strip()
    if method not in RANK_METHODS:
        raise NaswotError(f"unknown combination {method!r} in {text!r}: use {' or '.join(RANK_METHODS.names())}")
    if not rest.endswith(")") or "(" in rest or ")" in rest[:-1]:
        raise NaswotError(f"score {text!r} is not one level of method(a,b,...): combinations do not nest; {_HINT}")
    members = tuple(dict.fromkeys(part.strip() for part in rest[:-1].split(",") if part.strip()))
    if len(members) < 2:
        raise NaswotError(f"{text!r} combines fewer than two scores: {_HINT}")
    for member in members:
        if member in COMBINATIONS:
            raise NaswotError(f"{member!r} in {text!r} is itself a combination: combinations do not nest; {_HINT}")
        get_score(member)
    return ScoreExpression(f"{method}({','.join(members)})", members, method)


def parse_score_list(text: str) -> list[ScoreExpression]:
    """Read a comma-separated list of score names, where commas inside parentheses belong to a combination."""
    parts, depth, current = [], 0, []
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    names = [part.strip() for part in parts if part.strip()]
    if not names:
        raise NaswotError(f"no score named: {_HINT}")
    expressions = [parse_score(name) for name in names]
    return list({expression.name: expression for expression in expressions}.values())


def member_scores(expressions: Sequence[ScoreExpression]) -> list[str]:
    """Every registered score the expressions need, each once, in order of first mention."""
    return list(dict.fromkeys(member for expression in expressions for member in expression.members))


for _name, _definition in NAMED_COMBINATIONS.items():
    COMBINATIONS.register(_name, _definition, defined_at=_definition)
