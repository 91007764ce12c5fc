"""Options shared by the commands, and the steps that turn them into library objects.

Nothing here imports torch: an option is refused while the command line is read, before any network
(and before the second it takes to import torch); the library is imported only to do the work.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from naswot.compute import DEVICE_HELP, Compute, check_address, check_device_text
from naswot.errors import NaswotError
from naswot.image_size import parse_image_size

if TYPE_CHECKING:
    from naswot.data.batch import Batch

DEFAULT_STORE = "naswot-results.db"
MAX_SEED = 2**63 - 1
"""Seeds seed NumPy's generators and are stored in SQLite's signed 64-bit integers."""


def positive(fix: str) -> Callable[[click.Context, click.Parameter, float | None], float | None]:
    """A callback that refuses a number at or below 0 (or not a number) in one line, while the options are read."""

    def check(ctx: click.Context, param: click.Parameter, value: float | None) -> float | None:
        if value is not None and (math.isnan(value) or math.isinf(value) or value <= 0):
            raise NaswotError(f"{param.opts[0]} {value:g} is not a positive number: {fix}")
        return value

    return check


def seed_in_range(ctx: click.Context, param: click.Parameter, value: int) -> int:
    if not 0 <= value <= MAX_SEED:
        raise NaswotError(f"--seed {value} is outside 0..2**63-1: pass a seed in that range")
    return value


def existing_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse a data root that does not exist while the options are read, before any import of the work."""
    if value is not None and not Path(value).expanduser().exists():
        raise NaswotError(f"data root {value} does not exist: pass {param.opts[0]} pointing at the images "
                          "(the official files' folder, a folder of yours, or an .npz file)")
    return value


def writable_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an output file whose folder is missing or read-only while the options are read, not after the work."""
    if value is None:
        return None
    from naswot.outputs import check_writable

    check_writable(value, param.opts[0].lstrip("-").replace("-", "_"))  # the CLI writes it back as the flag
    return value


def options(*decorators: Callable) -> Callable:
    """Several click options applied as one decorator, in the order given."""
    def apply(function: Callable) -> Callable:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


space_option = click.option(
    "--space", default="nasbench201", show_default=True,
    help="Search space and its settings, e.g. nasbench201 or nasbench201:C=8,N=1 (see `naswot list spaces`).")
space_options = options(
    space_option,
    click.option("--seed", default=0, show_default=True, callback=seed_in_range,
                 help="Seeds the sample of architectures, the batch and the initialisation (0 to 2**63-1)."),
)


def _image_size(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Check --image-size while the options are read and keep it for ``batch_from`` (every scoring command takes it)."""
    if value is not None:
        ctx.meta["naswot.image_size"] = parse_image_size(value)


data_source_options = options(
    click.option("--data", default="cifar10", show_default=True,
                 help="cifar10, cifar100, ImageNet16-120, folder (your images), npz (your arrays) or synthetic; "
                      "see `naswot list data`."),
    click.option("--data-root", envvar="NASWOT_DATA_ROOT", callback=existing_path,
                 help="The official data files' folder (or its parent); with --data folder, your folder (one subfolder "
                      "per class, or images without labels); with --data npz, your .npz file; env NASWOT_DATA_ROOT."),
)
data_options = options(
    data_source_options,
    click.option("--split", default="train", show_default=True, type=click.Choice(["train", "test"]),
                 help="Draw the batch from the train or test images."),
    click.option("--batch-size", default=128, show_default=True, help="Images in the scoring batch (the papers use 128)."),
    click.option("--image-size", expose_value=False, callback=_image_size,
                 help="Resize the images to H or HxW pixels (default: the data's own size)."),
)
budget_options = options(
    click.option("--max-params", type=float, callback=positive("give the limit in millions of parameters, e.g. 0.4"),
                 help="Evaluate only networks with at most this many million parameters."),
    click.option("--max-flops", type=float, callback=positive("give the limit in millions of multiply-accumulates"),
                 help="... at most this many million multiply-accumulates per image at the data's resolution."),
    click.option("--max-latency", type=float, callback=positive("give the limit in milliseconds"),
                 help="... at most this forward latency in ms (shortest of 31 passes, batch 1, on --device; kept per machine)."),
    click.option("--pareto", type=click.Choice(["params", "flops", "latency"]),
                 help="Also report the non-dominated set of (score, this cost) among everything evaluated."),
)
table_options = options(
    click.option("--benchmark", envvar="NASWOT_BENCHMARK", help="Trained-accuracy table of the space; env NASWOT_BENCHMARK."),
    click.option("--dataset", help="Which accuracies of the table to use (default: those of --data)."),
)


