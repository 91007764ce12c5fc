"""Any PyTorch model family as a search space: your own model functions, or pytorchcv's ready models.

A model is named ``module:function`` with optional keyword arguments, ``mypkg.nets:resnet(depth=20,width=16)``;
the function is called with them (and with ``num_classes`` when it takes that argument) and must
return an ``nn.Module``. ``pytorchcv:NAME`` names a model of the ``pytorchcv`` package
(``pip install 'naswot[zoo]'``), built untrained; keyword arguments go to its constructor.
Modules are imported from the current folder first, as ``python -m`` would.

The space to search is one of
- ``zoo:family=MODULE:FUNCTION,KEY=V1|V2|...`` every combination of the listed keyword values;
- ``zoo:pytorchcv=PATTERN`` pytorchcv's models whose names match the glob (default ``*_cifar10``);
- ``zoo`` the same as ``zoo:pytorchcv=*_cifar10``.
Any model can be scored in any of them (``naswot score --space zoo 'mypkg.nets:resnet(depth=20)'``).
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import importlib
import inspect
import itertools
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from naswot.errors import NaswotError
from naswot.spaces import register_space
from naswot.spaces.base import NetworkCall, SearchSpace, other_choice

if TYPE_CHECKING:
    from torch import nn

PYTORCHCV = "pytorchcv"
DEFAULT_PATTERN = "*_cifar10"
_HINT = "name a model as module:function or module:function(key=value,...), e.g. pytorchcv:resnet20_cifar10"


@dataclass(frozen=True)
class ZooModel:
    """A model function and its keyword arguments (sorted by name)."""

    module: str
    function: str
    kwargs: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        args = ",".join(f"{key}={value!r}" for key, value in self.kwargs)
        return f"{self.module}:{self.function}" + (f"({args})" if args else "")


def parse_model(text: str) -> ZooModel:
    """Read ``module:function`` or ``module:function(key=value,...)`` (values are Python literals or bare words)."""
    text = text.strip()
    head, paren, rest = text.partition("(")
    module, colon, function = head.strip().partition(":")
    if not colon or not module or not function.isidentifier():
        raise NaswotError(f"model {text!r} is not module:function: {_HINT}")
    kwargs: dict[str, Any] = {}
    if paren:
        if not rest.endswith(")"):
            raise NaswotError(f"model {text!r} lacks the closing ')': {_HINT}")
        try:
            call = ast.parse(f"f({rest}", mode="eval").body
        except SyntaxError:
            raise NaswotError(f"the arguments of {text!r} are not key=value pairs: {_HINT}") from None
        if not isinstance(call, ast.Call) or call.args or any(k.arg is None for k in call.keywords):
            raise NaswotError(f"the arguments of {text!r} must all be key=value: {_HINT}")
        for keyword in call.keywords:
            kwargs[keyword.arg] = _literal(keyword.value, text)  # type: ignore[index]
    return ZooModel(module.strip(), function, tuple(sorted(kwargs.items())))


def _literal(node: ast.expr, text: str) -> Any:
    """A keyword's value: a bare word is a string (act=relu); otherwise a hashable Python literal."""
    if isinstance(node, ast.Name):
        return node.id
    try:
        value = ast.literal_eval(node)
        hash(value)
    except (ValueError, TypeError):
        raise NaswotError(f"an argument of {text!r} is not a number, string, bool or tuple: {_HINT}") from None
    return value


def literal_value(text: str) -> Any:
    """A setting's value: a Python literal, else the text itself."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def resolve(model: ZooModel) -> Callable[..., Any]:
    """The function that builds ``model``, importing its module."""
    if model.module == PYTORCHCV:
        models = pytorchcv_models()
        if model.function not in models:
            raise NaswotError(f"pytorchcv has no model {model.function!r}: see `naswot list spaces` or pytorchcv's model list")
        return models[model.function]
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(model.module)
    except ImportError as exc:
        raise NaswotError(f"cannot import {model.module!r} ({exc}): install it or run from the folder that holds it") from None
    function = getattr(module, model.function, None)
    if not callable(function):
        raise NaswotError(f"{model.module} has no function {model.function!r}: {_HINT}")
    return function


def pytorchcv_models() -> dict[str, Callable[..., Any]]:
    """pytorchcv's model functions by name; a clear error when the package is missing."""
    try:
        from pytorchcv.model_provider import _models
    except ImportError:
        raise NaswotError("pytorchcv is not installed: pip install 'naswot[zoo]' (or pytorchcv==0.0.67)") from None
    return dict(_models)


