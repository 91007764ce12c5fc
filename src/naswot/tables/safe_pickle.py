"""Unpickling of the official benchmark files with an allow-list of the few globals their data needs.

NAS-Bench-201's ``.pth`` file (a ``torch.save``d dictionary) and NATS-Bench's ``.pickle.pbz2`` files
(bz2-compressed pickles) hold only plain containers, floats and strings, plus numpy scalars (``params``,
``latency``), ``OrderedDict``s and sets. Pickle can run any importable callable, so ``DataUnpickler``
resolves just those globals (under their numpy-1 and numpy-2 names) and refuses every other one:
a file that names anything else is not one of these benchmarks.

Why not ``torch.load(weights_only=True)``, which enforces a similar allow-list: its unpickler is
written in Python and measured 10x slower here (1.84 s against 0.18 s for an 18 MB file of 200
architectures in the official layout), minutes for the 4.7 GB NAS-Bench-201 v1.1 file. So the torch
file goes through ``torch.load(weights_only=False, pickle_module=...)`` with this C-speed restricted
unpickler instead; torch still handles its own framing (legacy or zip) and any tensor storages.
"""

from __future__ import annotations

import bz2
import codecs
import pickle
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any

import numpy as np

from naswot.errors import NaswotError

try:
    from numpy._core.multiarray import _reconstruct, scalar
except ImportError:  # numpy < 2
    from numpy.core.multiarray import _reconstruct, scalar  # type: ignore[no-redef]


def _rebuild_tensor_v2(*args: Any) -> Any:
    """torch's own tensor rebuild, imported only if a file holds a tensor."""
    from torch._utils import _rebuild_tensor_v2 as rebuild

    return rebuild(*args)


_NUMPY = {"scalar": scalar, "_reconstruct": _reconstruct}
ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): OrderedDict,
    ("builtins", "set"): set,
    ("__builtin__", "set"): set,  # protocol-2 files written for Python 2 compatibility
    ("_codecs", "encode"): codecs.encode,  # how protocol 2 spells a bytes object (numpy scalars' payload)
    ("numpy", "dtype"): np.dtype,
    ("numpy", "ndarray"): np.ndarray,
    **{(module, name): value for module in ("numpy.core.multiarray", "numpy._core.multiarray") for name, value in _NUMPY.items()},
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
}
READ_ERRORS = (OSError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, RuntimeError, ValueError, TypeError,
               AttributeError, ImportError, IndexError, KeyError, MemoryError)
"""What a damaged, truncated or foreign file raises while it is read."""


class DataUnpickler(pickle.Unpickler):
    """The C unpickler, resolving only the globals in ``ALLOWED``."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED:
            raise pickle.UnpicklingError(f"it refers to {module}.{name}, which benchmark data never holds")
        return ALLOWED[(module, name)]


class _PickleModule:
    """The ``pickle_module`` torch.load is given: its wrappers subclass ``Unpickler`` and call ``load``."""

    __name__ = "naswot.tables.safe_pickle"
    Unpickler = DataUnpickler

    @staticmethod
    def load(handle: IO[bytes], **kwargs: Any) -> Any:
        return DataUnpickler(handle, **kwargs).load()


def load_bz2_pickle(path: Path, fix: str) -> Any:
    """A bz2-compressed pickle (NATS-Bench's ``pickle_save``); anything else is a one-line error ending in ``fix``."""
    try:
        with bz2.open(path, "rb") as handle:
            return DataUnpickler(handle).load()
    except READ_ERRORS as exc:
        raise NaswotError(f"{path} is not a NATS-Bench pickle ({exc}): {fix}") from None


def load_torch_file(path: Path, fix: str) -> Any:
    """A ``torch.save``d file of plain data, read on the CPU through ``DataUnpickler`` (see the module docstring)."""
    import torch

    try:
        return torch.load(path, map_location="cpu", weights_only=False, pickle_module=_PickleModule)
    except READ_ERRORS as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NaswotError(f"{path} is not a readable torch.save file ({reason}): {fix}") from None
