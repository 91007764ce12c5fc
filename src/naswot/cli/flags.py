"""The one place where the library's parameter names become the command line's flags.

Library messages name what to change as Python does (``workers=1``, ``batch_size=``, ``dedupe=True``), so a
caller of ``Compute(workers=0)`` reads a fix it can apply. On the command line the same message should name
the flag: this table turns ``workers=1`` into ``--workers 1`` and ``dedupe=True`` into ``--dedupe``.
"""

from __future__ import annotations

import re

FLAGS = {
    "workers": "--workers", "backend": "--backend", "address": "--address", "device": "--device",
    "batch_size": "--batch-size", "data_root": "--data-root", "data": "--data", "split": "--split",
    "seed": "--seed", "image_size": "--image-size", "benchmark": "--benchmark", "dataset": "--dataset",
    "store": "--store", "budget_seconds": "--budget", "time_limit": "--time-limit", "n": "--n", "top": "--top",
    "population": "--population", "sample": "--sample", "m": "--m", "learned": "--learned", "score": "--score",
    "space": "--space", "strategy": "--strategy", "dedupe": "--dedupe", "max_params": "--max-params",
    "max_flops": "--max-flops", "max_latency": "--max-latency", "pareto": "--pareto", "epochs": "--epochs",
    "out": "--out", "json": "--json", "csv": "--csv", "plot": "--plot", "save_ensemble": "--save-ensemble",
    "shared": "--shared", "llo_json": "--llo-json", "format": "--format", "num_classes": "--num-classes",
    "held_out": "--held-out", "lr": "--lr", "weight_decay": "--weight-decay", "momentum": "--momentum", "limit": "--limit",
    "weights": "--weights", "nb101_benchmark": "--nb101-benchmark", "retries": "--retries",
}
"""Library parameter -> command-line flag."""
SWITCHES = {"dedupe"}
"""Flags that take no value: ``dedupe=True`` is written ``--dedupe``."""

_PARAMETER = re.compile(r"(?<![\w:./=-])(" + "|".join(sorted(FLAGS, key=len, reverse=True)) + r")=(True\b)? ?")


def in_cli_terms(message: str) -> str:
    """``message`` with every ``parameter=`` written as the flag that sets it."""
    def flag(match: re.Match[str]) -> str:
        name = match.group(1)
        return FLAGS[name] if name in SWITCHES else f"{FLAGS[name]} "

    return _PARAMETER.sub(flag, message)
