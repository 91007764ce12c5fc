"""TFRecord files without TensorFlow: the record framing and its masked CRC-32C checksums.

Each record is ``length`` (uint64, little-endian), ``masked_crc32c(length)`` (uint32), ``data``,
``masked_crc32c(data)`` (uint32). The length checksum is verified for every record (it catches a file
that is not a TFRecord or is cut short at once); the data checksum, whose pure-Python cost would
dominate reading a large file, for the first record only unless ``verify_all`` is set.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from naswot.errors import NaswotError

_POLY = 0x82F63B78  # CRC-32C (Castagnoli), reflected


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _POLY if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _table()


def crc32c(data: bytes) -> int:
    """The CRC-32C of ``data``."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """TFRecord's masking of a CRC: rotate right by 15 bits and add a constant."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def read_records(path: Path, verify_all: bool = False) -> Iterator[bytes]:
    """The data of every record in the TFRecord file at ``path``; a damaged file is a one-line error."""
    with path.open("rb") as handle:
        yield from _records(handle, path, verify_all)


def _records(handle: BinaryIO, path: Path, verify_all: bool) -> Iterator[bytes]:
    fix = "the file is not an intact TFRecord file: download it again"
    size = os.fstat(handle.fileno()).st_size
    number = 0
    while True:
        header = handle.read(12)
        if not header:
            return
        if len(header) < 12:
            raise NaswotError(f"{path} ends inside the header of record {number}: {fix}")
        length_bytes, length_crc = header[:8], struct.unpack("<I", header[8:])[0]
        if masked_crc32c(length_bytes) != length_crc:
            raise NaswotError(f"{path}: record {number} has a bad length checksum: {fix}")
        (length,) = struct.unpack("<Q", length_bytes)
        if handle.tell() + length + 4 > size:  # checked before reading: a hostile length would ask for exabytes
            raise NaswotError(f"{path} ends inside record {number}: {fix}")
        data = handle.read(length)
        footer = handle.read(4)
        if len(data) < length or len(footer) < 4:
            raise NaswotError(f"{path} ends inside record {number}: {fix}")
        if (verify_all or number == 0) and masked_crc32c(data) != struct.unpack("<I", footer)[0]:
            raise NaswotError(f"{path}: record {number} has a bad data checksum: {fix}")
        yield data
        number += 1

