"""A search's JSON as the report shows it: the answer first, then what it rests on.

The order is what a reader asks in turn: which architecture (the pick, in full, with its costs and
how to build it), under which settings, against which rivals (the top-K with every known score and
cost on one row), and how the search got there (trajectory, score against accuracy, the trade-off
against cost). Everything evaluated stays one click away instead of filling the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from naswot.costs import COSTS
from naswot.report.figures import pareto_png, scatter_png, trajectory_png
from naswot.report.html import (
    Fragment,
    code,
    esc,
    facts,
    figure_row,
    format_value,
    heading,
    image,
    join,
    number,
    records_table,
    si,
    text,
)
from naswot.report.pick import Pick, pick_from_search
from naswot.report.reading import mapping, records
from naswot.report.reading import number as read_number
from naswot.report.reading import text as read_text
from naswot.report.store_view import SIZES, shown_value
from naswot.report.train_view import Training

_CORRELATION_AT_LEAST = 20
"""A rank correlation over fewer points says little: no score-vs-accuracy scatter below this."""
_TOP = 10
_RUN_SETTINGS = {"fitness", "n", "budget_seconds", "seed", "counts", "space", "dataset"}


@dataclass(frozen=True)
class Context:
    """What else the folder holds about a search: stored scores by architecture, trainings of its pick."""

    stored: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    trainings: Sequence[Training] = ()
    stored_settings: Mapping[str, Any] = field(default_factory=dict)
    """The settings a store recorded for the search's scores (device, num_classes): what an older JSON lacks."""


def is_search(document: Any) -> bool:
    return (isinstance(document, Mapping) and document.get("command") == "search"
            and isinstance(document.get("best_arch", mapping(document.get("pick")).get("arch")), str))


def search_lead(document: Mapping[str, Any], *, source: str, context: Context, first: bool, anchor: str) -> Fragment:
    """The pick (as the page's title when ``first``), the settings, the top-K, the figures, the trade-off."""
    classes = context.stored_settings.get("num_classes")
    pick = pick_from_search(document, num_classes=classes if isinstance(classes, int) and classes > 0 else 10)
    stored = context.stored.get(pick.arch, {})
    pick = _with_stored_sizes(pick, stored)
    score_name = read_text(document.get("score")) or "score"
    history = records(mapping(document.get("run")).get("history"))
    return join([
        _pick_card(pick, document, source=source, score_name=score_name, trainings=context.trainings, first=first,
                   anchor=anchor, stored=stored),
        heading("Settings", 3), facts(settings(document, context.stored_settings)),
        text("wall seconds: this search from start to end; compute seconds: the stored compute time of every score it "
             "used, summed (it exceeds the wall time with several workers, and counts results reused from the store)"),
        _top_table(document, pick, score_name, history, context.stored),
        figure_row([_trajectory(document, score_name), _scatter(document, pick, score_name, history)]),
        _pareto(document, score_name, history, context.stored),
    ])


def _with_stored_sizes(pick: Pick, stored: Mapping[str, float]) -> Pick:
    """An older JSON has no counts: take them from a store in the folder that holds them."""
    return replace(pick, params=pick.params if pick.params is not None else read_number(stored.get("params")),
                   flops=pick.flops if pick.flops is not None else read_number(stored.get("flops")))


def _pick_card(pick: Pick, document: Mapping[str, Any], *, source: str, score_name: str, trainings: Sequence[Training],
               first: bool, anchor: str, stored: Mapping[str, float]) -> Fragment:
    strategy = read_text(document.get("strategy")) or "a"
    title = "The pick" if first else f"The pick of {source}"
    items: dict[str, Any] = {score_name: pick.score} if pick.score is not None else {}
    items["rank"] = f"{pick.rank} of {pick.evaluated:,} evaluated"
    items |= {"parameters": _count_text(pick.params), "FLOPs": _count_text(pick.flops)}
    dataset = read_text(document.get("dataset")) or "table"
    if pick.accuracy is not None:
        items[f"{dataset} accuracy"] = f"{pick.accuracy:.2f}%"
        if pick.accuracy_rank is not None:
            items["accuracy rank"] = f"{pick.accuracy_rank} of {pick.evaluated:,}"
    best, mean = read_number(document.get("sample_best_accuracy")), read_number(document.get("sample_mean_accuracy"))
    if best is not None and mean is not None:
        items["of the evaluated: best, mean"] = f"{best:.2f}%, {mean:.2f}%"
    items |= {name: shown_value(name, value) for name, value in stored.items()
              if name not in items and name != score_name and name not in SIZES}
    for training in trainings:
        if training.arch == pick.arch and training.space in (None, pick.space) and training.test_accuracy is not None:
            items[f"trained ({training.source})"] = f"{training.test_accuracy:.2f}% test accuracy" + (
                f" after {training.epochs} epochs" if training.epochs else "")
    judged = f"by {score_name}" if pick.score is not None else "by accuracy (trained by table lookup)"
    subtitle = f"{strategy} search of {pick.space} {judged} · {source}"
    heading_html = f'<h{1 if first else 2} id="{esc(anchor)}">{esc(title)}</h{1 if first else 2}>'
    return (Fragment(f'<section class="pick">\n{heading_html}\n<p class="note">{esc(subtitle)}</p>\n'
                     f'<p class="arch" id="{esc(anchor)}-arch">{esc(pick.arch)}</p>\n')
            + facts(items) + text("build it in Python, or export it as a standalone PyTorch file:")
            + code(pick.build) + code(pick.export) + Fragment("</section>\n"))


