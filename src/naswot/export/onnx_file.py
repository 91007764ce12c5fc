"""A network as an ONNX file, through torch's exporter (it needs the optional ``onnx`` and ``onnxscript``)."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import logging
import warnings
from pathlib import Path

import torch
from torch import nn

from naswot.errors import NaswotError

PACKAGES = ("onnx", "onnxscript")


def require_onnx() -> None:
    """Refuse in one line, before anything is written, where the packages the exporter needs are missing."""
    missing = [name for name in PACKAGES if importlib.util.find_spec(name) is None]
    if missing:
        raise NaswotError(f"format=onnx needs {' and '.join(missing)}: pip install {' '.join(PACKAGES)} "
                          "(or pip install 'naswot[onnx]')")


def write_onnx(net: nn.Module, path: Path, image_shape: tuple[int, int]) -> None:
    """Export ``net`` in eval mode for images of ``image_shape``, any batch size, into one self-contained file.

    The exporter reports its steps on stdout and its optional parts (torchvision's ops) in log lines and
    warnings; none of that concerns the user, so it is kept out of the command's output.
    """
    require_onnx()
    images = torch.zeros(2, 3, *image_shape)  # a batch of 2: torch.export would fix a batch of 1 as a constant
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(net.eval(), (images,), str(path), dynamo=True, external_data=False, input_names=["images"],
                              output_names=["logits"], dynamic_shapes=({0: torch.export.Dim("batch")},))
    finally:
        logger.setLevel(level)