def model_call(model: ZooModel, num_classes: int) -> NetworkCall:
    """The call of the model's function, passing ``num_classes`` when it takes it (pytorchcv's by their defining module)."""
    function = resolve(model)
    kwargs = dict(model.kwargs)
    try:
        takes_classes = "num_classes" in inspect.signature(function).parameters
    except (TypeError, ValueError):  # a callable without a readable signature
        takes_classes = False
    if takes_classes and "num_classes" not in kwargs:
        kwargs["num_classes"] = num_classes
    module = function.__module__ if model.module == PYTORCHCV else model.module
    return NetworkCall(module, getattr(function, "__name__", model.function), kwargs=tuple(kwargs.items()))


def build_model(model: ZooModel, num_classes: int) -> nn.Module:
    """Call the model's function and check it made a module."""
    call = model_call(model, num_classes)
    try:
        net = call()
    except Exception as exc:  # the user's code: whatever it raises, report it in one line
        raise NaswotError(f"{model} cannot be built ({type(exc).__name__}: {exc}): check its keyword arguments") from None
    from torch import nn

    if not isinstance(net, nn.Module):
        raise NaswotError(f"{model} returned a {type(net).__name__}, not a torch nn.Module")
    return net


def input_failure(model: ZooModel, image_size: tuple[int, int], num_classes: int) -> str | None:
    """Why ``model`` cannot be built for ``num_classes`` or run on one image of ``image_size``; None when it can.

    The image is run in eval mode, so a batch of one passes BatchNorm; what the network outputs is its own affair.
    It runs on the meta device first (shapes alone), on a real image only when that fails.
    """
    import torch

    from naswot.threads import one_torch_thread

    call = model_call(model, num_classes)

    def run(device: str) -> None:
        with one_torch_thread(), torch.no_grad(), torch.random.fork_rng(devices=[]):  # the caller's draws stay as they were
            net = call()
            if isinstance(net, torch.nn.Module):  # anything else build_model refuses when the network is built
                net.to(device).eval()(torch.zeros(1, 3, *image_size, device=device))

    try:
        run("meta")  # shapes only: no arithmetic, and nothing the user's forward does on real values
        return None
    except Exception:  # a shape error, or code the meta device cannot run: decide on a real image
        pass
    try:
        run("cpu")
    except Exception as exc:  # the user's code: whatever it raises is the reason
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return None


def model_code_version(model: ZooModel) -> str:
    """A hash of the code that builds ``model``: its module's source, or the installed pytorchcv version."""
    if model.module == PYTORCHCV:
        from importlib.metadata import version

        return f"pytorchcv=={version('pytorchcv')}"
    resolve(model)
    module = sys.modules[model.module]
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):  # a module without readable source (compiled): its file's bytes stand in
        source = repr(getattr(module, "__file__", model.module))
    return hashlib.sha256(source.encode()).hexdigest()[:12]


