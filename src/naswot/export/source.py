"""The network code an exported file carries: naswot's own definitions, copied from their module unchanged.

``definitions(module, names)`` returns the source of the top-level classes, functions and constants that
``names`` need, following every name they use at run time, in the order the module defines them. Nothing
is rewritten, so the exported network is the one ``build`` makes. Names used only in annotations are
left out (the file has ``from __future__ import annotations``, so they are never evaluated); a run-time
use of anything imported from outside torch has a stand-in here or stops the export.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pprint
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

ALLOWED_IMPORTS = {"torch": "import torch", "nn": "from torch import nn"}
"""The imported names the copied code may use at run time, as the exported file imports them."""
STAND_INS = {"Sequence": "Sequence = (list, tuple)  # what the network code's isinstance checks accept"}
"""Standard-library names the copied code uses at run time, written without the import (the file imports only torch)."""


@dataclass(frozen=True)
class Code:
    """Copied definitions: the stand-in lines they need, their source, and the names they define."""

    stand_ins: list[str]
    source: str
    names: set[str]


def definitions(module_name: str, names: Iterable[str]) -> Code:
    """Everything ``names`` need from ``module_name``."""
    source = inspect.getsource(importlib.import_module(module_name))
    tree = ast.parse(source)
    source_lines = source.splitlines()
    defined = {name: node for node in tree.body for name in _defined_names(node)}
    imported = {name for node in tree.body for name in _imported_names(node)}
    needed: set[str] = set()
    stand_ins: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in defined:
            if name not in needed:
                needed.add(name)
                pending += _used_names(defined[name])
        elif name in STAND_INS:
            stand_ins.add(name)
        elif name in imported and name not in ALLOWED_IMPORTS:
            raise RuntimeError(f"{module_name} uses {name!r} at run time: an exported file can import only torch")
    nodes = [node for node in tree.body if needed & set(_defined_names(node))]
    blocks = ["\n".join(source_lines[_first_line(node) - 1:node.end_lineno]) for node in nodes]
    return Code([STAND_INS[name] for name in sorted(stand_ins)], "\n\n\n".join(blocks), needed)


def _defined_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [target.id for target in node.targets if isinstance(target, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def _imported_names(node: ast.stmt) -> list[str]:
    if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "module", None) != "__future__":
        return [(alias.asname or alias.name).split(".")[0] for alias in node.names]
    return []


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return decorators[0].lineno if decorators else node.lineno


class _RunTimeNames(ast.NodeVisitor):
    """The names a definition reads when it runs: every loaded name outside annotations."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self.names.append(node.id)

    def visit_arg(self, node: ast.arg) -> None:  # an argument's annotation is never evaluated
        pass

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        for child in (node.target, node.value):
            if child is not None:
                self.visit(child)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        for child in [*node.decorator_list, *node.args.defaults, *node.args.kw_defaults, *node.body]:
            if child is not None:
                self.visit(child)


def _used_names(node: ast.stmt) -> list[str]:
    visitor = _RunTimeNames()
    visitor.visit(node)
    return visitor.names


def literal(value: Any) -> str:
    """``value`` as Python source that evaluates to an equal value in the exported file (an array as a tensor)."""
    if isinstance(value, np.ndarray):
        return f"torch.tensor({pprint.pformat(value.tolist(), width=110, compact=True)})"
    return pprint.pformat(_plain(value), width=110, compact=True)


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers, containers rebuilt; anything that has no source form is refused."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(item) for item in value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"{type(value).__name__} {value!r} has no source form for an exported file")
