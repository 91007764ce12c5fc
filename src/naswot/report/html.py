"""HTML building blocks for one self-contained page: escaped text, tables and images inlined as data URIs.

The page must read offline and survive being attached to an email, so nothing refers to another
file or the network: the style sheet is inline and every image is a base64 ``data:`` URI.
"""

from __future__ import annotations

import base64
import html
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1180px; padding: 0 16px; color: #1d232a; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 36px; border-bottom: 2px solid #d8dee4; }
h3 { font-size: 15px; margin-top: 22px; } h4 { font-size: 14px; margin: 14px 0 6px; color: #444; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; display: block; max-width: 100%; overflow-x: auto; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f0f3f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.key { font-weight: 600; background: #f8f9fa; } code, pre, td.mono { font-family: ui-monospace, monospace; font-size: 12px; }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; } .note { color: #57606a; font-size: 13px; }
figure { margin: 8px 0 18px; } figure img { max-width: 100%; border: 1px solid #d0d7de; }
figcaption { color: #57606a; font-size: 13px; } nav li { margin: 1px 0; } .problem { color: #9a3412; }
"""


@dataclass(frozen=True)
class Fragment:
    """A piece of the page and how many tables and images it holds (the command reports both)."""

    html: str = ""
    tables: int = 0
    images: int = 0

    def __add__(self, other: Fragment) -> Fragment:
        return Fragment(self.html + other.html, self.tables + other.tables, self.images + other.images)


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


def _cell(value: Any) -> str:
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    long_text = isinstance(value, str) and len(value) > 40
    css = ' class="num"' if numeric else ' class="mono"' if long_text else ""
    return f"<td{css}>{esc(format_value(value))}</td>"


def text(content: str, css: str = "note") -> Fragment:
    return Fragment(f'<p class="{css}">{esc(content)}</p>\n')


def heading(title: str, level: int, anchor: str | None = None) -> Fragment:
    ident = f' id="{esc(anchor)}"' if anchor else ""
    return Fragment(f"<h{level}{ident}>{esc(title)}</h{level}>\n")


def key_value_table(items: Mapping[str, Any]) -> Fragment:
    rows = "".join(f'<tr><td class="key">{esc(key)}</td>{_cell(value)}</tr>' for key, value in items.items())
    return Fragment(f"<table><tbody>{rows}</tbody></table>\n", tables=1)


def records_table(records: Sequence[Mapping[str, Any]], *, limit: int = 100, note: str = "") -> Fragment:
    """One row per record, one column per key (in order of first appearance); long lists show the first ``limit``."""
    columns: dict[str, None] = {}
    for record in records:
        columns.update(dict.fromkeys(record))
    head = "".join(f"<th>{esc(column)}</th>" for column in columns)
    body = "".join("<tr>" + "".join(_cell(record.get(column)) for column in columns) + "</tr>" for record in records[:limit])
    fragment = Fragment(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n", tables=1)
    if len(records) > limit:
        fragment += text(f"the first {limit} of {len(records)} rows{note}")
    return fragment


def image(png: bytes, caption: str) -> Fragment:
    data = base64.b64encode(png).decode("ascii")
    return Fragment(f'<figure><img src="data:image/png;base64,{data}" alt="{esc(caption)}">'
                    f"<figcaption>{esc(caption)}</figcaption></figure>\n", images=1)


def preformatted(content: str, summary: str) -> Fragment:
    return Fragment(f"<details><summary>{esc(summary)}</summary><pre>{esc(content)}</pre></details>\n")


def page(title: str, intro: Fragment, contents: Sequence[tuple[str, str]], body: Fragment) -> Fragment:
    """The whole document: title, introduction, a list of links to the sections, then the sections."""
    links = "".join(f'<li><a href="#{esc(anchor)}">{esc(name)}</a></li>' for anchor, name in contents)
    nav = f"<nav><ul>{links}</ul></nav>\n" if contents else ""
    document = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
                f"<style>{_STYLE}</style></head><body>\n<h1>{esc(title)}</h1>\n{intro.html}{nav}{body.html}</body></html>\n")
    return Fragment(document, intro.tables + body.tables, intro.images + body.images)