def _count_text(value: float | None) -> str:
    return "not recorded" if value is None else f"{si(value)} ({value:,.0f})"


def settings(document: Mapping[str, Any], stored: Mapping[str, Any]) -> dict[str, Any]:
    """The settings a reader needs to trust or rerun the search, each named for what it is.

    ``stored`` (the store's settings of its scores) supplies the device an older JSON does not name.
    """
    run = mapping(document.get("run"))
    run_settings = mapping(run.get("settings"))
    data = read_text(document.get("data"))
    strategy = read_text(document.get("strategy"))
    options = {key: value for key, value in run_settings.items() if key not in _RUN_SETTINGS}
    if options:
        strategy = f"{strategy} ({', '.join(f'{key}={format_value(value)}' for key, value in options.items())})"
    found = {
        "space": document.get("space"), "strategy": strategy,
        "score": document.get("score") if document.get("score") != "score" else None,  # rea/area: no training-free score
        "n": document.get("n"),
        "evaluated": run.get("evaluations"), "data": data, "batch size": document.get("batch_size", _batch_size(data)),
        "seed": document.get("seed"), "accuracy table": document.get("dataset"),
        "device": document.get("device", stored.get("device", "not recorded")),
        "wall seconds": number(read_number(document.get("wall_seconds", document.get("seconds"))), 1),
        "compute seconds": number(read_number(document.get("compute_seconds", run.get("seconds"))), 1),
        "results": _results(document),
        "time budget (compute s)": run_settings.get("budget_seconds"),
        "cost budget": _budget(mapping(document.get("budget"))),
        "rejected (over the budget)": document.get("rejected"),
    }
    if document.get("complete") is False:
        found["complete"] = "no: the time budget ended it early"
    return {key: value for key, value in found.items() if value is not None and value != ""}


def _batch_size(data: str | None) -> int | None:
    """An older JSON's batch size, read from its data fingerprint (``cifar10:train:n=128:seed=0:…``)."""
    found = re.search(r":n=(\d+):", data or "")
    return int(found.group(1)) if found else None


def _results(document: Mapping[str, Any]) -> str | None:
    computed, reused = document.get("computed"), document.get("reused")
    if not isinstance(computed, int) or not isinstance(reused, int):
        return None
    return f"{computed:,} computed, {reused:,} reused from the store"


def _budget(budget: Mapping[str, Any]) -> str | None:
    limits = [f"{name} ≤ {read_number(budget.get(key)):g}{unit}" for name, key, unit in
              (("params", "max_params", " M"), ("FLOPs", "max_flops", " M MACs"), ("latency", "max_latency", " ms"))
              if read_number(budget.get(key)) is not None]
    return ", ".join(limits) or None


def _top_table(document: Mapping[str, Any], pick: Pick, score_name: str, history: Sequence[Mapping[str, Any]],
               stored: Mapping[str, Mapping[str, float]]) -> Fragment:
    """The top-K with every score and cost known for each (the JSON's, the history's, the stores'); all evaluated below."""
    dataset = read_text(document.get("dataset")) or "table"
    top = records(document.get("top")) or [{"arch": item.get("arch"), "score": item.get("fitness"),
                                            "accuracy": item.get("accuracy")} for item in ranked(history)[:_TOP]]
    scores_of = {str(item.get("arch")): mapping(item.get("scores")) for item in history}
    rows, chosen = [], None
    for rank, item in enumerate(top, start=1):
        arch = str(item.get("arch"))
        chosen = rank - 1 if arch == pick.arch and chosen is None else chosen
        row: dict[str, Any] = {"rank": rank, "architecture": arch, score_name: item.get("score")}
        extra = {**stored.get(arch, {}), **scores_of.get(arch, {}), **{k: item[k] for k in SIZES if k in item}}
        row |= {name: shown_value(name, value) for name, value in extra.items() if name not in row}
        rows.append(row | {f"{dataset} accuracy": number(read_number(item.get("accuracy")))})
    evaluated = len({str(item.get("arch")) for item in history}) or len(top)
    title = heading(f"Top {len(rows)} of {evaluated:,} evaluated", 3)
    return title + records_table(rows, chosen=chosen, shown=len(rows)) + _all_evaluated(history, score_name, dataset)


