"""HTML building blocks for one self-contained page: escaped text, tables and images inlined as data URIs.

The page must read offline and survive being attached to an email, so nothing refers to another
file or the network: the style sheet is inline and every image is a base64 ``data:`` URI. Every
text that comes from a result file (architectures, names, values) goes through ``esc``: a report
input must never inject markup.
"""

from __future__ import annotations

import base64
import html
import json
import math
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 20px auto; max-width: 1180px; padding: 0 16px; color: #1d232a; }
h1 { font-size: 21px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 2px solid #d8dee4; }
h3 { font-size: 15px; margin: 18px 0 6px; } h4 { font-size: 14px; margin: 12px 0 6px; color: #444; }
table { border-collapse: collapse; margin: 6px 0 10px; font-size: 13px; display: block; max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #d0d7de; padding: 2px 8px; text-align: left; vertical-align: top; }
th { background: #f0f3f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.key { font-weight: 600; background: #f8f9fa; } code, pre, td.mono { font-family: ui-monospace, monospace; font-size: 12px; }
td.mono { overflow-wrap: anywhere; } tr.chosen td { background: #eef4ff; font-weight: 600; }
pre { background: #f6f8fa; padding: 6px 8px; margin: 4px 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: #57606a; font-size: 13px; margin: 4px 0; } .problem { color: #9a3412; }
figure { margin: 6px 0 10px; } figure img { max-width: 100%; border: 1px solid #d0d7de; }
figcaption { color: #57606a; font-size: 13px; } nav ul { margin: 4px 0; } nav li { margin: 1px 0; }
.figures { display: flex; flex-wrap: wrap; gap: 0 14px; align-items: flex-start; }
.pick { border: 2px solid #2f6feb; border-radius: 8px; padding: 12px 16px 8px; margin: 12px 0; background: #f6f9ff; }
.pick h1, .pick h2 { margin: 0 0 4px; border: 0; }
.arch { font: 15px/1.5 ui-monospace, monospace; overflow-wrap: anywhere; background: #fff; padding: 6px 10px;
        border: 1px solid #c8d1dc; border-radius: 4px; margin: 0 0 8px; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(270px, 1fr)); gap: 1px 20px; margin: 6px 0; }
dl.facts div { display: flex; gap: 8px; min-width: 0; } dl.facts div.wide { grid-column: span 2; }
dt { color: #57606a; white-space: nowrap; }
dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; min-width: 0; }
details { margin: 4px 0 8px; } summary { cursor: pointer; color: #0b57d0; }
footer { margin-top: 28px; border-top: 1px solid #d8dee4; padding-top: 6px; }
"""

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_NARROW = 30
"""Characters of name and value that fit one cell of the facts grid; a longer pair spans two."""


@dataclass(frozen=True)
class Fragment:
    """A piece of the page and how many tables and images it holds (the command reports both)."""

    html: str = ""
    tables: int = 0
    images: int = 0

    def __add__(self, other: Fragment) -> Fragment:
        return Fragment(self.html + other.html, self.tables + other.tables, self.images + other.images)


class Shown(str):
    """A number already written for reading (``1.08 M``, ``92.31``): a table aligns it as a number."""


def join(fragments: Sequence[Fragment]) -> Fragment:
    return sum(fragments, Fragment())


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def format_value(value: Any) -> str:
    """A cell's text: numbers to 6 significant digits, -inf spelled out, null as a dash, nested values as JSON."""
    if value is None:
        return "—"
    if isinstance(value, (str, int)):  # bool is an int
        return str(value)
    if isinstance(value, float):
        return ("-inf" if value < 0 else "inf") if math.isinf(value) else f"{value:.6g}"
    text = json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= 120 else text[:117] + "..."


def si(value: float | None) -> Shown:
    """A count for reading, to three digits with its SI prefix (1.08 M parameters, 152 M FLOPs)."""
    if value is None or not math.isfinite(value):
        return Shown(format_value(value))
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return Shown(f"{value / factor:.3g} {prefix}")
    return Shown(f"{value:.3g}")


def number(value: float | None, digits: int = 2) -> Shown | None:
    """A value with a fixed number of decimals (accuracies); None stays None (a table leaves out a column of them)."""
    if value is None:
        return None
    if not math.isfinite(value):
        return Shown(format_value(value))
    return Shown(f"{value:.{digits}f}")


def _cell(value: Any) -> str:
    numeric = isinstance(value, Shown) or (isinstance(value, (int, float)) and not isinstance(value, bool))
    long_text = isinstance(value, str) and not isinstance(value, Shown) and len(value) > 40
    if long_text:  # an architecture: it may wrap between its cells ("…|+|…") before anywhere else
        return f'<td class="mono">{esc(value).replace("+", "+<wbr>")}</td>'
    css = ' class="num"' if numeric else ""
    return f"<td{css}>{esc(format_value(value))}</td>"


def text(content: str, css: str = "note") -> Fragment:
    return Fragment(f'<p class="{css}">{esc(content)}</p>\n')


def heading(title: str, level: int, anchor: str | None = None) -> Fragment:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return Fragment(f"<h{level}{ident}>{esc(title)}</h{level}>\n")


def key_value_table(items: Mapping[str, Any]) -> Fragment:
    rows = "".join(f'<tr><td class="key">{esc(key)}</td>{_cell(value)}</tr>' for key, value in items.items())
    return Fragment(f"<table><tbody>{rows}</tbody></table>\n", tables=1)


def facts(items: Mapping[str, Any]) -> Fragment:
    """Settings as a compact grid of ``name value`` pairs: a page of settings in a few lines."""
    cells = []
    for key, value in items.items():
        shown = format_value(value)
        wide = ' class="wide"' if len(key) + len(shown) > _NARROW else ""
        cells.append(f"<div{wide}><dt>{esc(key)}</dt><dd>{esc(shown)}</dd></div>")
    pairs = "".join(cells)
    return Fragment(f'<dl class="facts">{pairs}</dl>\n')


def collapsed(summary: str, content: Fragment) -> Fragment:
    """Content a reader opens on demand: it costs one line of the page."""
    return Fragment(f"<details><summary>{esc(summary)}</summary>\n") + content + Fragment("</details>\n")


def records_table(records: Sequence[Mapping[str, Any]], *, limit: int = 100, note: str = "", shown: int = 12,
                  chosen: int | None = None) -> Fragment:
    """One row per record, one column per key holding a value somewhere (in order of first appearance).

    Up to ``shown`` rows are on the page; a longer table is collapsed, with its first ``limit`` rows
    inside. ``chosen`` marks one row (the pick).
    """
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(key for key, value in record.items() if value is not None))  # an empty column says nothing
    head = "".join(f"<th>{_breakable(column)}</th>" for column in columns)
    body = "".join(("<tr class=\"chosen\">" if index == chosen else "<tr>")
                   + "".join(_cell(record.get(column)) for column in columns) + "</tr>"
                   for index, record in enumerate(records[:limit]))
    table = Fragment(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n", tables=1)
    if len(records) > limit:
        table += text(f"the first {limit} of {len(records)} rows{note}")
    if len(records) > shown:
        return collapsed(f"{len(records)} rows{note}", table)
    return table


def _breakable(name: str) -> str:
    """A column name that may wrap after its commas and brackets (``rank_product(naswot,synflow)``), never inside a word."""
    return esc(name).replace(",", ",<wbr>").replace("(", "(<wbr>")


def is_png(data: bytes) -> bool:
    """A PNG file's signature and header chunk with a non-zero size: what a browser can draw."""
    if len(data) < 24 or data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        return False
    width, height = struct.unpack(">II", data[16:24])
    return width > 0 and height > 0


def image(png: bytes, caption: str) -> Fragment:
    """An inline PNG, at its own size (narrowed only to fit the window), captioned no wider than it."""
    if not is_png(png):
        raise ValueError("not a PNG image (its signature or header is wrong)")
    data = base64.b64encode(png).decode("ascii")
    width = struct.unpack(">I", png[16:20])[0] + 2  # and its border
    return Fragment(f'<figure style="max-width:{width}px"><img src="data:image/png;base64,{data}" alt="{esc(caption)}">'
                    f"<figcaption>{esc(caption)}</figcaption></figure>\n", images=1)


def figure_row(figures: Sequence[Fragment]) -> Fragment:
    """Figures side by side, wrapping on a narrow window."""
    figures = [figure for figure in figures if figure.html]
    if not figures:
        return Fragment()
    return Fragment('<div class="figures">\n') + join(figures) + Fragment("</div>\n")


def preformatted(content: str, summary: str) -> Fragment:
    return collapsed(summary, Fragment(f"<pre>{esc(content)}</pre>"))


def code(content: str) -> Fragment:
    return Fragment(f"<pre>{esc(content)}</pre>\n")


def page(title: str, body: Fragment, footer: Fragment) -> Fragment:
    """The whole document: the body (which opens with its own answer and heading), then the footer."""
    document = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
                f"<style>{_STYLE}</style></head><body>\n{body.html}<footer>{footer.html}</footer></body></html>\n")
    return Fragment(document, body.tables + footer.tables, body.images + footer.images)


def contents(entries: Sequence[tuple[str, str]]) -> Fragment:
    """Links to the page's sections."""
    links = "".join(f'<li><a href="#{esc(anchor)}">{esc(name)}</a></li>' for anchor, name in entries)
    return Fragment(f"<nav><ul>{links}</ul></nav>\n")
