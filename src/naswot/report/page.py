"""``naswot report``: one self-contained HTML page from a run folder or a result store.

The page answers first. A run folder holding a search opens with its pick (architecture in full,
score, costs, accuracy, how to build it), then its settings, top-K and figures; a training result
opens with its held-out accuracy. Then come the folder's other results (files sharing a name, like
``item.json``, ``item.png``, ``item.md``, form one section) and its stores, whose groups are joined
into one table per space, data and seed. A store on its own opens with those tables.
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
from naswot.report.html import Fragment, contents, heading, image, join, page, preformatted, records_table, text
from naswot.report.json_view import render_document, render_records
from naswot.report.search_view import Context, is_search, search_lead
from naswot.report.store_view import ScoreTable, matching, read_store, render_store
from naswot.report.train_view import is_training, training_lead, training_of
from naswot.store import is_sqlite_file

_STORE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_SHOWN_SUFFIXES = (".json", ".png", ".csv", ".md", *_STORE_SUFFIXES)
"""What a section shows, in this order: settings and tables first, then pictures, rows, the markdown source."""
_RUN_KEYS = ("command", "strategy", "space", "score", "data", "seed", "dataset", "n")
_CONTENTS_AT_LEAST = 3


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
    lead: str = ""
    """What the page opens with, e.g. "the pick of demo-search.json"."""


def write_report(source: str | Path, out: str | Path) -> Report:
    """Render ``source`` (a run folder or a store) into the single HTML file ``out``."""
    out = check_writable(out, "out")
    source = Path(source).expanduser()
    if source.is_dir():
        kind, folder = "run folder", _run_folder(source, out)
        title, body, sections, not_shown, lead = folder.title, folder.body, folder.sections, folder.not_shown, folder.lead
    elif is_sqlite_file(source):
        kind, title, not_shown, lead = "store", f"naswot store {source.name}", [], "its joined score tables"
        body = heading(title, 1) + _guarded(source, lambda: render_store(source, level=2, open_tables=True))
        sections = 1
    else:
        raise NaswotError(_not_a_run(source))
    footer = text(f"source {source.resolve()} · {kind} · written {_now()} · naswot {naswot.__version__}")
    if not_shown:
        footer += text(f"not shown (not a naswot result type): {', '.join(not_shown)}")
    document = page(title, body, footer)
    out.write_text(document.html, encoding="utf-8")
    return Report(out.resolve(), source, kind, sections, document.tables, document.images, not_shown, lead)


def _not_a_run(source: Path) -> str:
    if not source.exists():
        return f"{source} does not exist: pass a run folder (what --json/--out wrote) or a store file (--store)"
    return f"{source} is neither a run folder nor a naswot store: pass the folder given to --json/--out or the --store file"


# ---------------------------------------------------------------- run folders


@dataclass(frozen=True)
class _Item:
    """The files of one name (``demo-search.json``, ``demo-search.csv``) and what its JSON is."""

    stem: str
    paths: list[Path]
    documents: dict[Path, Any]
    """Each JSON file's content, or the one-line reason it cannot be read."""

    @property
    def search(self) -> Path | None:
        return next((path for path, document in self.documents.items() if is_search(document)), None)

    @property
    def training(self) -> Path | None:
        return next((path for path, document in self.documents.items() if is_training(document)), None)

    @property
    def order(self) -> int:
        """Answers first (searches, then trainings), then other results, stores last."""
        if self.search:
            return 0
        if self.training:
            return 1
        return 3 if all(path.suffix.lower() in _STORE_SUFFIXES for path in self.paths) else 2


@dataclass(frozen=True)
class _Folder:
    title: str
    body: Fragment
    sections: int
    not_shown: list[str]
    lead: str


def _run_folder(folder: Path, out: Path) -> _Folder:
    files = sorted(path for path in folder.rglob("*") if path.is_file() and path.resolve() != out.resolve())
    shown = [path for path in files if path.suffix.lower() in _SHOWN_SUFFIXES]
    if not shown:
        raise NaswotError(f"{folder} holds no naswot results (no .json, .csv, .png or store): "
                          "pass the folder given to --json/--out, or a --store file")
    grouped: dict[str, list[Path]] = {}
    for path in sorted(shown, key=lambda path: (path.with_suffix(""), _SHOWN_SUFFIXES.index(path.suffix.lower()))):
        grouped.setdefault(str(path.relative_to(folder).with_suffix("")), []).append(path)
    items = sorted((_Item(stem, paths, {p: _read_json_or_reason(p) for p in paths if p.suffix.lower() == ".json"})
                    for stem, paths in grouped.items()), key=lambda item: item.order)
    tables = [table for path in shown if path.suffix.lower() in _STORE_SUFFIXES for table in _tables(path)]
    trainings = [training_of(document, str(path.relative_to(folder)))
                 for item in items for path, document in item.documents.items() if is_training(document)]
    sections, first = [], True
    for index, item in enumerate(items):
        anchor = _anchor(index, item.stem)
        body = _item(item, folder, anchor=anchor, first=first, tables=tables, trainings=trainings)
        sections.append((anchor, _name(item, folder), body))
        first = first and not (item.search or item.training)
    lead_item = items[0] if items[0].order < 2 else None
    title = f"naswot run {folder.name}"
    parts = [] if lead_item else [heading(title, 1)]
    parts += [sections[0][2]] if lead_item else []
    overview = _runs_overview(folder, items)
    if len(sections) >= _CONTENTS_AT_LEAST:
        parts.append(contents([(anchor, name) for anchor, name, _ in sections]))
    parts += [overview] + [body for _, _, body in sections[1 if lead_item else 0:]]
    not_shown = [str(path.relative_to(folder)) for path in files
                 if path not in shown and not path.name.endswith(("-wal", "-shm"))]
    lead = ""
    if lead_item:
        path = lead_item.search or lead_item.training
        lead = f"{'the pick' if lead_item.search else 'the training'} of {path.relative_to(folder)}"  # type: ignore[union-attr]
        title = f"naswot: {lead}"
    return _Folder(title, join(parts), len(sections), not_shown, lead)


