"""`naswot list`: what is registered (scores and named combinations, spaces with their settings, strategies, data)."""

from __future__ import annotations

import sys

import click
from rich.table import Table

from naswot.cli.output import console

SPACE_EXAMPLES = {
    "nasbench201": "nasbench201:C=8,N=1",
    "natsbench_sss": "natsbench_sss",
    "nasbench101": "nasbench101:stem=64",
    "nds": "nds:space=DARTS,widths=16|32,depths=8",
    "zoo": "zoo:family=mymodels:resnet,depth=20|56  or  zoo:pytorchcv=resnet*_cifar10",
}
"""How to write each built-in space with settings: the syntax `naswot list spaces` teaches."""
SIZE_OF_A_FAMILY = {"zoo": "one per model of the family"}
"""Spaces whose size is the user's family: counting the default one would import it (pytorchcv, and torch)."""


@click.command("list")
@click.argument("what", default="scores", type=click.Choice(["scores", "spaces", "strategies", "data"]))
def command(what: str) -> None:
    """List the registered scores, spaces (with their settings), strategies or data sets."""
    {"scores": _scores, "spaces": _spaces, "strategies": _strategies, "data": _data}[what]()


def _scores() -> None:
    from naswot.scores.catalog import catalog
    from naswot.scores.combinations import NAMED_COMBINATIONS

    view = Table("score", "needs", "what it measures")
    for entry in catalog():
        view.add_row(entry.name, ", ".join(entry.needs) or "forward only", entry.description)
    for name, definition in NAMED_COMBINATIONS.items():
        view.add_row(name, "its members", f"{definition}: ranks within the scored population, no labels")
    console.print(view)
    console.print("combine any of them by rank: rank_product(a,b,...) or rank_mean(a,b,...)")


def _spaces() -> None:
    from naswot.spaces import space_names, space_settings

    view = Table("space", "architectures", "settings", "e.g.")
    for name in space_names():
        settings = space_settings(name).removeprefix("its settings are ").replace("it takes no settings", "none")
        view.add_row(name, _size(name), settings, SPACE_EXAMPLES.get(name, name))
    console.print(view)
    console.print("write a space as name:key=value,key=value; a list of values (a|b) makes a grid where a space takes one")


def _size(name: str) -> str:
    """How many architectures the space holds with its default settings (the zoo's depend on an optional package)."""
    from naswot.errors import NaswotError
    from naswot.spaces import get_space

    if name in SIZE_OF_A_FAMILY:
        return SIZE_OF_A_FAMILY[name]
    try:
        count = len(get_space(name))
    except NaswotError as exc:
        return str(exc)
    return f"{count:,}" if count < sys.maxsize else f"over {count:.1e}"


def _strategies() -> None:
    from naswot.searching.strategy import STRATEGIES

    for name, strategy in STRATEGIES.items():
        console.print(f"{name}  {strategy.summary}")


def _data() -> None:
    from naswot.cli.flags import in_cli_terms
    from naswot.data import DATASETS

    for name, source in DATASETS.items():
        console.print(in_cli_terms(f"{name}  {source.summary}"))
