"""`naswot report`: one self-contained HTML page from a run folder or a store."""

from __future__ import annotations

import click

from naswot.cli.output import console


@click.command("report")
@click.argument("source")
@click.option("--out", default="report.html", show_default=True, help="The HTML file to write (images inline: one file).")
def command(source: str, out: str) -> None:
    """Render SOURCE (a folder of --json/--out results, or a --store file) as one HTML page."""
    from naswot.report.page import write_report

    written = write_report(source, out)
    opens = f", opening with {written.lead}" if written.lead else ""
    console.print(f"wrote {written.path}: {written.kind} {written.source}{opens}, {written.sections} section(s), "
                  f"{written.tables} table(s), {written.images} image(s)")
    if written.not_shown:
        console.print(f"not shown (not a naswot result type): {', '.join(written.not_shown)}")
