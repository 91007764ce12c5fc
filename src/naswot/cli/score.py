"""`naswot score`: score given architectures and print one row each."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.table import Table

from naswot.cli.options import (
    batch_from,
    compute_options,
    data_options,
    open_table,
    run_options,
    space_options,
    table_options,
    writable_path,
)
from naswot.cli.output import arch_column, console, number_column, write_csv, write_json
from naswot.errors import NaswotError
from naswot.outputs import finite_or_none
from naswot.spaces import get_space
from naswot.store import Store


@click.command("score")
@click.argument("archs", nargs=-1)
@click.option("--file", "arch_file", help="A file with one architecture per line.")
@click.option("--index", "indices", type=int, multiple=True, help="Official benchmark index (needs --benchmark); repeatable.")
@click.option("--score", default="naswot", show_default=True,
              help="Score name(s), comma-separated, or rank_product(a,b,...); see `naswot list scores`.")
@click.option("--csv", "csv_path", callback=writable_path, help="Write one row per architecture here.")
@space_options
@data_options
@table_options
@run_options
def command(archs: tuple[str, ...], arch_file: str | None, indices: tuple[int, ...], score: str, csv_path: str | None,
            space: str, seed: int,
            data: str, data_root: str | None, split: str, batch_size: int, benchmark: str | None, dataset: str | None,
            store: str, json_path: str | None, workers: int | None, quiet: bool) -> None:
    """Score the given architectures and print one row each (combinations rank within them)."""
    from naswot.executor import score_architectures
    from naswot.scores.expressions import member_scores, parse_score_list

    expressions = parse_score_list(score)
    search_space = get_space(space)
    table, chosen = open_table(search_space, benchmark, dataset, data)
    texts = list(archs)
    if arch_file is not None:
        try:
            lines = Path(arch_file).read_text().splitlines()
        except OSError as exc:
            raise NaswotError(f"cannot read {arch_file} ({exc.strerror}): pass a file with one architecture per line") from None
        texts += [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    parsed = [search_space.parse(text) for text in texts]
    if indices:
        if table is None:
            raise NaswotError("--index needs the official order: pass --benchmark with the space's table")
        parsed += [table.arch_at(i) for i in indices]
    if not parsed:
        raise NaswotError("no architecture given: pass architecture strings, --file or --index")
    batch = batch_from(data, data_root, split, batch_size, seed)
    start = time.perf_counter()
    with Store(store) as results:
        scored = score_architectures(search_space, parsed, member_scores(expressions), batch, seed=seed, store=results,
                                     compute=compute_options(workers, quiet, show_progress=len(parsed) > 1))
    columns = {name: scored.values(name, parsed) for name in member_scores(expressions)}
    values = {e.name: list(e.combine(columns)) for e in expressions}
    accuracies = [table.lookup(a, chosen) for a in parsed] if table and chosen else [None] * len(parsed)
    view = Table(arch_column(), *values, *([f"{chosen} acc"] if table else []))
    cells = [number_column(list(column)) for column in values.values()] + ([number_column(accuracies)] if table else [])
    rows = []
    for i, (arch, accuracy) in enumerate(zip(parsed, accuracies)):
        view.add_row(str(arch), *(column[i] for column in cells))
        reasons = {name: scored.results[name][str(arch)].reason for name in columns}
        rows.append({"arch": str(arch), "accuracy": accuracy,
                     "scores": {name: finite_or_none(column[i]) for name, column in values.items()},
                     "undefined": {name: reason for name, reason in reasons.items() if reason}})
    console.print(view)
    write_csv(csv_path, ["arch", *values, *(["accuracy"] if table else [])],
              [[str(arch), *(column[i] for column in values.values()), *([accuracies[i]] if table else [])]
               for i, arch in enumerate(parsed)])
    write_json(json_path, {"command": "score", "space": search_space.spec(), "data": batch.fingerprint, "seed": seed,
                           "seconds": time.perf_counter() - start, "results": rows})
