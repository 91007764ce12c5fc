"""`naswot sweep`: score every architecture of a space into the store."""

from __future__ import annotations

import click

from naswot.cli import cli
from naswot.cli.options import batch_from, budget_option, compute_options, data_options, run_options, space_options, table_options
from naswot.cli.output import console, write_json
from naswot.scores.expressions import member_scores, parse_score_list
from naswot.spaces import get_space
from naswot.store import Store
from naswot.sweep import sweep as run_sweep
from naswot.sweep import sweep_architectures
from naswot.tables import load_table


@cli.command()
@click.option("--score", default="naswot", show_default=True, help="Score name(s), comma-separated.")
@budget_option("Stop after this many seconds (rerun to go on).")
@click.option("--dedupe", is_flag=True,
              help="NAS-Bench-201: score one cell per class of cells that build the same function; store the rest as copies.")
@space_options
@data_options
@table_options
@run_options
def sweep(score: str, budget: float | None, dedupe: bool, space: str, seed: int, data: str, data_root: str | None, split: str,
          batch_size: int, benchmark: str | None, dataset: str | None, store: str, json_path: str | None,
          workers: int | None, quiet: bool) -> None:
    """Score every architecture of the space (or of --benchmark's table, for spaces too big to list)."""
    names = member_scores(parse_score_list(score))
    search_space = get_space(space)
    held = load_table(search_space.name, benchmark).archs() if benchmark else None
    archs = sweep_architectures(search_space, held)
    batch = batch_from(data, data_root, split, batch_size, seed)
    with Store(store) as results:
        outcome = run_sweep(search_space, names, batch, archs, seed=seed, store=results,
                            compute=compute_options(workers, quiet), budget_seconds=budget, dedupe=dedupe)
    classes = f" ({outcome.classes:,} classes, {outcome.copies:,} copies written)" if outcome.classes is not None else ""
    state = "complete" if outcome.complete else "stopped by the time budget: rerun to go on"
    console.print(f"{outcome.space}: {outcome.total:,} architectures x {len(names)} score(s){classes}, {state}; "
                  f"computed {outcome.computed:,}, from the store {outcome.reused:,}, in {outcome.seconds:.1f} s; "
                  f"undefined: {', '.join(f'{k} {v}' for k, v in outcome.undefined.items())}; store: {store}")
    write_json(json_path, outcome.to_json())
