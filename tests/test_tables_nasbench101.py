"""NAS-Bench-101 readers: a TFRecord written here in the official layout, and the project's sample."""

from __future__ import annotations

import base64
import json
import struct
from pathlib import Path

import numpy as np
import pytest

from naswot.errors import NaswotError
from naswot.spaces import get_space
from naswot.spaces.nasbench101 import make_cell, module_hash
from naswot.tables import load_table
from naswot.tables.tfrecord import crc32c

DIAMOND = np.array([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]])
CHAIN = np.array([[0, 1, 0], [0, 0, 1], [0, 0, 0]])


# ---- writers of the official layout, from the format's specification (not from the reader)

def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def double_field(number: int, value: float) -> bytes:
    return varint(number << 3 | 1) + struct.pack("<d", value)


def message_field(number: int, payload: bytes) -> bytes:
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def model_metrics(final_valid: float, final_test: float, params: int = 1234) -> bytes:
    """A ModelMetrics message: evaluations at step 0, halfway and the end (the API reads index 2)."""
    evaluations = b""
    for epoch, valid, test in ((0, 0.1, 0.1), (54, 0.5, 0.5), (108, final_valid, final_test)):
        data = (double_field(1, epoch) + double_field(2, 10.0 * epoch) + double_field(3, 0.9)
                + double_field(4, valid) + double_field(5, test) + message_field(6, b"/ckpt/model.ckpt"))
        evaluations += message_field(1, data)
    return evaluations + varint(2 << 3 | 0) + varint(params) + double_field(3, 99.5)


def record(matrix: np.ndarray, ops: list[str], epochs: int, valid: float, test: float, key: str | None = None) -> bytes:
    key = key or module_hash(make_cell(matrix, ops))
    bits = "".join(str(int(b)) for b in matrix.flatten())
    metrics = base64.b64encode(model_metrics(valid, test)).decode()
    return json.dumps([key, epochs, bits, ",".join(ops), metrics]).encode()


