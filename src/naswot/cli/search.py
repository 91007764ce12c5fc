"""`naswot search`: run one search strategy (random sampling by default) and print what it found."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click
import numpy as np
from rich.table import Table

from naswot.cli.flags import in_cli_terms
from naswot.cli.options import (
    batch_from,
    budget_options,
    capped_note,
    compute_options,
    data_options,
    open_table,
    positive,
    run_options,
    space_options,
    table_options,
    writable_path,
)
from naswot.cli.output import arch_column, console, number_column, run_account, write_csv, write_json
from naswot.errors import NaswotError
from naswot.outputs import finite_or_none
from naswot.spaces import get_space
from naswot.store import Store

if TYPE_CHECKING:
    from naswot.data.batch import Batch
    from naswot.search.pareto import ParetoFront
    from naswot.search.run import SearchRun
    from naswot.spaces.base import Arch, SearchSpace


@click.command("search")
@click.option("--strategy", "strategy_name", default="random", show_default=True,
              help="How to search: random, rea, area, evolve, or a registered strategy (rea and area need --benchmark).")
@click.option("--score", default="naswot", show_default=True,
              help="The training-free fitness: a score, or rank_product(a,b,...) ranking within everything scored.")
@click.option("--n", type=int, help="Evaluations: networks scored (random, evolve) or trained by table lookup (rea, area). "
                                    "Default 100 unless --budget is given.")
@click.option("--budget", type=float, callback=positive("give the seconds to spend, or leave --budget out for no limit"),
              help="Seconds of compute the search may spend: the stored compute seconds of its scores (so a rerun "
                   "from the store repeats it exactly), or the table's training seconds for rea/area.")
@click.option("--population", default=10, show_default=True, help="Evolution's population P (rea, area, evolve).")
@click.option("--sample", "sample_size", default=3, show_default=True, help="Evolution's tournament sample S.")
@click.option("--m", "m", default=1000, show_default=True, help="area: architectures scored to seed the population.")
@click.option("--top", default=10, show_default=True, callback=positive("use --top 1 or more"), help="Rows to print.")
@click.option("--csv", "csv_path", callback=writable_path, help="Write every evaluated architecture here.")
@space_options
@data_options
@budget_options
@table_options
@run_options
def command(strategy_name: str, score: str, n: int | None, budget: float | None, population: int, sample_size: int, m: int,
            top: int, csv_path: str | None, space: str, seed: int, data: str, data_root: str | None, split: str,
            batch_size: int, max_params: float | None, max_flops: float | None, max_latency: float | None,
            pareto: str | None, benchmark: str | None, dataset: str | None, store: str, json_path: str | None,
            workers: int | None, quiet: bool) -> None:
    """Search the space with a strategy (random sampling, REA, AREA or training-free evolution); print the best."""
    from naswot.device import resolve_device
    from naswot.report.pick import Pick, accuracy_rank
    from naswot.scores.expressions import parse_score_list
    from naswot.search import get_strategy
    from naswot.search.budget import Budget
    from naswot.search.stored import search_with_store

    strategy_class = get_strategy(strategy_name)
    expressions = parse_score_list(score)
    if len(expressions) != 1:
        raise NaswotError("search ranks by one score: pass a single --score (use `naswot correlate` to compare several)")
    options = {"population": population, "sample": sample_size, "m": m, "fitness": expressions[0]}
    strategy = strategy_class(**{k: v for k, v in options.items() if k in strategy_class.__dataclass_fields__})
    n = 100 if n is None and budget is None else n
    limits = Budget(max_params, max_flops, max_latency)
    search_space = get_space(space)
    table, chosen = open_table(search_space, benchmark, dataset, data)
    measures = strategy.fitness is not None or bool(limits) or pareto is not None
    batch = batch_from(data, data_root, split, batch_size, seed) if measures else None
    if strategy_name == "random" and n is not None:
        note = capped_note(n, min(n, len(search_space)), search_space.spec())
        if note:
            console.print(note)
    start = time.perf_counter()
    compute = compute_options(workers, quiet)
    with Store(store) as results:
        run = search_with_store(search_space, strategy, batch, table=table, dataset=chosen, n=n, budget_seconds=budget,
                                seed=seed, store=results, compute=compute, budget=limits or None, pareto=pareto)
    seconds = time.perf_counter() - start
    ranked = run.ranked()
    fitness_name = strategy.fitness.name if strategy.fitness is not None else "score"
    view = Table("rank", arch_column(), fitness_name, *([f"{chosen} acc", "trained"] if table else []),
                 title=f"{strategy.name}: best {min(top, len(ranked))} of {len(ranked)} architectures "
                       f"({run_account(seconds, run.computed, run.reused)})")
    shown = ranked[:top]
    values, accuracies = number_column([v for _, v in shown]), number_column([e.accuracy for e, _ in shown])
    for rank, ((evaluation, _), value, accuracy) in enumerate(zip(shown, values, accuracies), start=1):
        view.add_row(str(rank), str(evaluation.arch), value,
                     *([accuracy, "yes" if evaluation.trained else "no"] if table else []))
    console.print(view)
    console.print(f"pick: {run.best.arch}", soft_wrap=True)
    if limits:
        console.print(f"budget {in_cli_terms(limits.describe())}: {run.rejected:,} drawn networks were over it and never "
                      "scored")
    if run.pareto is not None:
        console.print(_front_table(run.pareto, fitness_name))
    if not run.complete:
        console.print(f"[yellow]time budget reached after {len(run.history)} evaluations")
    known = [evaluation.accuracy for evaluation, _ in ranked if evaluation.accuracy is not None]
    if table and len(known) < len(ranked):
        console.print(f"[yellow]warning: the table has no {chosen} accuracy for {len(ranked) - len(known)} of the "
                      f"{len(ranked)} evaluated architectures (shown as -): it does not cover them")
    if known and run.best_accuracy is not None:
        beaten = sum(accuracy < run.best_accuracy for accuracy in known) / len(known)
        console.print(f"the pick trains to {run.best_accuracy:.2f} ({chosen}); of the {len(known)} evaluated, the best "
                      f"reaches {max(known):.2f} and the mean {np.mean(known):.2f}; the pick beats {100 * beaten:.0f}% of them")
    if json_path:
        sizes = [_sizes(run, search_space, evaluation.arch, batch) for evaluation, _ in ranked[:top]]
        pick = Pick(str(run.best.arch), search_space.spec(), finite_or_none(run.best_score), rank=1, evaluated=len(ranked),
                    accuracy=run.best_accuracy, accuracy_rank=accuracy_rank(run.best_accuracy, known),
                    num_classes=batch.num_classes if batch else 10, **_sizes(run, search_space, run.best.arch, batch))
        write_json(json_path, {
            "command": "search", "strategy": strategy.name, "space": search_space.spec(),
            "score": strategy.fitness.name if strategy.fitness is not None else None, "n": n,
            "seed": seed, "data": batch.fingerprint if batch else None, "batch_size": batch_size if batch else None,
            "device": str(resolve_device(compute.device)), "pick": pick.to_json(), "best_arch": pick.arch,
            "best_score": finite_or_none(run.best_score), "accuracy": run.best_accuracy, "dataset": chosen,
            "sample_best_accuracy": max(known, default=None), "sample_mean_accuracy": float(np.mean(known)) if known else None,
            "wall_seconds": seconds, "compute_seconds": run.seconds, "scored": sum(not e.trained for e in run.history),
            "complete": run.complete, "computed": run.computed, "reused": run.reused,
            "budget": limits.to_json() if limits else None, "rejected": run.rejected if limits else None,
            "pareto": run.pareto.to_json() if run.pareto else None,
            "top": [{"arch": str(e.arch), "score": finite_or_none(v), "accuracy": e.accuracy, **size}
                    for (e, v), size in zip(ranked[:top], sizes)],
            "run": run.to_json(),
        })
    costs = sorted({name for measured in run.costs.values() for name in measured})
    on_front = {point.arch for point in run.pareto.points} if run.pareto else set()
    write_csv(csv_path, ["arch", fitness_name, "accuracy", "trained", *costs, *(["pareto"] if run.pareto else [])],
              [[str(e.arch), v, e.accuracy, e.trained, *(run.costs.get(str(e.arch), {}).get(c) for c in costs),
                *([str(e.arch) in on_front] if run.pareto else [])] for e, v in ranked])


def _front_table(front: ParetoFront, fitness_name: str) -> Table:
    view = Table(arch_column(), fitness_name, front.cost if front.cost == "params" else f"{front.cost} ({front.unit})",
                 "accuracy",
                 title=f"trade-off: the {len(front.points)} non-dominated of {front.considered:,} evaluated "
                       f"(no other has a higher {fitness_name} for less {front.cost}), cheapest first")
    columns = [number_column([getattr(p, name) for p in front.points]) for name in ("score", "cost", "accuracy")]
    for point, *cells in zip(front.points, *columns):
        view.add_row(point.arch, *cells)
    return view


def _sizes(run: SearchRun, space: SearchSpace, arch: Arch, batch: Batch | None) -> dict[str, float | None]:
    """Parameters and FLOPs of ``arch``: those the search measured for its budget, else counted on the built network."""
    measured = run.costs.get(str(arch), {})
    if "params" in measured and ("flops" in measured or batch is None):
        return {"params": measured["params"], "flops": measured.get("flops")}
    from naswot.scores.size import network_sizes

    return network_sizes(space.build(arch, num_classes=batch.num_classes if batch else 10), batch)
