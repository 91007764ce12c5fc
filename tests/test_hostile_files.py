"""Hostile files for every reader: each is refused in one line (no traceback), and none can run code.

A pickle payload here creates a marker file when it is unpickled by pickle's rules, and a TorchScript one
when ``torch.jit.load`` restores it; ``assert_live`` shows first that the unsafe loader does run it. The
command under test must then refuse the file in one line, and the marker must not exist.
"""

import base64
import bz2
import contextlib
import hashlib
import io
import json
import os
import pickle
import shutil
import sqlite3
import struct
import subprocess
import sys
import tarfile
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from cli_runner import assert_one_line_error, naswot
from conftest import shared
from test_tables_nasbench101 import DIAMOND, DIAMOND_OPS, model_metrics, record, spec_masked_crc, write_tfrecord
from test_tables_nasbench201_official import meta_archs, save_pbz2

from naswot.errors import NaswotError
from naswot.learned_ensemble import LearnedEnsemble, fit_learned_ensemble
from naswot.tables import load_table

ARCH = "|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|"
SMALL = "nasbench201:C=8,N=1"
QUICK = ["--score", "params", "--data", "synthetic", "--store", ":memory:", "--quiet"]


class Payload:
    """Unpickled by pickle's rules, it creates the marker file (``open(marker, "w")``)."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self) -> tuple[Callable[..., object], tuple[str, str]]:
        return open, (self.marker, "w")


class ScriptPayload(torch.nn.Module):
    """A TorchScript module whose ``__setstate__`` writes the marker when ``torch.jit.load`` restores it."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.written = torch.zeros(4, dtype=torch.uint8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x

    @torch.jit.export
    def __getstate__(self) -> tuple[str, bool]:
        return (self.marker, self.training)

    @torch.jit.export
    def __setstate__(self, state: tuple[str, bool]) -> None:
        self.marker = state[0]
        self.training = state[1]
        written = torch.from_file(state[0], True, 4, dtype=torch.uint8)
        written.copy_(torch.tensor([111, 119, 110, 10], dtype=torch.uint8))
        self.written = written


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "OWNED"


@pytest.fixture(scope="module")
def cells(nb201_csv) -> list[str]:
    return meta_archs(load_table("nasbench201", nb201_csv))


def assert_live(marker: Path, unsafe_load: Callable[[], object]) -> None:
    """The payload is real: loading the file the unsafe way runs it (what the loader does next does not matter)."""
    with warnings.catch_warnings(), contextlib.suppress(Exception):
        warnings.simplefilter("ignore")  # torch.load's TorchScript dispatch warns; torch.jit.script is deprecated
        unsafe_load()
    assert marker.exists()
    marker.unlink()


def assert_refused(result: subprocess.CompletedProcess, marker: Path, *needles: str) -> None:
    assert_one_line_error(result, *needles)
    assert not marker.exists()


def score_with_table(table: Path, cwd: Path, space: str = SMALL) -> subprocess.CompletedProcess:
    return naswot("score", "--index", "0", "--space", space, "--benchmark", str(table), *QUICK, cwd=cwd)


# ---------------------------------------------------------------- NAS-Bench-201's .pth


def torchscript_pth(path: Path, marker: Path) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # torch.jit.script and save: what an attacker still has
        torch.jit.save(torch.jit.script(ScriptPayload(str(marker))), str(path))
    return path


def legacy_tar_pth(path: Path, marker: Path) -> Path:
    """torch's oldest format: a tar of 'storages', 'tensors' and 'pickle' members; torch.load unpickles 'storages' first."""
    with tarfile.open(path, "w") as tar:
        for name, data in (("storages", pickle.dumps(Payload(marker), protocol=2)), ("tensors", pickle.dumps(0)),
                           ("pickle", pickle.dumps({}))):
            member = tarfile.TarInfo(name)
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    return path


