"""A train JSON as the report shows it: the held-out accuracy first, then the curve that led there.

``naswot train --json`` writes ``{"command": "train", "space", "arch", "data", "device", "epochs",
"history": [{"epoch", "train_loss", "train_accuracy", "seconds"}], "test_accuracy", "held_out",
"checkpoint"}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from naswot.report.figures import training_png
from naswot.report.html import Fragment, esc, facts, figure_row, image, number, records_table
from naswot.report.reading import count, records
from naswot.report.reading import number as read_number
from naswot.report.reading import text as read_text


@dataclass(frozen=True)
class Training:
    """A train JSON's result, as a search's pick card cites it: where it was written and what it reached."""

    source: str
    space: str | None
    arch: str | None
    test_accuracy: float | None
    epochs: int | None


def is_training(document: Any) -> bool:
    return isinstance(document, Mapping) and document.get("command") == "train"


def training_of(document: Mapping[str, Any], source: str) -> Training:
    return Training(source, read_text(document.get("space")), read_text(document.get("arch")),
                    read_number(document.get("test_accuracy")), count(document.get("epochs")))


def training_lead(document: Mapping[str, Any], *, source: str, first: bool, anchor: str) -> Fragment:
    """The trained network, its held-out accuracy and settings, the loss and accuracy curve, the epochs collapsed."""
    history = records(document.get("history"))
    test_accuracy = read_number(document.get("test_accuracy"))
    seconds = [read_number(point.get("seconds")) for point in history]
    level = 1 if first else 2
    title = "Trained" if first else f"Trained: {source}"
    items = {
        "test accuracy": "not recorded" if test_accuracy is None else f"{test_accuracy:.2f}%",
        "held out": document.get("held_out"), "space": document.get("space"), "data": document.get("data"),
        "epochs": document.get("epochs"), "device": document.get("device"),
        "training seconds": number(sum(s for s in seconds if s is not None), 1) if any(s is not None for s in seconds) else None,
        "checkpoint": document.get("checkpoint"),
    }
    card = Fragment(f'<section class="pick">\n<h{level} id="{esc(anchor)}">{esc(title)}</h{level}>\n'
                    f'<p class="note">{esc(source)}</p>\n<p class="arch">{esc(document.get("arch", "(no architecture)"))}</p>\n')
    card += facts({key: value for key, value in items.items() if value is not None}) + Fragment("</section>\n")
    if not any(read_number(p.get(key)) is not None for p in history for key in ("train_loss", "train_accuracy")):
        return card
    curve = image(training_png(history, test_accuracy=test_accuracy),
                  "training loss and accuracy per epoch; the dashed line is the accuracy on the held-out test images")
    rows = [{"epoch": p.get("epoch"), "training loss": p.get("train_loss"),
             "training accuracy": number(read_number(p.get("train_accuracy"))),
             "seconds": number(read_number(p.get("seconds")), 1)}
            for p in history]
    return card + figure_row([curve]) + records_table(rows, shown=0, note=" (one per epoch)")
