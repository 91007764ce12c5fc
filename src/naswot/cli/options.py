"""Options shared by the commands, and the steps that turn them into library objects."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import click

from naswot.backends import check_address, check_backend
from naswot.data import load_batch
from naswot.data.batch import Batch
from naswot.device import DEVICE_HELP, resolve_device
from naswot.errors import NaswotError
from naswot.executor import Compute
from naswot.spaces.base import SearchSpace
from naswot.tables import AccuracyTable, load_table

DEFAULT_STORE = "naswot-results.db"


def positive(fix: str) -> Callable[[click.Context, click.Parameter, float | None], float | None]:
    """A callback that refuses a number at or below 0 in one line, while the options are read (before any work)."""

    def check(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
        if value is not None and value <= 0:
            raise NaswotError(f"{param.opts[0]} {value:g} is not above 0: {fix}")
        return value

    return check


def writable_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an output file whose folder is missing or read-only while the options are read, not after the work."""
    if value is None:
        return None
    path = Path(value)
    folder = path.parent
    if not folder.is_dir():
        raise NaswotError(f"{param.opts[0]} {value}: the folder {folder} does not exist: create it or write elsewhere")
    if path.is_dir() or not os.access(folder, os.W_OK):
        raise NaswotError(f"{param.opts[0]} {value}: cannot write a file there: pass a file path in a writable folder")
    return value


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
def _where(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Check --backend/--address/--device at once and keep them for ``compute_options`` (every scoring command takes them)."""
    if value is not None:
        check = {"backend": check_backend, "address": check_address, "device": resolve_device}[param.name or ""]
        check(value)
        ctx.meta[f"naswot.{param.name}"] = value


run_options = _options(
    click.option("--store", default=DEFAULT_STORE, show_default=True,
                 help="SQLite file that keeps every result; ':memory:' keeps none."),
    click.option("--json", "json_path", callback=writable_path, help="Write a JSON summary here."),
    click.option("--workers", type=int, callback=positive("use --workers 1 or more, or leave it out for one per CPU"),
                 help="Worker processes (default: one per CPU); with --backend ray, Ray workers."),
    click.option("--quiet", is_flag=True, help="No progress bar."),
    click.option("--backend", default="local", show_default=True, expose_value=False, callback=_where,
                 help="local (worker processes here) or ray (pip install 'naswot[ray]')."),
    click.option("--address", expose_value=False, callback=_where,
                 help="With --backend ray: auto or ray://host:port of a running cluster (default: start Ray here)."),
    click.option("--device", default="auto", show_default=True, expose_value=False, callback=_where,
                 help=f"Where networks run: {DEVICE_HELP}."),
)


def budget_option(help_text: str) -> Callable:
    return click.option("--budget", type=float, help=help_text,
                        callback=positive("give the seconds to spend, or leave --budget out for no limit"))


def capped_note(requested: int, sampled: int, holder: str) -> str | None:
    """The note a command prints when --n asked for more architectures than ``holder`` (the space, a table) holds."""
    if sampled >= requested:
        return None
    return f"note: --n {requested} capped to {sampled:,}: {holder} holds only {sampled:,} architectures"


def compute_options(workers: int | None, quiet: bool, show_progress: bool = True) -> Compute:
    """How to compute, from --workers and --quiet and the --backend/--address/--device that ``run_options`` kept."""
    meta = click.get_current_context().meta
    return Compute(workers=workers, show_progress=show_progress and not quiet, backend=meta.get("naswot.backend", "local"),
                   address=meta.get("naswot.address"), device=meta.get("naswot.device", "auto"))


def batch_from(data: str, data_root: str | None, split: str, batch_size: int, seed: int) -> Batch:
    return load_batch(data, data_root, split=split, batch_size=batch_size, seed=seed)


def open_table(
    space: SearchSpace, benchmark: str | None, dataset: str | None, data: str
) -> tuple[AccuracyTable | None, str | None]:
    """The accuracy table and which of its data sets to use; the space's name picks the reader."""
    if benchmark is None:
        return None, None
    table = load_table(space.name, benchmark)
    chosen = dataset or (data if data in table.datasets else table.datasets[0])
    table.check_dataset(chosen)
    return table, chosen
