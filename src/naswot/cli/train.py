"""`naswot train`: train a picked architecture (NAS-Bench-201's recipe by default), resumably, and measure it."""

from __future__ import annotations

import click
from rich.table import Table

from naswot.cli.options import data_source_options, device_option, json_option, positive, seed_in_range, space_option
from naswot.cli.output import console, write_json


@click.command("train")
@click.argument("arch")
@space_option
@data_source_options
@click.option("--epochs", type=int, required=True, callback=positive("use --epochs 1 or more (NAS-Bench-201 trained 200)"),
              help="Epochs to train (NAS-Bench-201 trained 200).")
@click.option("--out", required=True, help="Folder for the checkpoint (after every epoch) and the final model.pt; "
                                           "rerun with the same folder to resume.")
@click.option("--split", default="train", show_default=True, type=click.Choice(["train", "test"]),
              help="train: measure on a held-out part of the training images; test: on the official test split.")
@click.option("--held-out", default=0.1, show_default=True, help="With --split train: the fraction of images held out.")
@click.option("--limit", type=int, callback=positive("use --limit 2 or more, or leave it out for every image"),
              help="Use a seeded subset of this many images of each split (a quick trial).")
@click.option("--batch-size", default=256, show_default=True, callback=positive("use --batch-size 1 or more"),
              help="Images per SGD step.")
@click.option("--lr", default=0.1, show_default=True, help="Initial learning rate (cosine decay to 0 over the run).")
@click.option("--momentum", default=0.9, show_default=True, help="SGD momentum.")
@click.option("--nesterov/--no-nesterov", default=True, show_default=True, help="Nesterov momentum.")
@click.option("--weight-decay", default=5e-4, show_default=True, help="L2 weight decay on every parameter.")
@click.option("--seed", default=0, show_default=True, callback=seed_in_range,
              help="Seeds the initialisation (the one the scores saw), the held-out part and every epoch's draws.")
@device_option
@json_option
@click.option("--quiet", is_flag=True, help="No progress display.")
def command(arch: str, space: str, data: str, data_root: str | None, epochs: int, out: str, split: str, held_out: float,
            limit: int | None, batch_size: int, lr: float, momentum: float, nesterov: bool, weight_decay: float, seed: int,
            json_path: str | None, quiet: bool) -> None:
    """Train ARCH on --data for --epochs, checkpointing into --out, and report the held-out accuracy."""
    from naswot.train import Recipe, train

    recipe = Recipe(batch_size=batch_size, lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
    device = click.get_current_context().meta.get("naswot.device", "auto")
    result = train(space, arch, data, epochs, out=out, data_root=data_root, split=split, held_out=held_out, limit=limit,
                   recipe=recipe, seed=seed, device=device, show_progress=not quiet)
    if result.resumed_from:
        console.print(f"resumed after epoch {result.resumed_from} from {result.checkpoint}")
    view = Table("epoch", "training loss", "training accuracy", "seconds")
    for entry in result.history:
        view.add_row(str(entry["epoch"]), f"{entry['train_loss']:.4f}", f"{entry['train_accuracy']:.2f}%",
                     f"{entry['seconds']:.1f}")
    console.print(view)
    console.print(f"held-out accuracy {result.test_accuracy:.2f}% ({result.held_out}) on {result.device}")
    console.print(f"wrote {result.weights}")
    write_json(json_path, result.to_json())