class ZooSpace(SearchSpace):
    """A finite list of models: a keyword grid over one function, or pytorchcv models matching a pattern."""

    name = "zoo"

    def __init__(self, family: str | None = None, grid: dict[str, Sequence[Any]] | None = None,
                 pytorchcv: str | None = None) -> None:
        grid = grid or {}
        if family is not None and pytorchcv is not None:
            raise NaswotError("a zoo space takes family=... or pytorchcv=..., not both")
        if family is None and grid:
            raise NaswotError(f"keyword values {', '.join(grid)} need a model: add family=module:function")
        self.family = parse_model(family) if family is not None else None
        if self.family is not None and self.family.kwargs:
            raise NaswotError(f"family={family} takes no arguments: give each as a setting, e.g. zoo:family=m:f,depth=20|56")
        self.grid = {key: tuple(values) for key, values in grid.items()}
        self.pattern = pytorchcv if pytorchcv is not None else DEFAULT_PATTERN
        self._models: list[ZooModel] | None = None

    def models(self) -> list[ZooModel]:
        """Every model of the space, in a fixed order."""
        if self._models is None:
            self._models = self._list_models()
            if not self._models:
                raise NaswotError(f"no pytorchcv model matches {self.pattern!r}: try zoo:pytorchcv={DEFAULT_PATTERN}")
        return self._models

    def _list_models(self) -> list[ZooModel]:
        if self.family is None:
            names = sorted(n for n in pytorchcv_models() if fnmatch.fnmatch(n, self.pattern))
            return [ZooModel(PYTORCHCV, name) for name in names]
        keys = sorted(self.grid)
        return [ZooModel(self.family.module, self.family.function, tuple(zip(keys, values)))
                for values in itertools.product(*(self.grid[k] for k in keys))]

    def sample(self, rng: np.random.Generator) -> ZooModel:
        models = self.models()
        return models[int(rng.integers(len(models)))]

    def mutate(self, arch: ZooModel, rng: np.random.Generator) -> ZooModel:
        """Another value for one keyword of the grid; for a list of named models, another model."""
        models = self.models()
        if self.family is not None and arch in models:
            varying = [key for key, values in self.grid.items() if len(values) > 1]
            if varying:
                key = varying[int(rng.integers(len(varying)))]
                kwargs = dict(arch.kwargs)
                kwargs[key] = other_choice(self.grid[key], kwargs[key], rng)
                return ZooModel(arch.module, arch.function, tuple(sorted(kwargs.items())))
        return other_choice(models, arch, rng) if len(models) > 1 else models[0]

    def parse(self, text: str) -> ZooModel:
        """A model of this space's family only: an architecture read from a file or a store never names other
        code to import and call (``subprocess:getoutput`` is a module:function too)."""
        model = parse_model(text)
        family = f"{self.family.module}:{self.family.function}" if self.family is not None else PYTORCHCV
        if f"{model.module}:{model.function}" != family and (self.family is not None or model.module != PYTORCHCV):
            raise NaswotError(f"model {text!r} is not of this space's family ({family}): an architecture can only set "
                              "the family's arguments; to score another function, give it as space=zoo:family=module:function")
        resolve(model)
        return model

    def build(self, arch: ZooModel, num_classes: int = 10) -> nn.Module:
        return build_model(arch, num_classes)

    def check_input(self, image_size: tuple[int, int], num_classes: int) -> None:
        """A model function may build for one input only (pytorchcv's CIFAR models: 32x32 images, 10 or 100 classes,
        ending in a fixed 8x8 pool), so the space's first model is built and run on one image of that size."""
        model = self.models()[0]
        reason = input_failure(model, image_size, num_classes)
        if reason is not None:
            fix = ("pytorchcv's CIFAR models are built for 32x32 images and 10 or 100 classes: use image_size=32 with such "
                   "data, or a model family of your own" if model.module == PYTORCHCV else
                   f"make {model.function} build for such images (it receives num_classes= when it takes it)")
            raise NaswotError(f"zoo model {model} cannot take {image_size[0]}x{image_size[1]} images with {num_classes} "
                              f"classes ({reason}): {fix}")

    def network_call(self, arch: ZooModel, num_classes: int = 10) -> NetworkCall:
        return model_call(arch, num_classes)

    def __len__(self) -> int:
        return len(self.models())

    def __iter__(self) -> Iterator[ZooModel]:
        return iter(self.models())

    def arch_code_version(self, arch: ZooModel) -> str:
        """The source of the model's module (a user's), or pytorchcv's version: edit either and old scores are not reused."""
        return model_code_version(arch)

    def spec(self) -> str:
        if self.family is None:
            return self.name if self.pattern == DEFAULT_PATTERN else f"{self.name}:pytorchcv={self.pattern}"
        grid = "".join(f",{key}={'|'.join(map(repr, values))}" for key, values in sorted(self.grid.items()))
        return f"{self.name}:family={self.family}{grid}"


@register_space("zoo")
def _make(family: str | None = None, pytorchcv: str | None = None, **grid: Any) -> ZooSpace:
    values = {key: tuple(literal_value(v) for v in str(text).split("|")) for key, text in grid.items()}
    return ZooSpace(family=family, grid=values, pytorchcv=pytorchcv)
