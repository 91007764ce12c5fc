"""Unpickling of data files with an allow-list of the few globals their data needs: no code in a file can run.

Pickle can call any importable callable, so ``DataUnpickler`` resolves only the globals of one allow-list
(under their numpy-1 and numpy-2 names) and refuses every other one: a file that names anything else is
not the data it claims to be.

- ``ARRAYS``, for the CIFAR and ImageNet16 batches: numpy arrays, dtypes and scalars; with the
  containers, strings and numbers that pickle builds without a global, that is all they hold.
- ``BENCHMARK``, for NAS-Bench-201's ``.pth`` file (a ``torch.save``d dictionary) and NATS-Bench's
  ``.pickle.pbz2`` files (bz2 pickles): those, plus ``OrderedDict``, ``set`` and torch's tensor rebuild.

A torch file is vetted before torch sees it (``check_torch_file``): ``torch.load`` hands a zip holding
``constants.pkl`` to ``torch.jit.load``, which never asks our unpickler and runs the archive's TorchScript
(its ``__setstate__`` can write any file), and it unpacks a tar archive into a temporary folder. So a zip
must hold only the records ``torch.save`` writes (listed by torch's own zip reader, the one ``torch.load``
then uses), a tar is refused, and what is left (``torch.save``'s legacy stream of pickles) is read by
``torch.load(weights_only=False, pickle_module=...)`` on the handle that was vetted, every pickle in it
through ``DataUnpickler``.

Why not ``torch.load(weights_only=True)`` with these globals added (it too refuses TorchScript and tar):
its unpickler is written in Python. Measured here on a 25 MB file of 100 architectures in the official
layout: 8-10 s against 0.3-0.9 s through this C unpickler (an earlier measurement: 1.84 s against 0.18 s
for 18 MB), so tens of minutes for the 4.7 GB NAS-Bench-201 v1.1 file.
"""

from __future__ import annotations

import bz2
import codecs
import pickle
import re
import tarfile
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import IO, Any

import numpy as np
from numpy._core.multiarray import _reconstruct, scalar
from numpy._core.numeric import _frombuffer

from naswot.errors import NaswotError


def _rebuild_tensor_v2(*args: Any) -> Any:
    """torch's own tensor rebuild, imported only if a file holds a tensor."""
    from torch._utils import _rebuild_tensor_v2 as rebuild

    return rebuild(*args)


def _numpy_names(module: str, values: dict[str, Any]) -> dict[tuple[str, str], Any]:
    """``values`` under numpy 1's module name (``numpy.core.X``) and numpy 2's (``numpy._core.X``)."""
    return {(f"numpy.{core}.{module}", name): value for core in ("core", "_core") for name, value in values.items()}


ARRAYS: dict[tuple[str, str], Any] = {
    ("numpy", "dtype"): np.dtype,
    ("numpy", "ndarray"): np.ndarray,
    **_numpy_names("multiarray", {"scalar": scalar, "_reconstruct": _reconstruct}),
    **_numpy_names("numeric", {"_frombuffer": _frombuffer}),  # how protocol 5 spells an array
    ("_codecs", "encode"): codecs.encode,  # how protocol 2 written by Python 3 spells a bytes object
}
"""What numpy arrays and scalars need: the CIFAR and ImageNet16 batches hold nothing else."""
BENCHMARK: dict[tuple[str, str], Any] = {
    **ARRAYS,
    ("collections", "OrderedDict"): OrderedDict,
    ("builtins", "set"): set,
    ("__builtin__", "set"): set,  # protocol-2 files written for Python 2 compatibility
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
}
"""What the official NAS-Bench-201 and NATS-Bench files need."""
READ_ERRORS = (OSError, EOFError, pickle.UnpicklingError, zipfile.BadZipFile, RuntimeError, ValueError, TypeError,
               AttributeError, ImportError, IndexError, KeyError, MemoryError, AssertionError, OverflowError, SystemError)
"""What a damaged, truncated or foreign file raises while it is read (torch checks its framing with ``assert``; numpy
can answer a mangled dtype with ``SystemError``)."""
TORCH_RECORDS = re.compile(r"data\.pkl|data/\d+|byteorder|version|\.format_version|\.storage_alignment"
                           r"|\.data/version|\.data/serialization_id")
"""The records of a ``torch.save`` zip (as torch's reader lists them, without the archive's folder)."""


class DataUnpickler(pickle.Unpickler):
    """The C unpickler, resolving only the globals of ``allowed``."""

    def __init__(self, handle: IO[bytes], *, allowed: dict[tuple[str, str], Any] = BENCHMARK, **kwargs: Any) -> None:
        super().__init__(handle, **kwargs)
        self.allowed = allowed

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in self.allowed:
            raise pickle.UnpicklingError(f"it refers to {module}.{name}, which this data never holds")
        return self.allowed[(module, name)]


class _PickleModule:
    """The ``pickle_module`` torch.load is given: its wrappers subclass ``Unpickler`` and call ``load``."""

    __name__ = "naswot.safe_pickle"
    Unpickler = DataUnpickler

    @staticmethod
    def load(handle: IO[bytes], **kwargs: Any) -> Any:
        return DataUnpickler(handle, **kwargs).load()


def load_pickle(handle: IO[bytes], allowed: dict[tuple[str, str], Any], **kwargs: Any) -> Any:
    """One pickle from ``handle``, resolving only the globals of ``allowed`` (``kwargs``: ``encoding=`` etc.)."""
    return DataUnpickler(handle, allowed=allowed, **kwargs).load()


def load_bz2_pickle(path: Path, fix: str) -> Any:
    """A bz2-compressed pickle (NATS-Bench's ``pickle_save``); anything else is a one-line error ending in ``fix``."""
    try:
        with bz2.open(path, "rb") as handle:
            return load_pickle(handle, BENCHMARK)
    except READ_ERRORS as exc:
        raise NaswotError(f"{path} is not a NATS-Bench pickle ({exc}): {fix}") from None


def check_torch_file(handle: IO[bytes], path: Path, fix: str) -> None:
    """Refuse what ``torch.load`` would not read through ``DataUnpickler``: TorchScript, any foreign zip, tar."""
    if handle.read(4) == b"PK\x03\x04":  # how torch.load recognises a zip
        import torch

        handle.seek(0)
        records = torch._C.PyTorchFileReader(handle).get_all_records()
        foreign = sorted(record for record in records if not TORCH_RECORDS.fullmatch(record))
        if foreign:
            kind = "a TorchScript archive" if "constants.pkl" in records or any(r.startswith("code/") for r in records) \
                else "a zip that is not torch.save's data"
            raise NaswotError(f"{path} is {kind} (it holds {foreign[0]}), which could run code: refused; {fix}")
        if "data.pkl" not in records:
            raise NaswotError(f"{path} is a zip without torch.save's data.pkl: {fix}")
    elif tarfile.is_tarfile(path):
        raise NaswotError(f"{path} is a tar archive (torch's oldest format, which unpacks files), not the official "
                          f"file: refused; {fix}")
    handle.seek(0)


def load_torch_file(path: Path, fix: str) -> Any:
    """A ``torch.save``d file of plain data, vetted and then read on the CPU through ``DataUnpickler``."""
    import torch

    try:
        with path.open("rb") as handle:
            check_torch_file(handle, path, fix)
            return torch.load(handle, map_location="cpu", weights_only=False, mmap=False, pickle_module=_PickleModule)
    except READ_ERRORS as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise NaswotError(f"{path} is not a readable torch.save file ({reason}): {fix}") from None
