"""A picked architecture as a file to train and ship: standalone PyTorch source, and ONNX on request.

The file defines the network with naswot's own op code (copied unchanged from the space's network
module, see ``source``) and offers ``build()``; it imports nothing but torch, so it runs where naswot is
not installed. A space whose networks come from outside naswot (``zoo``: a user's module or pytorchcv)
gets a small file that imports that module and calls its function, and says so.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from naswot import __version__
from naswot.errors import NaswotError
from naswot.export.source import ALLOWED_IMPORTS, definitions, literal
from naswot.outputs import check_writable
from naswot.spaces import resolve

if TYPE_CHECKING:
    from torch import nn

    from naswot.spaces.base import Arch, NetworkCall, SearchSpace

FORMATS = ("py", "onnx")
RESERVED = ("ARCH", "NUM_CLASSES", "INPUT_SHAPE", "build", "torch", "nn")
"""Names the exported file defines itself around the network code."""


def image_shape(image_size: int | tuple[int, int]) -> tuple[int, int]:
    """``image_size`` as (height, width): one number is a square."""
    size = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
    if len(size) != 2 or not all(isinstance(side, int) and not isinstance(side, bool) and side > 0 for side in size):
        raise NaswotError(f"image_size={image_size!r} is not a positive whole number or (height, width): pass e.g. 32")
    return size  # type: ignore[return-value]


def export_source(space: SearchSpace | str, arch: Arch | str, num_classes: int = 10,
                  image_size: int | tuple[int, int] = 32) -> str:
    """The source of a Python file whose ``build()`` returns ``arch``'s untrained network (``space.build``'s)."""
    space, arch = resolve(space, arch)
    shape = image_shape(image_size)
    if isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1:
        raise NaswotError(f"num_classes={num_classes!r} is not a whole number of at least 1: pass e.g. 10")
    call = space.network_call(arch, num_classes)
    if call is None:
        raise NaswotError(f"the {space.name} space does not say how it builds its networks, so it cannot be exported: "
                          "give it a network_call method (see naswot.spaces.base.NetworkCall)")
    parameters = sum(p.numel() for p in call().parameters())
    head, function, origin = _network_code(call)
    docstring = (f'"""The {space.spec()} network of ARCH below, for {num_classes} classes and {shape[0]}x{shape[1]} RGB '
                 f"images: {parameters:,} parameters.\n\n{origin}\n\n``build()`` returns the untrained network; load "
                 "trained weights with\n``net.load_state_dict(torch.load(path, weights_only=True))``. Written by "
                 f'naswot {__version__} (naswot export).\n"""')
    parts = [
        *head,
        f"ARCH = {arch_literal(str(arch))}\nNUM_CLASSES = {num_classes}\nINPUT_SHAPE = (3, {shape[0]}, {shape[1]})",
        _build_function(call, function),
        'if __name__ == "__main__":\n    net = build().eval()\n'
        '    print(f"{sum(p.numel() for p in net.parameters()):,} parameters; logits of shape",\n'
        "          tuple(net(torch.zeros(2, *INPUT_SHAPE)).shape))",
    ]
    return docstring + "\n\n" + "\n\n\n".join(parts) + "\n"


def _network_code(call: NetworkCall) -> tuple[list[str], str, str]:
    """The file's imports and network code, the name ``build()`` calls, and a sentence on where the code comes from.

    naswot's own network code is copied in; a function from elsewhere (a user's module, pytorchcv) is imported.
    """
    future = "from __future__ import annotations\n\n"
    if call.module.split(".")[0] != "naswot":
        function = call.function if call.function not in RESERVED else "network_function"
        alias = "" if function == call.function else f" as {function}"
        origin = (f"It calls ``{call.module}.{call.function}``, so it needs that module: run it where "
                  f"``import {call.module}`` works (its package installed, or its folder on sys.path).")
        return [f"{future}import torch\nfrom {call.module} import {call.function}{alias}"], function, origin
    code = definitions(call.module, [call.function])
    clashes = code.names & set(RESERVED)
    if clashes:
        raise RuntimeError(f"{call.module} defines {sorted(clashes)}, which the exported file defines itself")
    origin = f"The network code is naswot's ``{call.module}``, copied unchanged: the file imports nothing but torch."
    head = [future + "\n".join(ALLOWED_IMPORTS.values()), *(["\n".join(code.stand_ins)] if code.stand_ins else []), code.source]
    return head, call.function, origin


def arch_literal(text: str) -> str:
    """The architecture's text as a string literal, wrapped over lines where it is long."""
    if len(text) <= 100:
        return repr(text)
    pieces = [repr(text[i:i + 100]) for i in range(0, len(text), 100)]
    return "(\n    " + "\n    ".join(pieces) + "\n)"


def _build_function(call: NetworkCall, function: str) -> str:
    arguments = [literal(value) for value in call.args] + [f"{key}={literal(value)}" for key, value in call.kwargs]
    lines = "".join(textwrap.indent(argument, " " * 8) + ",\n" for argument in arguments)
    return (f"def build() -> torch.nn.Module:\n    \"\"\"The untrained network of ARCH.\"\"\"\n"
            f"    return {function}(\n{lines}    )")


def export(space: SearchSpace | str, arch: Arch | str, out: str | Path, *, num_classes: int = 10,
           image_size: int | tuple[int, int] = 32, format: str = "py", weights: str | Path | None = None) -> list[Path]:
    """Write ``arch``'s network to ``out`` as Python source and, with ``format="onnx"``, to ``out`` with the
    suffix ``.onnx`` as well (the ``onnx`` extra); return the paths written.

    The ONNX file holds ``weights`` (a state dict file, or ``naswot train``'s model.pt or checkpoint) where
    given, else the untrained initialisation; the source file always builds the untrained network.
    """
    if format not in FORMATS:
        raise NaswotError(f"format={format!r} is not one of {', '.join(FORMATS)}: pass format=py or format=onnx")
    path = check_writable(out, "out")
    if path.suffix == ".onnx":
        raise NaswotError(f"out={path} names the ONNX file: name the Python file (e.g. model.py); the ONNX goes beside it")
    onnx_path = check_writable(path.with_suffix(".onnx"), "out") if format == "onnx" else None
    if weights is not None and onnx_path is None:
        raise NaswotError("weights= go into the ONNX file only: add format=onnx (the Python file builds the untrained "
                          "network; load weights into it with load_state_dict)")
    if onnx_path is not None:
        from naswot.export.onnx_file import require_onnx

        require_onnx()
    space, arch = resolve(space, arch)
    net = None
    if weights is not None:
        net = _with_weights(space.build(arch, num_classes), weights)
    path.write_text(export_source(space, arch, num_classes, image_size))
    if onnx_path is None:
        return [path]
    from naswot.export.onnx_file import write_onnx

    write_onnx(net if net is not None else space.build(arch, num_classes), onnx_path, image_shape(image_size))
    return [path, onnx_path]


def _with_weights(net: nn.Module, weights: str | Path) -> nn.Module:
    """``net`` with the weights of the file loaded, refused in one line where they belong to another network."""
    from naswot.train.checkpoint import read_weights

    try:
        net.load_state_dict(read_weights(weights))
    except RuntimeError as exc:
        first = str(exc).splitlines()[1].strip() if len(str(exc).splitlines()) > 1 else str(exc)
        raise NaswotError(f"weights={weights} do not fit this network ({first}): pass the weights of this "
                          "architecture, space and number of classes") from None
    return net


__all__ = ["FORMATS", "export", "export_source", "image_shape"]