@pytest.mark.parametrize("form", ["zip", "legacy"])
def test_a_pth_whose_pickle_runs_code_is_refused(tmp_path, marker, form):
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    torch.save({"meta_archs": Payload(marker), "arch2infos": {}}, path, _use_new_zipfile_serialization=form == "zip")
    assert_live(marker, lambda: torch.load(path, weights_only=False))
    assert_refused(score_with_table(path, tmp_path), marker, "is not a readable torch.save file", "refers to", "open")


def test_a_torchscript_pth_is_refused_before_torch_reads_it(tmp_path, marker):
    path = torchscript_pth(tmp_path / "NAS-Bench-201-v1_1-096897.pth", marker)
    assert_live(marker, lambda: torch.load(path, weights_only=False))  # torch.load hands it to torch.jit.load
    assert_refused(score_with_table(path, tmp_path), marker, "is a TorchScript archive", "could run code: refused",
                   "--benchmark")


def test_a_tar_pth_is_refused_before_torch_unpacks_it(tmp_path, marker):
    path = legacy_tar_pth(tmp_path / "NAS-Bench-201-v1_1-096897.pth", marker)
    assert_live(marker, lambda: torch.load(path, weights_only=False))
    assert_refused(score_with_table(path, tmp_path), marker, "is a tar archive", "refused")


def test_a_zip_with_a_record_torch_save_does_not_write_is_refused(tmp_path, marker, cells):
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    torch.save({"meta_archs": cells, "arch2infos": {}}, path)
    prefix = zipfile.ZipFile(path).namelist()[0].split("/")[0]
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr(f"{prefix}/extra/run_me.py", "import os")
    assert_refused(score_with_table(path, tmp_path), marker, "a zip that is not torch.save's data",
                   "extra/run_me.py")


def test_a_search_over_an_official_table_without_results_says_so_and_names_no_budget(tmp_path, cells):
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    torch.save({"meta_archs": cells, "arch2infos": {}}, path)
    result = naswot("search", "--space", SMALL, "--benchmark", str(path), "--n", "5", *QUICK, cwd=tmp_path)
    assert_one_line_error(result, "nothing to evaluate")
    assert "budget" not in result.stderr


class PersistentIds(pickle.Pickler):
    """Writes the string "X" as a persistent id of a kind torch.save never writes."""

    def persistent_id(self, obj: object) -> object:
        return ("module", 1, 2) if obj == "X" else None


def test_a_zip_whose_pickle_names_an_unknown_persistent_id_is_one_line(tmp_path, marker):
    saved = tmp_path / "saved.pth"
    torch.save({"meta_archs": []}, saved)
    data = io.BytesIO()
    PersistentIds(data, protocol=2).dump({"meta_archs": "X"})
    path = tmp_path / "NAS-Bench-201-v1_1-096897.pth"
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w") as archive:
        for info in source.infolist():
            archive.writestr(info.filename, data.getvalue() if info.filename.endswith("/data.pkl") else source.read(info))
    assert_refused(score_with_table(path, tmp_path), marker, "is not a readable torch.save file", "persistent_load")


# ---------------------------------------------------------------- NATS-Bench's .pickle.pbz2 files and folders


def test_a_nats_file_whose_pickle_runs_code_is_refused(tmp_path, marker):
    path = save_pbz2(tmp_path / "NATS-tss-v1_0-3ffb9.pickle.pbz2", {"meta_archs": Payload(marker)})
    assert_live(marker, lambda: pickle.load(bz2.open(path)))
    assert_refused(score_with_table(path, tmp_path), marker, "is not a NATS-Bench pickle", "refers to")


