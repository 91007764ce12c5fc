"""`naswot list`: what is registered (scores and named combinations, spaces, data sets)."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from naswot.cli.output import console
from naswot.errors import NaswotError
from naswot.spaces import get_space, space_names


@click.command("list")
@click.argument("what", default="scores", type=click.Choice(["scores", "spaces", "data"]))
def command(what: str) -> None:
    """List the registered scores, spaces or data sets."""
    from naswot.data import DATASETS
    from naswot.scores import get_score, score_names
    from naswot.scores.expressions import COMBINATIONS

    if what == "scores":
        view = Table("score", "needs", "what it measures")
        for name in score_names():
            spec = get_score(name)
            needs = [label for label, on in (("gradients", spec.needs_grad), ("labels", spec.needs_labels),
                                             ("loss", spec.needs_loss)) if on]
            view.add_row(name, ", ".join(needs) or "forward only", spec.description)
        for name, definition in COMBINATIONS.items():
            view.add_row(name, "its members", f"{definition}: ranks within the scored population, no labels")
        console.print(view)
        console.print("combine any of them by rank: rank_product(a,b,...) or rank_mean(a,b,...)")
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
