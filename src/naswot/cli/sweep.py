"""`naswot sweep`: score every architecture of a space into the store."""

from __future__ import annotations

import click

from naswot.cli.options import (
    batch_from,
    compute_options,
    data_options,
    positive,
    run_options,
    space_options,
    table_options,
)
from naswot.cli.output import console, write_json
from naswot.spaces import get_space
from naswot.store import Store


@click.command("sweep")
@click.option("--score", default="naswot", show_default=True, help="Score name(s), comma-separated.")
@click.option("--time-limit", type=float, callback=positive("give the wall-clock seconds, or leave it out for no limit"),
              help="Stop starting networks after this many wall-clock seconds (a rerun goes on from the store).")
@click.option("--dedupe", is_flag=True,
              help="NAS-Bench-201: score one cell per class of cells that build the same function; store the rest as copies.")
@space_options
@data_options
@table_options
@run_options
def command(score: str, time_limit: float | None, dedupe: bool, space: str, seed: int, data: str, data_root: str | None,
            split: str,
            batch_size: int, benchmark: str | None, dataset: str | None, store: str, json_path: str | None,
            workers: int | None, quiet: bool) -> None:
    """Score every architecture of the space (or of --benchmark's table, for spaces too big to list)."""
    from naswot.scores.expressions import member_scores, parse_score_list
    from naswot.sweep import sweep as run_sweep
    from naswot.sweep import sweep_architectures
    from naswot.tables import load_table

    names = member_scores(parse_score_list(score))
    search_space = get_space(space)
    held = load_table(search_space.name, benchmark).archs() if benchmark else None
    archs = sweep_architectures(search_space, held)
    batch = batch_from(data, data_root, split, batch_size, seed)
    with Store(store) as results:
        outcome = run_sweep(search_space, names, batch, archs, seed=seed, store=results,
                            compute=compute_options(workers, quiet), time_limit=time_limit, dedupe=dedupe)
    classes = f" ({outcome.classes:,} classes, {outcome.copies:,} copies written)" if outcome.classes is not None else ""
    state = "complete" if outcome.complete else "stopped by the time limit: rerun to go on"
    console.print(f"{outcome.space}: {outcome.total:,} architectures x {len(names)} score(s){classes}, {state}; "
                  f"computed {outcome.computed:,}, from the store {outcome.reused:,}, in {outcome.seconds:.1f} s; "
                  f"undefined: {', '.join(f'{k} {v}' for k, v in outcome.undefined.items())}; store: {store}")
    write_json(json_path, outcome.to_json())
