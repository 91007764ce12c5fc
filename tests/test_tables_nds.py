"""NDS reader: files written here in the NDS data layout."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from naswot.errors import NaswotError
from naswot.spaces import get_space
from naswot.tables import load_table


def nds_entries(space: str, n: int, seed: int = 0) -> list[dict]:
    """``n`` networks of an NDS space as the data files hold them, with made-up training curves."""
    sampler = get_space(f"nds:space={space}")
    rng = np.random.default_rng(seed)
    entries = []
    for i in range(n):
        net = json.loads(str(sampler.sample(rng)))
        entries.append({"net": {**net, "aux": False, "drop_prob": 0.0}, "test_ep_top1": [60.0, 30.0, 10.0 + i],
                        "params": 0.5, "flops": 100.0})
    return entries


def write(path: Path, data) -> Path:
    path.write_text(json.dumps(data))
    return path


def test_accuracy_is_100_minus_the_last_test_error(tmp_path):
    entries = nds_entries("ENAS", 4)
    table = load_table("nds", write(tmp_path / "ENAS.json", entries))
    archs = table.archs()
    assert len(archs) == 4 and table.datasets == ("cifar10",)
    assert [table.lookup(a, "cifar10") for a in archs] == [90.0, 89.0, 88.0, 87.0]
    assert archs[0] == get_space("nds:space=ENAS").parse(json.dumps(entries[0]["net"]))


def test_top_and_mid_lists_are_read_together(tmp_path):
    entries = nds_entries("PNAS", 5)
    table = load_table("nds", write(tmp_path / "PNAS.json", {"top": entries[:2], "mid": entries[2:]}))
    assert len(table.archs()) == 5


@pytest.mark.parametrize("file_name, space", [("Amoeba.json", "Amoeba"), ("ENAS_fix-w-d.json", "ENAS"), ("mine.json", "ENAS")])
def test_the_space_comes_from_the_file_name_or_the_ops_used(tmp_path, file_name, space):
    """ENAS' ops are a subset of others', so an unnamed file of ENAS cells is taken as ENAS."""
    source = "Amoeba" if space == "Amoeba" else "ENAS"
    table = load_table("nds", write(tmp_path / file_name, nds_entries(source, 3)))
    assert table.space().space == space


@pytest.mark.parametrize("data, problem", [
    ({"other": []}, "no list of networks"),
    ({"top": 3}, "no list of networks"),
    ([{"net": {}}], "lacks 'net' or 'test_ep_top1'"),
    ([{"net": {"genotype": {}}, "test_ep_top1": [1.0]}], "network 0: not an NDS network"),
    ([{**nds_entries("DARTS", 1)[0], "test_ep_top1": []}], "no final test error"),
])
def test_malformed_files_are_one_line(tmp_path, data, problem):
    with pytest.raises(NaswotError, match=problem):
        load_table("nds", write(tmp_path / "DARTS.json", data))


def test_unreadable_json_is_one_line(tmp_path):
    (tmp_path / "DARTS.json").write_text("{")
    with pytest.raises(NaswotError, match="not readable JSON"):
        load_table("nds", tmp_path / "DARTS.json")
