"""`naswot correlate`: how well each score ranks a seeded sample against trained accuracy."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from naswot.cli.options import (
    batch_from,
    capped_note,
    compute_options,
    data_options,
    run_options,
    space_options,
    table_options,
    writable_path,
)
from naswot.cli.output import console, write_csv, write_json
from naswot.errors import NaswotError
from naswot.spaces import get_space
from naswot.store import Store
from naswot.tables import open_table


@click.command("correlate")
@click.option("--score", default="naswot", show_default=True,
              help="Score name(s), comma-separated; rank_product(a,b,...) and rank_mean(...) combine by rank.")
@click.option("--n", default=1000, show_default=True, help="How many architectures to sample.")
@click.option("--plot", callback=writable_path, help="Scatter plot PNG (default: beside --json, else in the current folder).")
@click.option("--csv", "csv_path", callback=writable_path, help="Write every architecture's scores and accuracy here.")
@click.option("--ensemble", default="",
              help="Also rank by rank_mean and/or rank_product of all --score scores (comma-separated).")
@click.option("--learned", default=0, show_default=True,
              help="Also fit a learned ensemble of the --score scores on the accuracies of the first K sampled "
                   "architectures, and judge it on the others.")
@click.option("--save-ensemble", callback=writable_path,
              help="Save the learned ensemble to this file (JSON: LearnedEnsemble.load refits it, no code in it can run).")
@space_options
@data_options
@table_options
@run_options
def command(score: str, n: int, plot: str | None, csv_path: str | None, ensemble: str, learned: int,
            save_ensemble: str | None, space: str, seed: int, data: str, data_root: str | None, split: str,
            batch_size: int, benchmark: str | None, dataset: str | None, store: str, json_path: str | None,
            workers: int | None, quiet: bool) -> None:
    """Score a seeded sample of the space and rank-correlate the scores (and their ensembles) with trained accuracy."""
    from naswot.correlate import check_study, with_rank_ensembles
    from naswot.correlate import correlate as run_correlation
    from naswot.report.plots import plot_score_vs_accuracy
    from naswot.scores.expressions import parse_score_list

    check_study(n, learned)
    expressions = with_rank_ensembles(parse_score_list(score), [m.strip() for m in ensemble.split(",") if m.strip()])
    if benchmark is None:
        raise NaswotError("correlate needs trained accuracies: pass --benchmark with the space's table")
    search_space = get_space(space)
    table, chosen = open_table(search_space.name, benchmark, dataset, data)
    assert table is not None and chosen is not None
    batch = batch_from(data, data_root, split, batch_size, seed)
    with Store(store) as results:
        study = run_correlation(search_space, table, chosen, batch, expressions, n=n, seed=seed, store=results,
                                compute=compute_options(workers, quiet), learned=learned, learned_path=save_ensemble)
    note = capped_note(n, len(study.archs), search_space.spec() if table.archs() is None else f"the table {benchmark}")
    if note:
        console.print(note)
    searched = any(row.search_mean is not None for row in study.rows.values())
    view = Table("score", "Kendall tau", "Spearman rho", "undefined", "median s/arch", *(["search N=100"] if searched else []),
                 title=f"{len(study.archs)} {study.space} architectures vs {chosen} accuracy")
    for name, row in study.rows.items():
        view.add_row(name, f"{row.correlation.kendall_tau:.3f}", f"{row.correlation.spearman_rho:.3f}",
                     str(row.correlation.undefined), f"{row.median_seconds:.3f}",
                     *([f"{row.search_mean:.2f}" if row.search_mean is not None else ""] if searched else []))
    console.print(view)
    if any(e.is_combination for e in expressions):
        console.print("combinations rank by the scores' ranks within the sample: no accuracy labels used")
    if study.learned_description:
        console.print(f"{study.learned_description}; its row is judged on the other {len(study.archs) - learned} "
                      "architectures only" + (f"; saved to {save_ensemble}" if save_ensemble else ""))
    plain = [e.name for e in expressions if not e.is_combination]
    default_plot = f"correlate-{search_space.name}-{'+'.join(plain or ['scores'])}-{chosen}.png"
    plot_path = Path(plot or (Path(json_path).with_suffix(".png") if json_path else default_plot))
    panels = {name: (row.values, row.accuracies, row.correlation) for name, row in study.rows.items()}
    plot_score_vs_accuracy(panels, plot_path, dataset=chosen, subtitle=f"{study.space}, {study.data}, seed {seed}")
    console.print(f"data: {study.data}   plot: {plot_path}")
    write_json(json_path, {"command": "correlate", **study.to_json(), "benchmark": benchmark, "plot": str(plot_path)})
    columns = {name: row.values for name, row in study.rows.items() if len(row.values) == len(study.archs)}
    write_csv(csv_path, ["arch", *columns, "accuracy"],
              [[str(a), *(column[i] for column in columns.values()), acc]
               for i, (a, acc) in enumerate(zip(study.archs, study.accuracies))])