def bitwise_crc32c(data: bytes) -> int:
    """CRC-32C one bit at a time, from its definition (reflected polynomial 0x82F63B78), not the reader's table."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 * (crc & 1))
    return crc ^ 0xFFFFFFFF


def spec_masked_crc(data: bytes) -> bytes:
    """TFRecord's masked CRC, as its format documentation writes it: ((crc >> 15) | (crc << 17)) + 0xa282ead8."""
    crc = bitwise_crc32c(data)
    return struct.pack("<I", (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF)


def write_tfrecord(path: Path, records: list[bytes]) -> Path:
    with path.open("wb") as handle:
        for data in records:
            length = struct.pack("<Q", len(data))
            handle.write(length + spec_masked_crc(length) + data + spec_masked_crc(data))
    return path


DIAMOND_OPS = ["input", "conv3x3-bn-relu", "maxpool3x3", "output"]
CHAIN_OPS = ["input", "conv1x1-bn-relu", "output"]


@pytest.fixture
def tfrecord(tmp_path: Path) -> Path:
    return write_tfrecord(tmp_path / "nasbench_only108.tfrecord", [
        record(DIAMOND, DIAMOND_OPS, 108, 0.90, 0.89),
        record(DIAMOND, DIAMOND_OPS, 108, 0.92, 0.91),
        record(DIAMOND, DIAMOND_OPS, 108, 0.94, 0.90),
        record(DIAMOND, DIAMOND_OPS, 4, 0.20, 0.20),
        record(CHAIN, CHAIN_OPS, 108, 0.80, 0.81),
    ])


def test_both_crc32c_implementations_have_the_published_check_value():
    # the check value of CRC-32C (RFC 3720's iSCSI CRC; the "check" of the CRC catalogue) for b"123456789"
    assert crc32c(b"123456789") == 0xE3069283
    assert bitwise_crc32c(b"123456789") == 0xE3069283


def test_the_tfrecord_reader_averages_the_108_epoch_repeats(tfrecord):
    table = load_table("nasbench101", tfrecord)
    assert table.datasets == ("cifar10-valid", "cifar10-test")
    diamond = make_cell(DIAMOND, DIAMOND_OPS)
    assert table.lookup(diamond, "cifar10-valid") == pytest.approx(92.0)
    assert table.lookup(diamond, "cifar10-test") == pytest.approx(90.0)
    assert table.lookup(make_cell(CHAIN, CHAIN_OPS), "cifar10-test") == pytest.approx(81.0)
    assert table.lookup(make_cell(CHAIN, ["input", "conv3x3", "output"]), "cifar10-valid") is None
    assert sorted(map(str, table.archs())) == sorted([str(diamond), str(make_cell(CHAIN, CHAIN_OPS))])


def test_a_cell_is_found_under_any_isomorphic_form(tfrecord):
    table = load_table("nasbench101", tfrecord)
    swapped = get_space("nasbench101").parse("maxpool3x3,conv3x3|0-1,0-2,1-3,2-3")
    assert table.lookup(swapped, "cifar10-valid") == pytest.approx(92.0)


@pytest.mark.parametrize("damage, problem", [
    (lambda b: b[:8] + bytes([b[8] ^ 1]) + b[9:], "bad length checksum"),
    (lambda b: b[:20] + bytes([b[20] ^ 1]) + b[21:], "bad data checksum"),
    (lambda b: b[:-3], "ends inside record"),
    (lambda b: b + b"\x01\x02", "ends inside the header"),
])
def test_a_damaged_file_is_one_line(tfrecord, damage, problem):
    tfrecord.write_bytes(damage(tfrecord.read_bytes()))
    with pytest.raises(NaswotError, match=problem):
        load_table("nasbench101", tfrecord)


@pytest.mark.parametrize("records, problem", [
    ([b"not json"], "not a NAS-Bench-101 entry"),
    ([json.dumps(["h", 108, "0110", "input,output", "!!"]).encode()], "not a NAS-Bench-101 entry"),
    ([record(DIAMOND, DIAMOND_OPS, 36, 0.5, 0.5)], "no 108-epoch runs"),
    ([record(DIAMOND, DIAMOND_OPS, 108, 0.5, 0.5, key="0" * 32)], "does not have its stated hash"),
])
def test_records_that_are_not_nas_bench_101_are_one_line(tmp_path, records, problem):
    with pytest.raises(NaswotError, match=problem):
        load_table("nasbench101", write_tfrecord(tmp_path / "x.tfrecord", records))


def test_the_sample_reader_gives_validation_accuracy_in_percent(nb101_json):
    table = load_table("nasbench101", nb101_json)
    data = json.loads(nb101_json.read_text())
    cells = table.archs()
    assert len(cells) == 1000 and table.datasets == ("cifar10-valid",)
    for i in (0, 499, 999):
        assert module_hash(cells[i]) == data["key"][i]
        assert table.lookup(cells[i], "cifar10-valid") == pytest.approx(100 * data["108_final_validation_accuracy"][i])


@pytest.mark.parametrize("edit, problem", [
    (lambda d: d.pop("key"), "lacks the column"),
    (lambda d: d["key"].pop(), "different lengths"),
    (lambda d: d["operations"].__setitem__(0, [-1, 7, 0, 0, 0, 1, -2]), "op codes"),
    (lambda d: d["operations"].__setitem__(0, [0, 0, 2, 0, 0, 1, -2]), "start with the input"),
])
def test_a_malformed_sample_is_one_line(tmp_path, nb101_json, edit, problem):
    data = json.loads(nb101_json.read_text())
    edit(data)
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(data))
    with pytest.raises(NaswotError, match=problem):
        load_table("nasbench101", path)


def test_other_files_are_refused(tmp_path):
    (tmp_path / "table.csv").write_text("a,b\n")
    with pytest.raises(NaswotError, match="neither a NAS-Bench-101 .tfrecord nor a .json"):
        load_table("nasbench101", tmp_path / "table.csv")
    with pytest.raises(NaswotError, match="missing"):
        load_table("nasbench101", tmp_path / "none.tfrecord")
