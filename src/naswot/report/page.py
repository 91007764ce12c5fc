"""``naswot report``: one self-contained HTML page from a run folder or a result store.

A run folder holds what naswot commands wrote (JSON, CSV, PNG, markdown, stores); files sharing a
name (``item.json``, ``item.png``, ``item.md``) form one section. A store is shown as its results
listing, one group per space, score, data fingerprint, seed and settings, each with a histogram.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import naswot
from naswot.errors import NaswotError
from naswot.outputs import check_writable
from naswot.report.figures import histogram_png
from naswot.report.html import Fragment, heading, image, join, key_value_table, page, preformatted, records_table, text
from naswot.report.json_view import render_document, render_records
from naswot.results import ResultGroup, list_results
from naswot.store import is_sqlite_file

_STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_SHOWN_SUFFIXES = (".json", ".png", ".csv", ".md", *_STORE_SUFFIXES)
"""What a section shows, in this order: settings and tables first, then pictures, rows, the markdown source."""
_STORE_ROWS = 20
_RUN_KEYS = ("command", "strategy", "space", "score", "data", "seed", "dataset", "n")


@dataclass(frozen=True)
class Report:
    """Where the page went and what it holds."""

    path: Path
    source: Path
    kind: str
    sections: int
    tables: int
    images: int
    not_shown: list[str] = field(default_factory=list)


def write_report(source: str | Path, out: str | Path) -> Report:
    """Render ``source`` (a run folder or a store) into the single HTML file ``out``."""
    out = check_writable(out, "out")
    source = Path(source).expanduser()
    if source.is_dir():
        kind, title, intro, sections, not_shown = "run folder", f"naswot run {source.name}", *_run_folder(source, out)
    elif is_sqlite_file(source):
        kind, title, not_shown = "store", f"naswot store {source.name}", []
        intro, sections = _store(source, level=2)
    else:
        raise NaswotError(_not_a_run(source))
    facts = {"source": str(source.resolve()), "kind": kind, "written": _now(), "naswot": naswot.__version__}
    intro = key_value_table(facts) + intro
    contents = [(anchor, name) for anchor, name, _ in sections]
    document = page(title, intro, contents, join([body for _, _, body in sections]))
    out.write_text(document.html, encoding="utf-8")
    return Report(out.resolve(), source, kind, len(sections), document.tables, document.images, not_shown)


def _not_a_run(source: Path) -> str:
    if not source.exists():
        return f"{source} does not exist: pass a run folder (what --json/--out wrote) or a store file (--store)"
    return f"{source} is neither a run folder nor a naswot store: pass the folder given to --json/--out or the --store file"


# ---------------------------------------------------------------- run folders


def _run_folder(folder: Path, out: Path) -> tuple[Fragment, list[tuple[str, str, Fragment]], list[str]]:
    files = sorted(path for path in folder.rglob("*") if path.is_file() and path.resolve() != out.resolve())
    shown = [path for path in files if path.suffix.lower() in _SHOWN_SUFFIXES]
    if not shown:
        raise NaswotError(f"{folder} holds no naswot results (no .json, .csv, .png or store): "
                          "pass the folder given to --json/--out, or a --store file")
    items: dict[str, list[Path]] = {}
    for path in sorted(shown, key=lambda path: (path.with_suffix(""), _SHOWN_SUFFIXES.index(path.suffix.lower()))):
        items.setdefault(str(path.relative_to(folder).with_suffix("")), []).append(path)
    sections = []
    for index, (stem, paths) in enumerate(items.items()):
        name = str(paths[0].relative_to(folder)) if len(paths) == 1 else f"{stem} ({', '.join(p.suffix[1:] for p in paths)})"
        body = join([_file(path, titled=len(paths) > 1) for path in paths])
        sections.append((_anchor(index, stem), name, heading(name, 2, _anchor(index, stem)) + body))
    not_shown = [str(path.relative_to(folder)) for path in files
                 if path not in shown and not path.name.endswith(("-wal", "-shm"))]
    intro = _runs_overview(folder, shown)
    if not_shown:
        intro += text(f"not shown: {', '.join(not_shown)}")
    return intro, sections, not_shown


def _runs_overview(folder: Path, files: Sequence[Path]) -> Fragment:
    """One row per JSON result naming its space, score, data fingerprint and seed: what each number belongs to."""
    rows = []
    for path in files:
        try:
            document = _read_json(path) if path.suffix.lower() == ".json" else None
        except (OSError, ValueError):  # its own section says why it cannot be shown
            continue
        if isinstance(document, dict) and any(key in document for key in _RUN_KEYS):
            rows.append({"file": str(path.relative_to(folder))} | {key: document[key] for key in _RUN_KEYS if key in document})
    return heading("Runs", 2) + records_table(rows) if rows else Fragment()


def _file(path: Path, *, titled: bool) -> Fragment:
    """One file's content; ``titled`` adds the file's name when its section holds several files."""
    suffix = path.suffix.lower()
    title = heading(path.name, 3) if titled else Fragment()
    try:
        if suffix == ".png":
            return image(path.read_bytes(), path.name)
        if suffix == ".md":
            return preformatted(path.read_text(encoding="utf-8", errors="replace"), f"{path.name} (markdown source)")
        if suffix == ".csv":
            return title + render_records(_read_csv(path), dataset="trained", source=path.name)
        if suffix in _STORE_SUFFIXES:
            intro, groups = _store(path, level=4)
            return title + intro + join([body for _, _, body in groups])
        return title + render_document(_read_json(path), level=4)
    except (OSError, ValueError, NaswotError) as exc:  # one unreadable file must not cost the rest of the report
        return text(f"{path.name} could not be shown: {exc}", "problem")


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [{key: _number_or_text(value) for key, value in row.items()} for row in csv.DictReader(handle)]


def _number_or_text(value: str | None) -> Any:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number


# ---------------------------------------------------------------- stores


def _store(path: Path, *, level: int) -> tuple[Fragment, list[tuple[str, str, Fragment]]]:
    """The store's listing: an overview row per group, then each group's best results and score histogram."""
    listing = list_results(path)
    overview = [{"space": g.space, "score": g.score, "seed": g.seed, "data": g.data, "settings": g.settings_text,
                 "stored": g.count, "undefined": g.undefined, "best": g.results[0].value, "best arch": g.results[0].arch}
                for g in listing.groups]
    intro = (heading(f"Results in {path.name}: {listing.stored} in {len(listing.groups)} groups", level)
             + text("a score compares only within its group: same space, score, data fingerprint, seed and settings")
             + records_table(overview))
    sections = []
    for index, group in enumerate(listing.groups):
        anchor = _anchor(index, f"{path.stem}-{group.space}-{group.score}")
        sections.append((anchor, group.title, heading(group.title, level, anchor) + _group(group)))
    return intro, sections


def _group(group: ResultGroup) -> Fragment:
    values = [result.value for result in group.results]
    rows = [{"rank": rank, "arch": r.arch, "value": r.value, "reason": r.reason, "seconds": r.seconds}
            for rank, r in enumerate(group.results[:_STORE_ROWS], start=1)]
    facts = {"space": group.space, "score": group.score, "data": group.data, "seed": group.seed,
             "settings": group.settings_text, "stored": group.count, "undefined (-inf)": group.undefined}
    facts |= {f"-inf because ({count}x)": reason for reason, count in group.reasons.items()}
    picture = text(f"no finite {group.score} score to draw: all {group.count} are undefined (-inf)")
    if group.undefined < group.count:
        histogram = histogram_png(values, title=f"{group.score} on {group.space}, seed {group.seed}",
                                  xlabel=f"{group.score} score", undefined=group.undefined)
        picture = image(histogram, f"{group.score} scores of {group.count} architectures ({group.data})")
    shown = f"best {len(rows)} of {group.count}" if group.count > len(rows) else f"all {group.count}"
    return key_value_table(facts) + picture + text(shown) + records_table(rows)


def _anchor(index: int, name: str) -> str:
    return f"s{index}-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")

