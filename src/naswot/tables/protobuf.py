"""Just enough of the protocol-buffer wire format to read NAS-Bench-101's ``ModelMetrics`` messages.

A message is a sequence of fields, each a varint key (field number << 3 | wire type) and a value:
type 0 a varint, 1 eight bytes, 2 a varint length and that many bytes, 5 four bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

WireValue = int | bytes


class WireFormatError(ValueError):
    """The bytes are not a valid protocol-buffer message."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise WireFormatError("a varint runs past the end of the message")
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise WireFormatError("a varint is longer than 10 bytes")


def fields(data: bytes) -> Iterator[tuple[int, int, WireValue]]:
    """(field number, wire type, raw value) for every field of the message ``data``."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = _varint(data, pos)
            yield number, wire_type, value
            continue
        size = {1: 8, 5: 4}.get(wire_type)
        if wire_type == 2:
            size, pos = _varint(data, pos)
        if size is None:
            raise WireFormatError(f"field {number} has unsupported wire type {wire_type}")
        if pos + size > len(data):
            raise WireFormatError(f"field {number} runs past the end of the message")
        yield number, wire_type, data[pos : pos + size]
        pos += size


def as_double(value: WireValue) -> float:
    if not isinstance(value, bytes) or len(value) != 8:
        raise WireFormatError("a double field is not 8 bytes")
    return struct.unpack("<d", value)[0]
