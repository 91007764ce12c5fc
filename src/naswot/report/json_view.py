"""Any result document (a command's JSON, a CSV's rows) as HTML, without knowing which command wrote it.

The commands' formats differ and keep evolving, so the rendering is generic: scalars become a
key/value table, lists of records become tables, nested dicts become sub-tables. Only two shapes
are recognised, because a picture says more than their table: a search trajectory (records with
``evaluations`` and ``best_score``), drawn as best-so-far curves, and records with an ``accuracy``
beside numeric scores, drawn as score-vs-accuracy scatters with their rank correlation.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from naswot.report.figures import scatter_png, trajectory_png
from naswot.report.html import Fragment, format_value, heading, image, join, key_value_table, preformatted, records_table, text

_FIRST_KEYS = ("command", "strategy", "space", "score", "data", "seed", "dataset", "n")
_NOT_SCORES = {"rank", "seed", "index", "n", "evaluations", "seconds", "created", "count"}
_SCATTER_AT_MOST = 6
_SCATTER_AT_LEAST = 20
"""A rank correlation over fewer points (a top-10 list) says little: no scatter below this."""
_SECTIONS_AT_MOST = 20
"""Up to this many structured records are each shown as a sub-section; more become one table of compact JSON cells."""


def is_trajectory(value: Any) -> bool:
    """A search's best-so-far record: a list of {evaluations, best_score, (seconds, best_accuracy)}."""
    return (isinstance(value, list) and bool(value)
            and all(isinstance(point, dict) and "evaluations" in point and "best_score" in point for point in value))


def find_trajectories(value: Any, label: str = "trajectory") -> dict[str, list[dict[str, Any]]]:
    """Every trajectory anywhere in a document, labelled by where it sits (e.g. ``runs[2].trajectory``)."""
    if is_trajectory(value):
        return {label: value}
    found: dict[str, list[dict[str, Any]]] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            found.update(find_trajectories(item, str(key) if label == "trajectory" else f"{label}.{key}"))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(find_trajectories(item, f"{label}[{index}]"))
    return found


def render_document(document: Any, *, level: int) -> Fragment:
    """A whole JSON document: its trajectories drawn first (all in one figure), then its content."""
    trajectories = find_trajectories(document)
    figure = Fragment()
    if trajectories:
        figure = image(trajectory_png(trajectories), f"search trajectories: {', '.join(trajectories)}"
                       if len(trajectories) <= 10 else f"{len(trajectories)} search trajectories")
    dataset = document.get("dataset") if isinstance(document, dict) else None
    return figure + _value(document, level, str(dataset or "trained"))


def render_records(records: Sequence[Mapping[str, Any]], *, dataset: str, source: str) -> Fragment:
    """Rows as a table, with a scatter of each numeric column against ``accuracy`` when the rows carry one."""
    return _scatter(records, dataset, source) + records_table(records, note=f" (all in {source})" if source else "")


def _value(value: Any, level: int, dataset: str) -> Fragment:
    if isinstance(value, dict):
        return _mapping(value, level, dataset)
    if isinstance(value, list):
        return _sequence(value, level, dataset)
    return text(format_value(value), "value")


def _mapping(mapping: Mapping[str, Any], level: int, dataset: str) -> Fragment:
    if not mapping:
        return text("(empty)")
    ordered = {key: mapping[key] for key in _FIRST_KEYS if key in mapping} | dict(mapping)
    scalars = {key: value for key, value in ordered.items() if not isinstance(value, (dict, list))}
    parts = [key_value_table(scalars)] if scalars else []
    for key, value in ordered.items():
        if isinstance(value, (dict, list)):
            parts += [heading(str(key), min(level, 6)), _nested(value, str(key), level + 1, dataset)]
    return join(parts)


def _nested(value: dict | list, name: str, level: int, dataset: str) -> Fragment:
    """A dict whose values are all flat dicts (e.g. per-score results) reads best as one table keyed by name."""
    if isinstance(value, dict) and value and all(_is_flat_record(item) for item in value.values()):
        return render_records([{name: key, **item} for key, item in value.items()], dataset=dataset, source="")
    return _value(value, level, dataset)


def _is_flat_record(value: Any) -> bool:
    return isinstance(value, dict) and all(not isinstance(item, (dict, list)) for item in value.values())


def _sequence(items: list, level: int, dataset: str) -> Fragment:
    if not items:
        return text("(empty)")
    if all(isinstance(item, dict) for item in items):
        if is_trajectory(items):
            return records_table(items, note=" (all drawn in the trajectory figure)")
        if len(items) <= _SECTIONS_AT_MOST and any(_has_structure(item) for item in items):
            return join([heading(_label(index, item), min(level, 6)) + _mapping(item, level + 1, dataset)
                         for index, item in enumerate(items, start=1)])
        shown = [{key: _cell_value(value) for key, value in item.items()} for item in items]
        return render_records(shown, dataset=dataset, source="the JSON file")
    if all(not isinstance(item, (dict, list)) for item in items):
        listed = ", ".join(format_value(item) for item in items[:50])
        return text(f"{len(items)} values: {listed}" + (", ..." if len(items) > 50 else ""), "value")
    return preformatted(json.dumps(items, indent=1)[:20000], f"{len(items)} mixed items (JSON)")


def _has_structure(record: Mapping[str, Any]) -> bool:
    """A record holding lists or dicts (other than trajectories, which are drawn) reads badly as one table row."""
    return any(isinstance(value, (dict, list)) and not is_trajectory(value) for value in record.values())


def _label(index: int, record: Mapping[str, Any]) -> str:
    named = [str(record[key]) for key in _FIRST_KEYS if key in record and not isinstance(record[key], (dict, list))]
    return f"{index}: {' · '.join(named[:4])}" if named else f"item {index}"


def _cell_value(value: Any) -> Any:
    if is_trajectory(value):
        return f"trajectory of {len(value)} points (drawn above)"
    return value


def _scatter(records: Sequence[Mapping[str, Any]], dataset: str, source: str) -> Fragment:
    """Score columns against the ``accuracy`` column; a null or -inf score is an undefined score (ranked last)."""
    rows = [record for record in records if _finite(record.get("accuracy"))]
    columns = [key for key in dict.fromkeys(key for record in rows for key in record)
               if key not in _NOT_SCORES and "accuracy" not in key
               and all(_numeric_or_missing(record.get(key)) for record in rows)
               and any(_finite(record.get(key)) for record in rows)][:_SCATTER_AT_MOST]
    if len(rows) < _SCATTER_AT_LEAST or not columns:
        return Fragment()
    values = {key: [float(r[key]) if _finite(r.get(key)) else -math.inf for r in rows] for key in columns}
    accuracies = [float(record["accuracy"]) for record in rows]
    caption = f"{', '.join(columns)} against {dataset} accuracy ({len(rows)} architectures{', ' + source if source else ''})"
    return image(scatter_png(values, accuracies, dataset=dataset, subtitle=caption), caption)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _numeric_or_missing(value: Any) -> bool:
    return value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