def _name(item: _Item, folder: Path) -> str:
    if len(item.paths) == 1:
        return str(item.paths[0].relative_to(folder))
    return f"{item.stem} ({', '.join(path.suffix[1:] for path in item.paths)})"


def _item(item: _Item, folder: Path, *, anchor: str, first: bool, tables: Sequence[ScoreTable], trainings: list) -> Fragment:
    """A section: a search or training as its lead (the page's opening when ``first``), other files as they are."""
    lead_path = item.search or item.training
    if lead_path is None:
        titled = len(item.paths) > 1
        return heading(_name(item, folder), 2, anchor) + join([_file(path, item, titled=titled) for path in item.paths])
    document = item.documents[lead_path]
    source = str(lead_path.relative_to(folder))
    if item.search:
        table = matching(tables, document.get("space"), document.get("data"), document.get("seed"))
        context = Context(table.values if table else {}, trainings, table.groups[0].settings if table else {})
        body = _guarded(lead_path, lambda: search_lead(document, source=source, context=context, first=first, anchor=anchor))
    else:
        body = _guarded(lead_path, lambda: training_lead(document, source=source, first=first, anchor=anchor))
    others = [path for path in item.paths if path != lead_path]
    if others:
        body += join([_supporting(path, item) for path in others])
    return body


def _supporting(path: Path, item: _Item) -> Fragment:
    """A file beside a search's JSON: a CSV holds the rows already listed, so it is one line to open."""
    if path.suffix.lower() == ".csv":
        return _guarded(path, lambda: records_table(_read_csv(path), shown=0, note=f" in {path.name}"))
    return _file(path, item, titled=True)


def _tables(path: Path) -> list[ScoreTable]:
    try:
        return read_store(path) if is_sqlite_file(path) else []
    except (OSError, ValueError, NaswotError):  # its own section says why it cannot be shown
        return []


def _runs_overview(folder: Path, items: Sequence[_Item]) -> Fragment:
    """With several results, one row per JSON naming its space, score, data fingerprint and seed."""
    rows = [{"file": str(path.relative_to(folder))} | {key: document[key] for key in _RUN_KEYS if key in document}
            for item in items for path, document in item.documents.items()
            if isinstance(document, dict) and any(key in document for key in _RUN_KEYS)]
    return heading("Runs", 2) + records_table(rows) if len(rows) > 1 else Fragment()


def _file(path: Path, item: _Item, *, titled: bool) -> Fragment:
    """One file's content; ``titled`` adds the file's name when its section holds several files."""
    suffix = path.suffix.lower()
    title = heading(path.name, 3) if titled else Fragment()
    if suffix == ".png":
        return _guarded(path, lambda: image(path.read_bytes(), path.name))
    if suffix == ".md":
        return _guarded(path, lambda: preformatted(path.read_text(encoding="utf-8", errors="replace"),
                                                   f"{path.name} (markdown source)"))
    if suffix == ".csv" and any(other.suffix.lower() == ".png" for other in item.paths):
        return title + _supporting(path, item)  # the picture beside it draws these rows already
    if suffix == ".csv":
        return title + _guarded(path, lambda: render_records(_read_csv(path), dataset="trained", source=path.name))
    if suffix in _STORE_SUFFIXES:
        return title + _guarded(path, lambda: render_store(path, level=4, open_tables=False))
    document = item.documents[path]
    if isinstance(document, _Unreadable):
        return text(f"{path.name} could not be shown: {document.reason}", "problem")
    return title + _guarded(path, lambda: render_document(document, level=4))


def _guarded(path: Path, render: Any) -> Fragment:
    """``render()``, or one line saying why ``path`` cannot be shown: one bad file must not cost the rest of the page."""
    try:
        return render()
    except (OSError, ValueError, NaswotError, RecursionError, csv.Error) as exc:
        return text(f"{path.name} could not be shown: {_one_line(exc)}", "problem")


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "it is nested too deeply to show"
    return " ".join(str(exc).split())[:300] or type(exc).__name__


@dataclass(frozen=True)
class _Unreadable:
    reason: str


def _read_json_or_reason(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        return _Unreadable(_one_line(exc))


def _read_csv(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [{key: _number_or_text(value) for key, value in row.items()} for row in csv.DictReader(handle)]


def _number_or_text(value: str | None) -> Any:
    if value is None or value == "":
        return None
    if not isinstance(value, str):  # a row longer than the header: csv gathers the rest in a list
        return " ".join(map(str, value))
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number


def _anchor(index: int, name: str) -> str:
    return f"s{index}-" + re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
