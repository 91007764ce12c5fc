"""`naswot reproduce NAME --out DIR`: regenerate the seeds' tables and figures, ours beside theirs."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click
from rich.table import Table

from naswot.cli.options import DEFAULT_STORE, compute_options
from naswot.cli.output import console, fmt
from naswot.errors import NaswotError
from naswot.store import Store


@click.command("reproduce")
@click.argument("name", metavar="NAME")
@click.option("--out", required=True, help="Folder for each item's markdown, JSON and PNGs (created if missing).")
@click.option("--quick", is_flag=True, help="A reduced run (small pools and batches) that checks the pipeline in seconds.")
@click.option("--data-root", envvar="NASWOT_DATA_ROOT", help="The CIFAR-10 batches folder (default: in --shared).")
@click.option("--benchmark", envvar="NASWOT_BENCHMARK", help="NAS-Bench-201's accuracy table (default: in --shared).")
@click.option("--nb101-benchmark", help="The NAS-Bench-101 cells with accuracies, for v2-nb101 (default: in --shared).")
@click.option("--shared", envvar="NASWOT_SHARED_DATA",
              help="A folder holding all three as the project lays them out (cifar-10-batches-py, "
                   "nasbench201_accuracies.csv, nasbench101_sample_1k.json); env NASWOT_SHARED_DATA.")
@click.option("--llo-json", help="benchmarks/results/llo.json: reuse its 200-cell LLO ranking instead of recomputing it.")
@click.option("--store", default=DEFAULT_STORE, show_default=True, help="SQLite file that keeps every score; reruns reuse it.")
@click.option("--workers", type=int, help="Worker processes (default: one per CPU).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def command(name: str, out: str, quick: bool, data_root: str | None, benchmark: str | None, nb101_benchmark: str | None,
            shared: str | None, llo_json: str | None, store: str, workers: int | None, quiet: bool) -> None:
    """Reproduce a seed table or figure set: v1-table1, v2-table2, v2-nb101, v1-figures, thesis-table5.1, or all."""
    from naswot.reproduce import Settings
    from naswot.reproduce import reproduce as run_reproduction

    given = {"cifar10": data_root, "nasbench201": benchmark, "nasbench101": nb101_benchmark}
    if shared is None and None in given.values():
        missing = ", ".join(flag for flag, value in zip(("--data-root", "--benchmark", "--nb101-benchmark"),
                                                         given.values()) if value is None)
        raise NaswotError(f"reproduce needs CIFAR-10, NAS-Bench-201's table and the NAS-Bench-101 cells: pass {missing} "
                          "(or --shared DIR holding all three)")
    with Store(store) as results:
        options = {"quick": quick, "compute": compute_options(workers, quiet),
                   "llo_json": Path(llo_json) if llo_json else None}
        settings = Settings.from_shared(Path(shared or "."), Path(out), results, **options)
        settings = replace(settings, **{field: Path(value) for field, value in given.items() if value is not None})
        outcome = run_reproduction(name, settings)
    for item in outcome.items:
        title = item.title + (" (quick)" if item.quick else "")
        view = Table("row", "column", "ours", "paper", "seed", "ours - paper", title=title)
        for row in item.rows:
            view.add_row(row.label, row.column, fmt(row.ours), row.paper.text[:40] if row.paper else "-",
                         row.paper.seed[:3] if row.paper else "", fmt(row.difference))
        console.print(view)
        for path in item.outputs:
            console.print(f"wrote {path}")
