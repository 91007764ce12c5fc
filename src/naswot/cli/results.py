"""`naswot results`: what a store holds, grouped by run, printed or exported without recomputing anything."""

from __future__ import annotations

import click
from rich.table import Table

from naswot.cli.options import DEFAULT_STORE, writable_path
from naswot.cli.output import arch_column, console, number_column, write_csv, write_json
from naswot.results import CSV_HEADER, list_results

PRINTED_BY_DEFAULT = 10


@click.command("results")
@click.option("--store", default=DEFAULT_STORE, show_default=True, help="The SQLite file a score, search or correlate wrote.")
@click.option("--space", help="Only this space (a name matches all its settings, e.g. nasbench201:C=8,N=1).")
@click.option("--score", help="Only this score.")
@click.option("--top", type=int, help=f"Keep the best K of each group (default: print {PRINTED_BY_DEFAULT}, export all).")
@click.option("--benchmark", envvar="NASWOT_BENCHMARK", help="The space's accuracy table: add each result's accuracy.")
@click.option("--dataset", help="Which accuracies of the table (default: its first).")
@click.option("--csv", "csv_path", callback=writable_path, help="Write the listed results here, one row each.")
@click.option("--json", "json_path", callback=writable_path, help="Write the listed results here, grouped by run.")
def command(store: str, space: str | None, score: str | None, top: int | None, benchmark: str | None,
            dataset: str | None, csv_path: str | None, json_path: str | None) -> None:
    """List the stored results, one group per space, score, data fingerprint, seed and settings."""
    listing = list_results(store, space=space, score=score, top=top, benchmark=benchmark, dataset=dataset)
    console.print(f"{store}: {listing.stored:,} results in {len(listing.groups)} group(s); "
                  "scores compare only within a group")
    for group in listing.groups:
        printed = group.results[:top or PRINTED_BY_DEFAULT]
        reasons = ["undefined because"] if any(result.reason for result in printed) else []
        accuracy = [f"{listing.dataset} acc"] if listing.dataset else []
        view = Table("rank", arch_column(), group.score, *accuracy, *reasons, "seconds", title=group.title,
                     title_justify="left")
        values = number_column([result.value for result in printed])
        accuracies = number_column([result.accuracy for result in printed])
        seconds = number_column([result.seconds for result in printed])
        for rank, (result, value, known, took) in enumerate(zip(printed, values, accuracies, seconds), start=1):
            view.add_row(str(rank), result.arch, value, *([known] if accuracy else []),
                         *([result.reason or ""] if reasons else []), took)
        console.print(view)
        undefined = f", {group.undefined} undefined (-inf)" if group.undefined else ""
        more = f"; {group.count - len(printed):,} more: raise --top or export with --csv" if group.count > len(printed) else ""
        console.print(f"  {group.count:,} stored{undefined}{more}; settings: {group.settings_text}")
    write_csv(csv_path, CSV_HEADER, listing.csv_rows())
    write_json(json_path, listing.to_json())
