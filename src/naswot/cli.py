"""The ``naswot`` command line: score, search, correlate, list.

Every command checks its input before work starts; a problem ends the run with one line naming it
and the fix (exit code 2), never a traceback. Results go to a SQLite store as they are computed, so
rerunning an interrupted command resumes it.
"""

from __future__ import annotations

import csv
import json
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import numpy as np
from rich.console import Console
from rich.table import Table

from naswot.data import DATASETS, load_batch
from naswot.errors import NaswotError
from naswot.executor import score_architectures
from naswot.scores import get_score, score_names
from naswot.search import random_search, sample_distinct
from naswot.spaces import get_space, space_names
from naswot.spaces.base import Arch, SearchSpace
from naswot.store import Store
from naswot.tables import AccuracyTable, load_table

# Piped output keeps architecture strings on one line; a terminal folds them to its width.
console = Console(width=None if sys.stdout.isatty() else 240, emoji=False)
DEFAULT_STORE = "naswot-results.db"


def main() -> None:
    """Entry point: run the command group, turning user errors and interrupts into one line each."""
    try:
        cli.main(standalone_mode=False)
    except NaswotError as exc:
        print(f"naswot: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except (click.exceptions.Abort, KeyboardInterrupt):
        print("naswot: interrupted; finished results are in the store: rerun the same command to resume", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Neural architecture search without training."""


# ---------------------------------------------------------------- shared options


def _options(*decorators: Callable) -> Callable:
    def apply(function: Callable) -> Callable:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


space_options = _options(
    click.option("--space", default="nasbench201", show_default=True,
                 help="Search space, e.g. nasbench201 or nasbench201:C=8,N=1."),
    click.option("--seed", default=0, show_default=True,
                 help="Seeds the sample of architectures, the batch and the initialisation."),
)
data_options = _options(
    click.option("--data", default="cifar10", show_default=True, help="cifar10, cifar100, ImageNet16-120 or synthetic."),
    click.option("--data-root", envvar="NASWOT_DATA_ROOT",
                 help="Folder with the official data files (or its parent); env NASWOT_DATA_ROOT."),
    click.option("--split", default="train", show_default=True, help="Draw the batch from the train or test images."),
    click.option("--batch-size", default=128, show_default=True, help="Images in the scoring batch (the papers use 128)."),
)
table_options = _options(
    click.option("--benchmark", envvar="NASWOT_BENCHMARK", help="Trained-accuracy table of the space; env NASWOT_BENCHMARK."),
    click.option("--dataset", help="Which accuracies of the table to use (default: those of --data)."),
)
run_options = _options(
    click.option("--store", default=DEFAULT_STORE, show_default=True,
                 help="SQLite file that keeps every result; ':memory:' keeps none."),
    click.option("--json", "json_path", help="Write a JSON summary here."),
    click.option("--workers", type=int, help="Worker processes (default: one per CPU)."),
    click.option("--quiet", is_flag=True, help="No progress bar."),
)


# ---------------------------------------------------------------- shared steps


def _score_list(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise NaswotError("--score is empty: name at least one score (see `naswot list scores`)")
    for name in names:
        get_score(name)
    return names


def _open_table(
    space: SearchSpace, benchmark: str | None, dataset: str | None, data: str
) -> tuple[AccuracyTable | None, str | None]:
    """The accuracy table and which of its data sets to use; the space's name picks the reader."""
    if benchmark is None:
        return None, None
    table = load_table(space.name, benchmark)
    chosen = dataset or (data if data in table.datasets else table.datasets[0])
    table.check_dataset(chosen)
    return table, chosen


def _accuracies(table: AccuracyTable | None, dataset: str | None, archs: list[Arch]) -> list[float | None]:
    if table is None or dataset is None:
        return [None] * len(archs)
    return [table.lookup(a, dataset) for a in archs]


def _correlation_sample(space: SearchSpace, table: AccuracyTable, n: int, seed: int) -> list[Arch]:
    """A seeded sample of the space, or of the table's architectures when it covers only part of the space.

    Architectures drawn from a table go through the space's parser, so a table of another space
    (or another NDS space) is refused in one line instead of scoring the wrong networks.
    """
    rng = np.random.default_rng(seed)
    held = table.archs()
    if held is None:
        return sample_distinct(space, n, rng)
    chosen = rng.choice(len(held), size=min(n, len(held)), replace=False)
    return [space.parse(str(held[i])) for i in sorted(chosen)]


def _write_json(path: str | None, payload: dict[str, Any]) -> None:
    if path is None:
        return
    try:
        Path(path).write_text(json.dumps(payload, indent=2) + "\n")
    except OSError as exc:
        raise NaswotError(f"cannot write {path} ({exc.strerror}): pass a writable --json path") from None


def _write_csv(path: str | None, header: list[str], rows: list[list[Any]]) -> None:
    if path is None:
        return
    try:
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    except OSError as exc:
        raise NaswotError(f"cannot write {path} ({exc.strerror}): pass a writable --csv path") from None


def _finite_or_none(value: float | None) -> float | None:
    """JSON has no infinity: an undefined score is written as null (its reason goes beside it)."""
    return None if value is None or not math.isfinite(value) else value


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return "-inf" if math.isinf(value) else f"{value:.6g}"


# ---------------------------------------------------------------- commands


@cli.command()
@click.argument("archs", nargs=-1)
@click.option("--file", "arch_file", help="A file with one architecture per line.")
@click.option("--index", "indices", type=int, multiple=True, help="Official benchmark index (needs --benchmark); repeatable.")
@click.option("--score", default="naswot", show_default=True, help="Score name(s), comma-separated; see `naswot list scores`.")
@space_options
@data_options
@table_options
@run_options
def score(archs: tuple[str, ...], arch_file: str | None, indices: tuple[int, ...], score: str, space: str, seed: int,
          data: str, data_root: str | None, split: str, batch_size: int, benchmark: str | None, dataset: str | None,
          store: str, json_path: str | None, workers: int | None, quiet: bool) -> None:
    """Score the given architectures and print one row each."""
    names = _score_list(score)
    search_space = get_space(space)
    table, chosen = _open_table(search_space, benchmark, dataset, data)
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
    batch = load_batch(data, data_root, split=split, batch_size=batch_size, seed=seed)
    start = time.perf_counter()
    with Store(store) as results:
        scored = score_architectures(search_space, parsed, names, batch, seed=seed, store=results, workers=workers,
                                     show_progress=not quiet and len(parsed) > 1)
    accuracies = _accuracies(table, chosen, parsed)
    view = Table("architecture", *names, *([f"{chosen} acc"] if table else []))
    rows = []
    for arch, accuracy in zip(parsed, accuracies):
        values = {name: scored.results[name][str(arch)] for name in names}
        view.add_row(str(arch), *(_fmt(v.value) for v in values.values()), *([_fmt(accuracy)] if table else []))
        rows.append({"arch": str(arch), "accuracy": accuracy,
                     "scores": {name: _finite_or_none(v.value) for name, v in values.items()},
                     "undefined": {name: v.reason for name, v in values.items() if v.reason}})
    console.print(view)
    _write_json(json_path, {"space": search_space.spec(), "data": batch.fingerprint, "seed": seed,
                            "seconds": time.perf_counter() - start, "results": rows})


@cli.command()
@click.option("--score", default="naswot", show_default=True, help="The score to rank by.")
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
    names = _score_list(score)
    if len(names) != 1:
        raise NaswotError("search ranks by one score: pass a single --score (use `naswot correlate` to compare several)")
    if n < 1:
        raise NaswotError(f"--n {n} samples nothing: use --n 1 or more")
    search_space = get_space(space)
    table, chosen = _open_table(search_space, benchmark, dataset, data)
    batch = load_batch(data, data_root, split=split, batch_size=batch_size, seed=seed)
    start = time.perf_counter()
    with Store(store) as results:
        outcome = random_search(search_space, names[0], batch, n, seed=seed, store=results, workers=workers,
                                budget_seconds=budget, show_progress=not quiet)
    seconds = time.perf_counter() - start
    archs = [arch for arch, _, _ in outcome.ranked]
    accuracies = _accuracies(table, chosen, archs)
    view = Table("rank", "architecture", names[0], *([f"{chosen} acc"] if table else []),
                 title=f"best {min(top, len(archs))} of {len(archs)} by {names[0]} ({seconds:.1f} s)")
    for rank, ((arch, value, _), accuracy) in enumerate(zip(outcome.ranked[:top], accuracies), start=1):
        view.add_row(str(rank), str(arch), _fmt(value), *([_fmt(accuracy)] if table else []))
    console.print(view)
    if not outcome.complete:
        console.print(f"[yellow]time budget reached: scored {len(archs)} of {outcome.sampled} sampled architectures")
    known = [accuracy for accuracy in accuracies if accuracy is not None]
    if known and accuracies[0] is not None:
        beaten = sum(accuracy < accuracies[0] for accuracy in known) / len(known)
        console.print(f"the pick trains to {accuracies[0]:.2f} ({chosen}); of the {len(known)} sampled, the best reaches "
                      f"{max(known):.2f} and the mean {np.mean(known):.2f}; the pick beats {100 * beaten:.0f}% of them")
    best_arch, best_score, best_reason = outcome.ranked[0]
    _write_json(json_path, {
        "space": search_space.spec(), "score": names[0], "n": n, "seed": seed, "data": batch.fingerprint,
        "best_arch": str(best_arch), "best_score": _finite_or_none(best_score), "best_reason": best_reason,
        "accuracy": accuracies[0], "dataset": chosen, "sample_best_accuracy": max(known, default=None),
        "sample_mean_accuracy": float(np.mean(known)) if known else None, "seconds": seconds, "scored": len(archs),
        "complete": outcome.complete, "computed": outcome.table.computed, "reused": outcome.table.reused,
        "top": [{"arch": str(a), "score": _finite_or_none(v), "accuracy": acc}
                for (a, v, _), acc in zip(outcome.ranked[:top], accuracies)],
    })
    _write_csv(csv_path, ["arch", names[0], "accuracy"],
               [[str(a), v, acc] for (a, v, _), acc in zip(outcome.ranked, accuracies)])


@cli.command()
@click.option("--score", default="naswot", show_default=True, help="Score name(s), comma-separated.")
@click.option("--n", default=1000, show_default=True, help="How many architectures to sample.")
@click.option("--plot", help="Scatter plot PNG (default: beside --json, else in the current folder).")
@click.option("--csv", "csv_path", help="Write every architecture's scores and accuracy here.")
@click.option("--ensemble", default="",
              help="Also rank by rank_mean and/or rank_product of all --score scores (comma-separated).")
@click.option("--learned", default=0, show_default=True,
              help="Also fit a learned ensemble of the --score scores on the accuracies of the first K sampled "
                   "architectures, and judge it on the others.")
@click.option("--save-ensemble", help="Save the learned ensemble to this file (a pickle: load only files you made).")
@space_options
@data_options
@table_options
@run_options
def correlate(score: str, n: int, plot: str | None, csv_path: str | None, ensemble: str, learned: int,
              save_ensemble: str | None, space: str, seed: int, data: str, data_root: str | None, split: str,
              batch_size: int, benchmark: str | None, dataset: str | None, store: str, json_path: str | None,
              workers: int | None, quiet: bool) -> None:
    """Score a seeded sample of the space and rank-correlate the scores (and their ensembles) with trained accuracy."""
    # scipy and matplotlib load in a second or more; only this command needs them
    from naswot.ensemble import check_ensemble, zero_label_ensemble
    from naswot.evaluate import rank_correlation, simulate_search
    from naswot.report.plots import plot_score_vs_accuracy

    names = _score_list(score)
    methods = [m.strip() for m in ensemble.split(",") if m.strip()]
    for method in methods:
        check_ensemble(method, len(names))
    if n < 2:
        raise NaswotError(f"--n {n} is too few to correlate: use --n 2 or more (the papers use 1000)")
    if learned and not 10 <= learned <= n - 10:
        raise NaswotError(f"--learned {learned} leaves too few architectures to fit or to judge: "
                          f"use 10 to {max(10, n - 10)} (and --n at least 20)")
    if benchmark is None:
        raise NaswotError("correlate needs trained accuracies: pass --benchmark with the space's table")
    search_space = get_space(space)
    table, chosen = _open_table(search_space, benchmark, dataset, data)
    assert table is not None and chosen is not None
    batch = load_batch(data, data_root, split=split, batch_size=batch_size, seed=seed)
    archs = _correlation_sample(search_space, table, n, seed)
    accuracies = [table.accuracy(a, chosen) for a in archs]
    start = time.perf_counter()
    with Store(store) as results:
        scored = score_architectures(search_space, archs, names, batch, seed=seed, store=results, workers=workers,
                                     show_progress=not quiet)
    seconds = time.perf_counter() - start
    columns = {name: scored.values(name, archs) for name in names}
    medians = {name: float(np.median([scored.results[name][str(a)].seconds for a in archs])) for name in names}
    for method in methods:
        columns[method] = list(zero_label_ensemble(method, {name: columns[name] for name in names}))
        medians[method] = sum(medians[name] for name in names)  # an ensemble costs all of its scores
    rows = {name: (values, accuracies) for name, values in columns.items()}
    fitted = None
    if learned:
        from naswot.learned_ensemble import fit_learned_ensemble  # scikit-learn: only when asked for

        fitted = fit_learned_ensemble({name: columns[name][:learned] for name in names}, accuracies[:learned],
                                      dataset=chosen, seed=seed)
        if save_ensemble:
            fitted.save(save_ensemble)
        rows[f"learned({learned})"] = (list(fitted.predict({name: columns[name][learned:] for name in names})),
                                       accuracies[learned:])
        medians[f"learned({learned})"] = sum(medians[name] for name in names)
    search_n = 100 if len(archs) >= 200 else None
    view = Table("score", "Kendall tau", "Spearman rho", "undefined", "median s/arch",
                 *([f"search N={search_n}"] if search_n else []),
                 title=f"{len(archs)} {search_space.spec()} architectures vs {chosen} accuracy")
    per_score: dict[str, dict[str, Any]] = {}
    panels = {}
    for name, (values, truth) in rows.items():
        corr = rank_correlation(values, truth)
        per_score[name] = {"kendall_tau": corr.kendall_tau, "spearman_rho": corr.spearman_rho,
                           "undefined": corr.undefined, "median_seconds": medians[name], "n": len(values)}
        searched = [""] if search_n else []
        if search_n and len(values) >= search_n:
            per_score[name]["search_mean"] = simulate_search(values, truth, search_n, seed=seed).mean
            searched = [f"{per_score[name]['search_mean']:.2f}"]
        panels[name] = (values, truth, corr)
        view.add_row(name, f"{corr.kendall_tau:.3f}", f"{corr.spearman_rho:.3f}", str(corr.undefined),
                     f"{medians[name]:.3f}", *searched)
    console.print(view)
    if methods:
        console.print(f"ensembles combine {', '.join(names)} by rank: no accuracy labels used")
    if fitted:
        per_score[f"learned({learned})"].update(labelled=fitted.labelled, description=fitted.describe())
        console.print(f"{fitted.describe()}; its row is judged on the other {len(archs) - learned} architectures only"
                      + (f"; saved to {save_ensemble}" if save_ensemble else ""))
    default_plot = f"correlate-{search_space.name}-{'+'.join(names)}-{chosen}.png"
    plot_path = Path(plot or (Path(json_path).with_suffix(".png") if json_path else default_plot))
    plot_score_vs_accuracy(panels, plot_path, dataset=chosen, subtitle=f"{search_space.spec()}, {batch.fingerprint}, seed {seed}")
    console.print(f"data: {batch.fingerprint}   plot: {plot_path}")
    first = per_score[names[0]]
    _write_json(json_path, {
        "space": search_space.spec(), "score": ",".join(names), "n": len(archs), "seed": seed, "dataset": chosen,
        "benchmark": benchmark, "data": batch.fingerprint, "kendall_tau": first["kendall_tau"],
        "spearman_rho": first["spearman_rho"], "scores": per_score, "seconds": seconds,
        "computed": scored.computed, "reused": scored.reused, "plot": str(plot_path),
    })
    _write_csv(csv_path, ["arch", *columns, "accuracy"],
               [[str(a), *(column[i] for column in columns.values()), acc] for i, (a, acc) in enumerate(zip(archs, accuracies))])


@cli.command("list")
@click.argument("what", default="scores", type=click.Choice(["scores", "spaces", "data"]))
def list_things(what: str) -> None:
    """List the registered scores, spaces or data sets."""
    if what == "scores":
        view = Table("score", "needs", "what it measures")
        for name in score_names():
            spec = get_score(name)
            needs = [label for label, on in (("gradients", spec.needs_grad), ("labels", spec.needs_labels),
                                             ("loss", spec.needs_loss)) if on]
            view.add_row(name, ", ".join(needs) or "forward only", spec.description)
        console.print(view)
    elif what == "spaces":
        for name in space_names():
            try:
                count = len(get_space(name))
                size = f"{count:,} architectures" if count < sys.maxsize else f"over {count:.1e} architectures"
            except NaswotError as exc:  # e.g. the zoo's default models need an optional package
                size = str(exc)
            console.print(f"{name}  ({size})")
    else:
        console.print("synthetic  (Gaussian images, no files needed)")
        for name, dataset in DATASETS.items():
            console.print(f"{name}  ({dataset.num_classes} classes)")