@pytest.mark.parametrize("hostile", ["meta", "entry"])
def test_a_nats_folder_with_a_pickle_that_runs_code_is_refused(tmp_path, marker, cells, hostile):
    """The folder's meta file is read when it opens; a cell's file when that cell's accuracy is asked for."""
    folder = tmp_path / "NATS-tss-v1_0-3ffb9-simple"
    folder.mkdir()
    meta = {"meta_archs": Payload(marker) if hostile == "meta" else cells, "total_archs": 15625, "arch2infos": None,
            "evaluated_indexes": set()}
    save_pbz2(folder / "meta.pickle.pbz2", meta)
    save_pbz2(folder / "000000.pickle.pbz2", {"200": Payload(marker)})
    assert_live(marker, lambda: pickle.load(bz2.open(folder / f"{'meta' if hostile == 'meta' else '000000'}.pickle.pbz2")))
    name = "meta.pickle.pbz2" if hostile == "meta" else "000000.pickle.pbz2"
    assert_refused(score_with_table(folder, tmp_path), marker, f"{name} is not a NATS-Bench pickle", "refers to")


# ---------------------------------------------------------------- CIFAR and ImageNet16 batches


@pytest.mark.parametrize("data, folder, name", [
    ("cifar10", "cifar-10-batches-py", "test_batch"),
    ("cifar100", "cifar-100-python", "test"),
    ("ImageNet16-120", "ImageNet16", "val_data"),
])
def test_a_batch_file_whose_pickle_runs_code_is_refused(tmp_path, marker, data, folder, name):
    root = tmp_path / folder
    root.mkdir()
    batch = root / name
    batch.write_bytes(pickle.dumps({b"data": Payload(marker), b"labels": [0], b"fine_labels": [0]}, protocol=2))
    assert_live(marker, lambda: pickle.loads(batch.read_bytes(), encoding="bytes"))
    result = naswot("score", "--space", SMALL, "--score", "params", "--data", data, "--data-root", str(root), "--split",
                    "test", "--store", ":memory:", "--quiet", ARCH, cwd=tmp_path)
    assert_refused(result, marker, f"{name} is truncated or not a python pickle of the official arrays", "refers to",
                   "--data-root")


def real_batch(cifar10_root: Path, count: int = 64) -> dict[bytes, object]:
    with open(cifar10_root / "data_batch_1", "rb") as handle:
        content = pickle.load(handle, encoding="bytes")  # the shared data: trusted
    return {b"data": content[b"data"][:count], b"labels": content[b"labels"][:count]}


@pytest.mark.parametrize("labels, problem", [
    ([f"class {i % 10}" for i in range(64)], "holds labels that are not whole numbers"),
    ([[1, 2]] * 32 + [[1]] * 32, "holds labels that are not whole numbers"),
    (np.full(64, 0.5), "holds labels that are not whole numbers"),
    (list(range(63)), "holds 63 labels for 64 images"),
])
def test_cifar_labels_that_are_not_whole_numbers_are_one_line(tmp_path, cifar10_root, labels, problem):
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    (root / "test_batch").write_bytes(pickle.dumps({**real_batch(cifar10_root), b"labels": labels}, protocol=2))
    result = naswot("score", "--space", SMALL, "--score", "params", "--data", "cifar10", "--data-root", str(root),
                    "--split", "test", "--batch-size", "16", "--store", ":memory:", "--quiet", ARCH, cwd=tmp_path)
    assert_one_line_error(result, problem, "--data-root")


def test_a_batch_file_with_real_images_still_reads(tmp_path, cifar10_root):
    """The allow-list holds what the official files need: a copy of real images with whole-number labels scores."""
    root = tmp_path / "cifar-10-batches-py"
    root.mkdir()
    (root / "test_batch").write_bytes(pickle.dumps(real_batch(cifar10_root), protocol=2))
    result = naswot("score", "--space", SMALL, "--score", "params", "--data", "cifar10", "--data-root", str(root),
                    "--split", "test", "--batch-size", "16", "--store", ":memory:", "--quiet", ARCH, cwd=tmp_path)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- NAS-Bench-101 and NDS files


def frame(data: bytes, length: int | None = None) -> bytes:
    """One TFRecord record; ``length`` states another length than the data's (with a valid checksum)."""
    header = struct.pack("<Q", len(data) if length is None else length)
    return header + spec_masked_crc(header) + data + spec_masked_crc(data)