def _where(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Check --backend/--address/--device at once and keep them for ``compute_options`` (every scoring command takes them)."""
    if value is not None:
        if param.name == "backend":
            from naswot.backends import BACKENDS

            BACKENDS.get(value)
        else:
            {"address": check_address, "device": check_device_text}[param.name or ""](value)
        ctx.meta[f"naswot.{param.name}"] = value


def _retries(ctx: click.Context, param: click.Parameter, value: int) -> None:
    Compute(retries=value)  # a negative count is refused while the options are read
    ctx.meta["naswot.retries"] = value


device_option = click.option("--device", default="auto", show_default=True, expose_value=False, callback=_where,
                             help=f"Where networks run: {DEVICE_HELP}.")
json_option = click.option("--json", "json_path", callback=writable_path, help="Write a JSON summary here.")
run_options = options(
    click.option("--store", default=DEFAULT_STORE, show_default=True,
                 help="SQLite file that keeps every result; ':memory:' keeps none."),
    json_option,
    click.option("--workers", type=int, callback=positive("use --workers 1 or more, or leave it out for one per CPU"),
                 help="Worker processes (default: one per CPU); with --backend ray, Ray workers."),
    click.option("--quiet", is_flag=True, help="No progress display."),
    click.option("--backend", default="local", show_default=True, expose_value=False, callback=_where,
                 help="local (worker processes here) or ray (pip install 'naswot[ray]')."),
    click.option("--address", expose_value=False, callback=_where,
                 help="With --backend ray: auto or ray://host:port of a running cluster (default: start Ray here)."),
    device_option,
    click.option("--retries", type=int, default=Compute.retries, show_default=True, expose_value=False,
                 callback=_retries, help="With --backend ray: how often a worker that dies (a lost node) is restarted, "
                 "and each of its networks retried."),
)


def capped_note(requested: int, sampled: int, holder: str) -> str | None:
    """The note a command prints when --n asked for more architectures than ``holder`` (the space, a table) holds."""
    if sampled >= requested:
        return None
    return f"note: --n {requested} capped to {sampled:,}: {holder} holds only {sampled:,} architectures"


def compute_options(workers: int | None, quiet: bool, show_progress: bool = True) -> Compute:
    """How to compute, from --workers and --quiet and the --backend/--address/--device/--retries ``run_options`` kept."""
    meta = click.get_current_context().meta
    return Compute(workers=workers, show_progress=show_progress and not quiet, backend=meta.get("naswot.backend", "local"),
                   address=meta.get("naswot.address"), device=meta.get("naswot.device", "auto"),
                   retries=meta.get("naswot.retries", Compute.retries))


def batch_from(data: str, data_root: str | None, split: str, batch_size: int, seed: int) -> Batch:
    """The scoring batch of the data options (with the --image-size that ``data_options`` kept)."""
    from naswot.data import load_batch

    image_size = click.get_current_context().meta.get("naswot.image_size")
    return load_batch(data, data_root, split=split, batch_size=batch_size, seed=seed, image_size=image_size)


def store_path(path: str) -> str:
    """A store path as the user gave it, with ``~`` expanded (``:memory:`` as it is)."""
    return path if path == ":memory:" else os.fspath(Path(path).expanduser())
