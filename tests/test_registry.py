"""The one registry type: names, patterns, "did you mean", duplicates refused, built-ins first."""

from __future__ import annotations

import sys
import types

import pytest

from naswot.registry import DuplicateName, Registry, UnknownName


def first() -> str:
    return "first"


def second() -> str:
    return "second"


def test_get_names_by_pattern_and_did_you_mean() -> None:
    registry: Registry = Registry("widget")
    registry.register("naswot", first)
    registry.register("naswot_v1", second)
    registry.register("synflow", second)
    assert registry.get("naswot") is first
    assert registry.names("naswot*") == ["naswot", "naswot_v1"] and registry.names() == ["naswot", "naswot_v1", "synflow"]
    assert "synflow" in registry and "zen" not in registry
    with pytest.raises(UnknownName, match=r"unknown widget 'synflw' \(did you mean 'synflow'\?\): choose from naswot, "):
        registry.get("synflw")
    with pytest.raises(UnknownName) as refused:
        registry.get("qqqq")
    assert "did you mean" not in str(refused.value)


def test_a_second_definition_is_refused_naming_both_but_the_same_one_may_return() -> None:
    registry: Registry = Registry("widget")
    registry.decorator("x")(first)
    registry.register("x", first)  # the same definition again (a module reloaded)
    twice = r"widget 'x' is defined twice: by .*test_registry\.first and by .*test_registry\.second"
    with pytest.raises(DuplicateName, match=twice):
        registry.register("x", second)
    assert registry.get("x") is first


def test_builtins_load_before_the_first_user_registration(monkeypatch: pytest.MonkeyPatch) -> None:
    registry: Registry = Registry("widget", builtins=["fake_builtin_widgets"])
    module = types.ModuleType("fake_builtin_widgets")
    module.__dict__["loaded"] = lambda: registry.register("builtin", first)
    monkeypatch.setitem(sys.modules, "fake_builtin_widgets", module)
    # importing an already-imported module runs nothing, so register the built-in the way its import would
    monkeypatch.setattr("importlib.import_module", lambda name: module.loaded())
    with pytest.raises(DuplicateName, match="defined twice"):
        registry.register("builtin", second)  # refused at the user's registration, not at a later lookup
    assert registry.names() == ["builtin"]


def test_a_builtin_module_imported_first_registers_without_importing_the_others_midway():
    import subprocess
    import sys

    code = ("import naswot.scores.size\nfrom naswot.scores import score_names\n"
            "assert {'params', 'swap', 'naswot'} <= set(score_names())")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr  # size is imported by swap: loading swap midway was a cycle