def entry(key: object = "h", adjacency: object = "0110", operations: object = "input,output") -> bytes:
    """A record with real metrics (108 epochs) around the given fields."""
    return json.dumps([key, 108, adjacency, operations, base64.b64encode(model_metrics(0.9, 0.9)).decode()]).encode()


@pytest.mark.parametrize("content, problem", [
    (frame(b"{}", length=2**62), "ends inside record 0"),  # a stated length past the end, not a 4 EiB read
    (frame(entry(adjacency=5)), "record 0 is not a NAS-Bench-101 entry"),
    (frame(entry(key=["h"])), "record 0 is not a NAS-Bench-101 entry"),
    (frame(entry(operations={"a": 1})), "record 0 is not a NAS-Bench-101 entry"),
    (frame(b"[" * 100_000 + b"]" * 100_000), "record 0 is not a NAS-Bench-101 entry"),
    (b"\x00" * 11, "ends inside the header of record 0"),
], ids=["huge-length", "adjacency-int", "key-list", "operations-dict", "deep-json", "short-header"])
def test_a_hostile_nasbench101_tfrecord_is_one_line(tmp_path, content, problem):
    path = tmp_path / "nasbench_only108.tfrecord"
    path.write_bytes(content)
    assert_one_line_error(score_with_table(path, tmp_path, space="nasbench101"), problem)


def test_nasbench101_records_after_a_good_one_are_checked_too(tmp_path):
    path = write_tfrecord(tmp_path / "nasbench_only108.tfrecord", [record(DIAMOND, DIAMOND_OPS, 108, 0.9, 0.9)])
    path.write_bytes(path.read_bytes() + frame(entry(operations=7)))
    assert_one_line_error(score_with_table(path, tmp_path, space="nasbench101"), "record 1 is not a NAS-Bench-101 entry")


@pytest.mark.parametrize("name, content, problem", [
    ("DARTS.json", b"[" * 100_000 + b"]" * 100_000, "is not readable JSON"),
    ("DARTS.json", b"\xff\xfe\x00binary", "is not readable JSON"),
    ("nasbench101_sample_1k.json", b"[" * 100_000 + b"]" * 100_000, "is not readable JSON"),
], ids=["nds-deep", "nds-binary", "nb101-sample-deep"])
def test_hostile_json_tables_are_one_line(tmp_path, name, content, problem):
    path = tmp_path / name
    path.write_bytes(content)
    space = "nds:space=DARTS" if name.startswith("DARTS") else "nasbench101"
    assert_one_line_error(score_with_table(path, tmp_path, space=space), problem)


@pytest.mark.parametrize("body, problem", [
    (b"\xff\xfe\n", "is not a readable CSV file"),
    (b"x" * 200_000 + b"\n", "is not a readable CSV file"),
], ids=["binary", "huge-field"])
def test_a_hostile_nasbench201_csv_is_one_line(tmp_path, nb201_csv, body, problem):
    path = tmp_path / "nasbench201_accuracies.csv"
    with open(nb201_csv, "rb") as handle:
        path.write_bytes(handle.readline() + body)  # the real header, then a hostile row
    assert_one_line_error(score_with_table(path, tmp_path), problem, "--benchmark")


# ---------------------------------------------------------------- architecture lists


def test_score_file_that_is_binary_is_one_line(tmp_path):
    (tmp_path / "archs.txt").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00")
    result = naswot("score", "--space", SMALL, "--file", "archs.txt", *QUICK, cwd=tmp_path)
    assert_one_line_error(result, "archs.txt is not a text file", "--file")