def ranked(history: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The evaluated once each, best first as the search ranks them: trained by accuracy, then scored by fitness."""
    def key(item: Mapping[str, Any]) -> tuple[bool, float]:
        value = read_number(item.get("accuracy") if item.get("trained") else item.get("fitness"))
        return not item.get("trained"), -value if value is not None else float("inf")

    seen: set[str] = set()
    unique = []
    for item in sorted(history, key=key):
        if str(item.get("arch")) not in seen:
            seen.add(str(item.get("arch")))
            unique.append(item)
    return unique


def _all_evaluated(history: Sequence[Mapping[str, Any]], score_name: str, dataset: str) -> Fragment:
    if not history:
        return Fragment()
    trained = any(item.get("trained") for item in history)
    rows = []
    for rank, item in enumerate(ranked(history), start=1):
        row = {"rank": rank, "architecture": str(item.get("arch")), score_name: item.get("fitness")}
        row |= {name: value for name, value in mapping(item.get("scores")).items() if name != score_name}
        row |= {f"{dataset} accuracy": number(read_number(item.get("accuracy")))}
        row |= {"trained": item.get("trained")} if trained else {}
        rows.append(row | {"compute seconds": number(read_number(item.get("seconds")))})
    return records_table(rows, limit=len(rows), shown=0, note=" (every evaluated architecture, best first)")


def _trajectory(document: Mapping[str, Any], score_name: str) -> Fragment:
    points = records(mapping(document.get("run")).get("trajectory"))
    if not any(read_number(point.get(key)) is not None for point in points for key in ("best_score", "best_accuracy")):
        return Fragment()
    trained = any(read_number(point.get("trained")) for point in points)
    caption = ("the accuracy of the pick so far: the most accurate architecture trained yet (before any is trained, the "
               "best-scoring)" if trained else
               f"best {score_name} so far, and the accuracy of the pick so far: the pick is the best-scoring architecture "
               "yet, so its accuracy falls when a higher-scoring, less accurate one turns up")
    return image(trajectory_png({"run": points}, score=score_name), caption)


def _scatter(document: Mapping[str, Any], pick: Pick, score_name: str, history: Sequence[Mapping[str, Any]]) -> Fragment:
    """The search's score against accuracy over everything it scored, the pick starred."""
    scored = [item for item in ranked(history) if not item.get("trained")
              and read_number(item.get("fitness")) is not None and read_number(item.get("accuracy")) is not None]
    if len(scored) < _CORRELATION_AT_LEAST:
        return Fragment()
    marked = next((i for i, item in enumerate(scored) if str(item.get("arch")) == pick.arch), None)
    dataset = read_text(document.get("dataset")) or "table"
    png = scatter_png({score_name: [float(item["fitness"]) for item in scored]},
                      [float(item["accuracy"]) for item in scored], dataset=dataset, marked=marked)
    return image(png, f"{score_name} against {dataset} accuracy, all {len(scored)} scored architectures")


def _pareto(document: Mapping[str, Any], score_name: str, history: Sequence[Mapping[str, Any]],
            stored: Mapping[str, Mapping[str, float]]) -> Fragment:
    """The non-dominated set (best score for its cost) drawn over everything evaluated whose cost is known, and listed."""
    pareto = mapping(document.get("pareto"))
    points = records(pareto.get("points"))
    if not points:
        return Fragment()
    cost = read_text(pareto.get("cost")) or "cost"
    unit = read_text(pareto.get("unit")) or ""
    front = [(read_number(p.get("cost")), read_number(p.get("score"))) for p in points]
    others = []
    for item in history:
        known = {**stored.get(str(item.get("arch")), {}), **mapping(item.get("scores")), **mapping(item.get("costs"))}
        value = read_number(known.get(cost))
        fitness = read_number(item.get("fitness"))
        if value is not None and fitness is not None:
            others.append((value, fitness))
    limit = read_number(mapping(document.get("budget")).get(f"max_{cost}")) if cost in COSTS else None
    limit = limit * COSTS[cost].scale if limit is not None else None  # a budget is in millions (or ms), a front in counts
    drawn = [(c, s) for c, s in front if c is not None and s is not None]
    caption = (f"{score_name} against {cost}: the {len(points)} non-dominated architectures (no other has a higher score "
               f"for less {cost}), " + (f"over the {len(others)} evaluated whose {cost} is known" if others
                                        else f"the others' {cost} is not in the JSON or a store here"))
    picture = (figure_row([image(pareto_png(drawn, others, cost=cost, unit=unit, score=score_name, limit=limit), caption)])
               if drawn else Fragment())
    by_cost = sorted(points, key=lambda p: read_number(p.get("cost")) or 0.0)
    rows = [{"architecture": str(p.get("arch")), score_name: p.get("score"),
             f"{cost}{f' ({unit})' if unit else ''}": shown_value(cost, p.get("cost")),
             "accuracy": number(read_number(p.get("accuracy")))} for p in by_cost]
    return (heading(f"Trade-off: {score_name} against {cost}", 3) + picture
            + records_table(rows, note=" (non-dominated, cheapest first)", shown=_TOP))
