"""The shape of the package: layers import downwards only, and what answers at once never imports torch."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "naswot"


def module_level_imports() -> dict[str, set[str]]:
    """Top-level unit (``executor``, ``backends``, ``scores``...) -> the units its modules import at import time.

    Imports inside functions and under ``if TYPE_CHECKING:`` run later or never, so they are left out.
    """
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        unit = parts[0] if parts[0] != "__init__" else None
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            targets = [node.module] if isinstance(node, ast.ImportFrom) and node.module else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            for target in targets:
                pieces = target.split(".")
                if pieces[0] == "naswot" and len(pieces) > 1 and unit is not None and pieces[1] != unit:
                    edges[unit].add(pieces[1])
    return edges


def test_no_two_top_level_modules_import_each_other_in_a_circle():
    edges = module_level_imports()
    assert edges["executor"] >= {"backends", "compute", "store", "keys"}  # the walk sees real imports
    state: dict[str, str] = {}

    def visit(unit: str, path: list[str]) -> None:
        state[unit] = "open"
        for other in sorted(edges[unit]):
            assert state.get(other) != "open", " -> ".join([*path, unit, other])
            if other not in state:
                visit(other, [*path, unit])
        state[unit] = "done"

    for unit in sorted(edges):
        if unit not in state:
            visit(unit, [])


def imports_torch(code: str) -> bool:
    result = subprocess.run([sys.executable, "-c", f"import sys\n{code}\nprint('torch' in sys.modules)"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1] == "True"


RUN_CLI = "from naswot.cli import main\nsys.argv = ['naswot', {}]\ntry:\n    main()\nexcept SystemExit:\n    pass"


@pytest.mark.parametrize("code", [
    "import naswot.store, naswot.results, naswot.registry, naswot.compute, naswot.keys",
    "from naswot.spaces import get_space\nimport numpy\nspace = get_space('nasbench201')\n"
    "space.parse(str(space.sample(numpy.random.default_rng(0))))",
    RUN_CLI.format("'--help'"),
    RUN_CLI.format("'list', 'spaces'"),
    RUN_CLI.format("'search', '--workers', '0'"),
])
def test_what_answers_at_once_never_imports_torch(code):
    assert not imports_torch(code)