# ---------------------------------------------------------------- stores and report inputs


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def other_program_database(path: Path, results_columns: str | None = None) -> Path:
    """Another program's SQLite file in its default (rollback journal) mode, optionally with a 'results' table."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE people (name TEXT, age INTEGER)")
        db.execute("INSERT INTO people VALUES ('ada', 36)")
        if results_columns:
            db.execute(f"CREATE TABLE results ({results_columns})")
            db.execute("CREATE TRIGGER stamp AFTER INSERT ON results BEGIN INSERT INTO people VALUES ('x', 0); END")
    db.close()
    return path


@pytest.mark.parametrize("results_columns", [None, "arch TEXT, value REAL"])
def test_results_and_report_on_another_programs_database_change_nothing(tmp_path, results_columns):
    path = other_program_database(tmp_path / "app.db", results_columns)
    before = sha256(path)
    listing = naswot("results", "--store", str(path), cwd=tmp_path)
    assert_one_line_error(listing, "another program's database", "--store")
    report = naswot("report", str(path), "--out", "page.html", cwd=tmp_path)
    assert "Traceback" not in report.stderr
    if report.returncode == 0:  # the page says why the store cannot be shown
        assert "another program" in (tmp_path / "page.html").read_text()
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("app.db")) == ["app.db"]  # no -wal, no -shm
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """A real store of one result."""
    folder = tmp_path_factory.mktemp("store")
    result = naswot("score", "--space", SMALL, "--score", "params", "--data", "synthetic", "--store", "s.db", "--quiet", ARCH,
                    cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder / "s.db"


@pytest.mark.parametrize("change, column", [
    ("value = 'abc'", "value is str 'abc'"),
    ("seed = 'x'", "seed is str 'x'"),
    ("arch = x'fffe00'", "arch is bytes"),
    ("created = 'yesterday'", "created is str 'yesterday'"),
])
def test_a_store_row_of_types_naswot_never_writes_is_one_line(tmp_path, store, change, column):
    path = tmp_path / "s.db"
    shutil.copy(store, path)
    with sqlite3.connect(path) as db:
        db.execute(f"UPDATE results SET {change}")
    db.close()
    before = sha256(path)
    assert_one_line_error(naswot("results", "--store", str(path), cwd=tmp_path), f"has a row whose {column}",
                          "pass --store another file")
    report = naswot("report", str(path), "--out", "page.html", cwd=tmp_path)
    assert report.returncode == 0 and "Traceback" not in report.stderr, report.stderr
    problem = f"s.db could not be shown: {path} has a row whose {column}".replace("'", "&#x27;")
    assert problem in (tmp_path / "page.html").read_text()
    assert sha256(path) == before


def test_a_run_that_would_reuse_a_row_of_another_type_is_one_line(tmp_path, store):
    path = tmp_path / "s.db"
    shutil.copy(store, path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE results SET value = 'abc'")
    db.close()
    result = naswot("score", "--space", SMALL, "--score", "params", "--data", "synthetic", "--store", str(path), "--quiet",
                    ARCH, cwd=tmp_path)
    assert_one_line_error(result, "has a row whose value is str 'abc'")


def test_a_store_whose_settings_nest_too_deeply_is_listed(tmp_path, store):
    path = tmp_path / "s.db"
    shutil.copy(store, path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE results SET settings = ?", ("[" * 100_000 + "]" * 100_000,))
    db.close()
    result = naswot("results", "--store", str(path), "--csv", "rows.csv", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def _as_unprivileged(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """``command`` where file modes hold: root writes through them, except in a user namespace of its own."""
    prefix = []
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without `unshare`: a read-only file cannot be made here")
        prefix = ["unshare", "--user"]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "src"))
    return subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120, env=env, cwd=cwd)


def test_a_read_only_store_in_a_read_only_folder_is_listed(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir()
    result = naswot("score", "--space", SMALL, "--score", "params", "--data", "synthetic", "--store", str(folder / "s.db"),
                    "--quiet", ARCH, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    before = sha256(folder / "s.db")
    (folder / "s.db").chmod(0o444)
    folder.chmod(0o555)
    try:
        listing = _as_unprivileged([sys.executable, "-m", "naswot", "results", "--store", str(folder / "s.db")], tmp_path)
    finally:
        folder.chmod(0o755)
    assert listing.returncode == 0 and "1 results in 1 group(s)" in listing.stdout, listing.stderr
    assert sha256(folder / "s.db") == before and [p.name for p in folder.iterdir()] == ["s.db"]


def test_a_report_folder_with_a_csv_of_one_huge_field_is_shown_as_a_problem(tmp_path):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "scores.json").write_text(json.dumps({"command": "score", "results": [{"arch": ARCH, "naswot": 1.0}]}))
    (folder / "rows.csv").write_text("arch,naswot\n" + "x" * 200_000 + ",1\n")
    result = naswot("report", str(folder), "--out", "page.html", cwd=tmp_path)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert "rows.csv could not be shown: field larger than field limit" in (tmp_path / "page.html").read_text()


@pytest.mark.parametrize("content", [b"\xff\xfe", b"[" * 100_000 + b"]" * 100_000, b'{"ranking": {"n": 200}}',
                                     b'{"ranking": {"n": "many", "scores": {}}}'], ids=["binary", "deep", "no-scores", "text-n"])
def test_reproduce_refuses_an_llo_json_that_is_not_benchmarks_llo_results_before_any_work(tmp_path, content):
    (tmp_path / "llo.json").write_bytes(content)
    result = naswot("reproduce", "thesis-table5.1", "--llo-json", "llo.json", "--out", str(tmp_path / "out"), "--shared",
                    str(shared(".")), "--store", ":memory:", cwd=tmp_path)
    assert_one_line_error(result, "llo.json is not benchmarks.llo's results", "--llo-json")


def test_benchmarks_llo_results_are_read(tmp_path):
    from naswot.reproduce.thesis_table5_1 import VARIANTS, read_ranking

    taus = {variant: (None if i == 0 else 0.1 * i) for i, variant in enumerate(VARIANTS)}  # a tau may be undefined
    scores = {variant: {"kendall_tau": tau, "spearman": 0.0} for variant, tau in taus.items()}
    (tmp_path / "llo.json").write_text(json.dumps({"ranking": {"n": 200, "scores": scores}}))
    assert read_ranking(tmp_path / "llo.json") == (taus, 200)


# ---------------------------------------------------------------- learned-ensemble files


def test_a_learned_ensemble_pickle_that_runs_code_is_refused(tmp_path, marker):
    path = tmp_path / "learned.pkl"
    path.write_bytes(pickle.dumps({"format": "naswot-learned-ensemble/1", "model": Payload(marker)}))
    assert_live(marker, lambda: pickle.loads(path.read_bytes()))
    with pytest.raises(NaswotError, match="is not a naswot learned-ensemble file .*were pickles: refit and save again"):
        LearnedEnsemble.load(path)
    assert not marker.exists()


def test_a_learned_ensemble_file_is_json_and_a_tampered_one_is_refused(tmp_path):
    rng = np.random.default_rng(0)
    scores = {"a": rng.normal(size=40), "b": rng.normal(size=40)}
    fitted = fit_learned_ensemble(scores, scores["a"] + 0.1 * rng.normal(size=40), dataset="toy", seed=0)
    fitted.save(tmp_path / "learned.json")
    content = json.loads((tmp_path / "learned.json").read_text())
    assert content["labelled"] == 40 and len(content["features"]) == 40 and content["score_names"] == ["a", "b"]
    for change, problem in [({"settings": {**content["settings"], "max_iter": 10**9}}, "is not a fit this version makes"),
                            ({"accuracies": content["accuracies"][:-1]}, "40 rows of scores and 39 accuracies"),
                            ({"features": "x"}, "damaged learned-ensemble file")]:
        (tmp_path / "tampered.json").write_text(json.dumps({**content, **change}))
        with pytest.raises(NaswotError, match=problem) as caught:
            LearnedEnsemble.load(tmp_path / "tampered.json")
        assert "\n" not in str(caught.value)
