"""What every reproduction item shares: its settings, the "ours vs paper" row, and writing markdown + JSON.

Each item quotes the seed documents' numbers verbatim (``Quoted.text``) and names the seed file they
come from, so a reader can find every yardstick; the number parsed from that text is what our value
is compared with.
"""

from __future__ import annotations

import json
import math
import os
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from naswot.compute import Compute
from naswot.errors import NaswotError
from naswot.outputs import json_safe
from naswot.store import Store

V1_PAPER = "004_92e9c385aa2791d5.txt"
V2_PAPER = "002_e7fd5427f94120fa.txt"
THESIS = "003_01057bc174d2c3af.txt"
GPU_NOTE = "The papers' times are GPU seconds (v1: one GTX 1080 Ti); ours are CPU seconds of scoring on one thread here."
IMAGES_NOTE = ("All scores use CIFAR-10 training images (no ImageNet16-120 images exist here): the CIFAR-100 and "
               "ImageNet16-120 columns rank the same scores against those data sets' accuracies.")


@dataclass(frozen=True)
class Quoted:
    """A number as the seed prints it (``text``, e.g. ``91.53±1.62``), and the seed file it is quoted from."""

    text: str
    seed: str

    @property
    def value(self) -> float | None:
        """The leading number of the quote (the mean of ``mean±std``); None for a quoted claim without one."""
        match = re.match(r"\s*([-+]?\d+(?:\.\d+)?)", self.text.replace("−", "-"))
        return float(match.group(1)) if match else None


@dataclass(frozen=True)
class Row:
    """One line of a reproduced table: our number beside the seed's, and what they measure."""

    label: str
    column: str
    ours: float | None
    ours_std: float | None = None
    paper: Quoted | None = None
    note: str = ""

    @property
    def difference(self) -> float | None:
        """Ours minus the paper's (None when either is missing or ours is undefined)."""
        paper = self.paper.value if self.paper is not None else None
        if self.ours is None or paper is None or not math.isfinite(self.ours):
            return None
        return self.ours - paper

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "difference": self.difference}


@dataclass
class ItemResult:
    """What one reproduction item measured: its rows, notes on how, and the figures it drew."""

    name: str
    title: str
    quick: bool
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    figures: list[Path] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    """Item-specific data behind the rows (pools, per-network values), written to the JSON only."""
    outputs: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Settings:
    """Where the inputs are, where results go, and how much work to do."""

    cifar10: Path
    """The CIFAR-10 batches folder (``cifar-10-batches-py``)."""
    nasbench201: Path
    """NAS-Bench-201's trained-accuracy table."""
    nasbench101: Path
    """The NAS-Bench-101 cells with their accuracies (the v2-nb101 item)."""
    out: Path
    store: Store
    quick: bool = False
    compute: Compute = Compute()
    llo_json: Path | None = None
    """benchmarks.llo's results, whose 200-cell ranking the thesis item reuses instead of recomputing."""

    @classmethod
    def from_shared(cls, shared: Path, out: Path, store: Store, **options: Any) -> Settings:
        """The inputs as the project's shared data folder lays them out."""
        return cls(shared / "cifar-10-batches-py", shared / "nasbench201_accuracies.csv",
                   shared / "nasbench101_sample_1k.json", out, store, **options)

    def check(self) -> None:
        """Refuse before any work: missing inputs, an output folder that cannot be written."""
        for path, parameter in ((self.cifar10, "data_root"), (self.nasbench201, "benchmark"),
                                (self.nasbench101, "nb101_benchmark")):
            if not path.exists():
                raise NaswotError(f"{path} is missing: pass {parameter}= its path (or shared=DIR, the folder that "
                                  "holds the project's shared data)")
        if self.llo_json is not None and not self.llo_json.is_file():
            raise NaswotError(f"{self.llo_json} is not a file: pass llo_json= the benchmarks' llo.json, or leave it out")
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NaswotError(f"cannot create the output folder {self.out} ({exc.strerror}): choose another out=") from None
        if not os.access(self.out, os.W_OK):
            raise NaswotError(f"the output folder {self.out} is not writable: choose another out=")


def fmt(value: float | None, std: float | None = None, digits: int = 2) -> str:
    if value is None:
        return "—"
    if not math.isfinite(value):
        return "-inf"
    text = f"{value:.{digits}f}"
    return text + (f" ± {std:.{digits}f}" if std is not None else "")


def markdown(result: ItemResult) -> str:
    """The item as a markdown page: the table of rows, the notes, and the figures."""
    lines = [f"# {result.title}" + (" (quick run: reduced, not comparable)" if result.quick else ""), "",
             "| row | column | ours | paper (quoted) | seed file | ours − paper | note |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in result.rows:
        digits = 4 if row.ours is not None and abs(row.ours) < 1 and row.ours != 0 else 2
        paper = row.paper.text if row.paper else "—"
        seed = f"`{row.paper.seed}`" if row.paper else ""
        lines.append(f"| {row.label} | {row.column} | {fmt(row.ours, row.ours_std, digits)} | {paper} | {seed} | "
                     f"{fmt(row.difference, digits=digits)} | {row.note} |")
    lines += [""] + [f"- {note}" for note in result.notes]
    lines += [""] + [f"![{path.stem}]({path.name})" for path in result.figures]
    return "\n".join(lines) + "\n"


def write_result(result: ItemResult, out: Path) -> ItemResult:
    """Write ``<name>.md`` and ``<name>.json`` beside the item's PNGs; record every path written."""
    stem = result.name.replace(".", "_")
    md_path, json_path = out / f"{stem}.md", out / f"{stem}.json"
    md_path.write_text(markdown(result))
    payload = {"command": "reproduce", "name": result.name, "title": result.title, "quick": result.quick, "notes": result.notes,
               "rows": [row.to_json() for row in result.rows], "figures": [p.name for p in result.figures],
               "details": result.details}
    json_path.write_text(json.dumps(json_safe(payload), indent=2, default=str, allow_nan=False) + "\n")
    result.outputs = [md_path, json_path, *result.figures]
    return result

