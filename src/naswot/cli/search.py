"""`naswot search`: the papers' search, sample N architectures, score each, print the best."""

from __future__ import annotations

import time

import click
import numpy as np
from rich.table import Table

from naswot.cli import cli
from naswot.cli.options import batch_from, compute_options, data_options, open_table, run_options, space_options, table_options
from naswot.cli.output import console, finite_or_none, fmt, write_csv, write_json
from naswot.errors import NaswotError
from naswot.scores.expressions import parse_score_list
from naswot.search import random_search
from naswot.spaces import get_space
from naswot.store import Store


@cli.command()
@click.option("--score", default="naswot", show_default=True,
              help="The score to rank by: a name, or rank_product(a,b,...) ranking within the sample.")
@click.option("--n", default=100, show_default=True, help="How many architectures to sample and score.")
@click.option("--budget", type=float, help="Stop scoring after this many seconds.")
@click.option("--top", default=10, show_default=True, help="Rows to print.")
@click.option("--csv", "csv_path", help="Write every scored architecture here.")
@space_options
@data_options
@table_options
@run_options
def search(score: str, n: int, budget: float | None, top: int, csv_path: str | None, space: str, seed: int, data: str,
           data_root: str | None, split: str, batch_size: int, benchmark: str | None, dataset: str | None, store: str,
           json_path: str | None, workers: int | None, quiet: bool) -> None:
    """Random-sampling search: score N sampled architectures and print the best."""
    expressions = parse_score_list(score)
    if len(expressions) != 1:
        raise NaswotError("search ranks by one score: pass a single --score (use `naswot correlate` to compare several)")
    expression = expressions[0]
    if n < 1:
        raise NaswotError(f"--n {n} samples nothing: use --n 1 or more")
    search_space = get_space(space)
    table, chosen = open_table(search_space, benchmark, dataset, data)
    batch = batch_from(data, data_root, split, batch_size, seed)
    start = time.perf_counter()
    with Store(store) as results:
        outcome = random_search(search_space, expression, batch, n, seed=seed, store=results,
                                compute=compute_options(workers, quiet), budget_seconds=budget)
    seconds = time.perf_counter() - start
    archs = [arch for arch, _, _ in outcome.ranked]
    accuracies = [table.lookup(a, chosen) for a in archs] if table and chosen else [None] * len(archs)
    view = Table("rank", "architecture", expression.name, *([f"{chosen} acc"] if table else []),
                 title=f"best {min(top, len(archs))} of {len(archs)} by {expression.name} ({seconds:.1f} s)")
    for rank, ((arch, value, _), accuracy) in enumerate(zip(outcome.ranked[:top], accuracies), start=1):
        view.add_row(str(rank), str(arch), fmt(value), *([fmt(accuracy)] if table else []))
    console.print(view)
    if not outcome.complete:
        console.print(f"[yellow]time budget reached: scored {len(archs)} of {outcome.sampled} sampled architectures")
    known = [accuracy for accuracy in accuracies if accuracy is not None]
    if known and accuracies[0] is not None:
        beaten = sum(accuracy < accuracies[0] for accuracy in known) / len(known)
        console.print(f"the pick trains to {accuracies[0]:.2f} ({chosen}); of the {len(known)} sampled, the best reaches "
                      f"{max(known):.2f} and the mean {np.mean(known):.2f}; the pick beats {100 * beaten:.0f}% of them")
    best_arch, best_score, best_reason = outcome.ranked[0]
    write_json(json_path, {
        "command": "search", "space": search_space.spec(), "score": expression.name, "n": n, "seed": seed,
        "data": batch.fingerprint, "best_arch": str(best_arch), "best_score": finite_or_none(best_score),
        "best_reason": best_reason, "accuracy": accuracies[0], "dataset": chosen,
        "sample_best_accuracy": max(known, default=None), "sample_mean_accuracy": float(np.mean(known)) if known else None,
        "seconds": seconds, "scored": len(archs), "complete": outcome.complete, "computed": outcome.table.computed,
        "reused": outcome.table.reused,
        "top": [{"arch": str(a), "score": finite_or_none(v), "accuracy": acc}
                for (a, v, _), acc in zip(outcome.ranked[:top], accuracies)],
    })
    write_csv(csv_path, ["arch", expression.name, "accuracy"],
              [[str(a), v, acc] for (a, v, _), acc in zip(outcome.ranked, accuracies)])
