"""The thesis' Table 5.1: every LLO variant on its four NATS size-space networks, then on 200 NAS-Bench-201 cells.

The thesis' R is the Pearson correlation of a variant's score with the four validation accuracies it
prints (no NATS-Bench table ships here, so those printed accuracies are the ones we correlate with).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import stats

from naswot.errors import NaswotError
from naswot.evaluate import rank_correlation
from naswot.executor import score_architectures
from naswot.reproduce.common import THESIS, ItemResult, Quoted, Row, Settings
from naswot.reproduce.items import ITEMS
from naswot.reproduce.pools import SEED, cifar10_batch
from naswot.searching import sample_distinct
from naswot.spaces.natsbench_sss import NatsBenchSizeSpace
from naswot.tables import load_table

# Table 5.1's columns, in its order: harmonic mean (abs, sq, norm abs, norm sq), then correlation (the same four).
VARIANTS = ("llo:abs:hmean", "llo:sq:hmean", "llo:abs_norm:hmean", "llo:sq_norm:hmean",
            "llo:abs:corr", "llo:sq:corr", "llo:abs_norm:corr", "llo:sq_norm:corr")
# Each network: channel tuple, printed accuracy, then its eight scores, as 003_…txt prints them.
NETWORKS = (
    ("(8, 16, 8, 16, 8)", "82.35 %", ("-0.0251", "-0.0020", "-0.1067", "-0.1037", "0.1472", "0.1154", "-0.0040", "-0.0044")),
    ("(8, 8, 16, 8, 16)", "84.61 %", ("-0.0276", "-0.0042", "-0.0681", "-0.0659", "0.1136", "0.8709", "0.0001", "0.0028")),
    ("(16, 16, 8, 16, 16)", "85.83 %", ("-0.0419", "-0.0046", "-0.1758", "-0.1715", "0.1275", "0.0988", "-0.0046", "-0.0035")),
    ("(16, 8, 16, 16, 16)", "87.23 %", ("-0.03232", "-0.0026", "-0.1497", "-0.1455", "0.1164", "0.0896", "0.0003", "0.0010")),
)
R = ("-0.6302", "-0.3445", "-0.5701", "-0.5685", "-0.7549", "-0.7536", "0.4624", "0.4583")
THESIS_BATCH = 32  # "A batch of 32 images" (section 3.5)
RANKING_CELLS, QUICK_CELLS = 200, 3


def widths(channels: str) -> str:
    """``(8, 16, 8, 16, 8)`` as the size space writes it, ``8:16:8:16:8``."""
    return ":".join(part.strip() for part in channels.strip("()").split(","))


def read_ranking(path: Path) -> tuple[dict[str, float | None], int]:
    """benchmarks.llo's Kendall tau of each variant and its cell count; a file that is not its results is one line."""
    fix = "pass llo_json= the llo.json that python -m benchmarks.llo wrote, or leave it out"
    try:
        ranking = json.loads(path.read_text(encoding="utf-8"))["ranking"]
        taus = {variant: ranking["scores"][variant]["kendall_tau"] for variant in VARIANTS}
        count = ranking["n"]
        if not isinstance(count, int) or any(t is not None and not isinstance(t, (int, float)) for t in taus.values()):
            raise TypeError("its cell count or a Kendall tau is not a number")
    except OSError as exc:
        raise NaswotError(f"cannot read {path} ({exc.strerror}): {fix}") from None
    except (ValueError, KeyError, TypeError, RecursionError) as exc:  # not JSON, not UTF-8, not that layout
        raise NaswotError(f"{path} is not benchmarks.llo's results ({type(exc).__name__}: {exc}): {fix}") from None
    return taus, count


def run(settings: Settings) -> ItemResult:
    result = ItemResult("thesis-table5.1", "Thesis, Table 5.1: the LLO score's variants", settings.quick)
    ranking = read_ranking(settings.llo_json) if settings.llo_json is not None and not settings.quick else None
    batch = cifar10_batch(settings, 4 if settings.quick else THESIS_BATCH)
    space = NatsBenchSizeSpace()
    archs = [space.parse(widths(channels)) for channels, _, _ in NETWORKS]
    table = score_architectures(space, archs, VARIANTS, batch, seed=SEED, store=settings.store,
                                compute=settings.compute)
    accuracies = np.array([Quoted(acc, THESIS).value for _, acc, _ in NETWORKS])
    for column, variant in enumerate(VARIANTS):
        values = np.array(table.values(variant, archs))
        for (channels, accuracy, printed), value in zip(NETWORKS, values):
            result.rows.append(Row(channels, variant, float(value), None, Quoted(printed[column], THESIS), f"acc {accuracy}"))
        r = float(stats.pearsonr(values, accuracies).statistic) if np.isfinite(values).all() else None
        result.rows.append(Row("R", variant, r, None, Quoted(R[column], THESIS), "Pearson r with the printed accuracies"))
    result.rows += ranking_rows(settings, result, ranking)
    result.notes += [f"Table 5.1 networks: NATS-Bench size space, {len(batch)} CIFAR-10 training images "
                     f"(the thesis: {THESIS_BATCH}), {batch.fingerprint}; our images and initialisations are not the thesis'."]
    return result


def ranking_rows(settings: Settings, result: ItemResult, ranking: tuple[dict[str, float | None], int] | None) -> list[Row]:
    """Kendall tau of each variant over the benchmarks' NAS-Bench-201 sample (the thesis ranked nothing there): the
    ``ranking`` read from ``llo_json`` when given, else computed."""
    if ranking is not None:
        taus, count = ranking
        result.notes.append(f"NAS-Bench-201 ranking: read from {settings.llo_json} (benchmarks.llo, {count} cells).")
    else:
        nb201 = load_table("nasbench201", settings.nasbench201)
        space = nb201.space()
        count = QUICK_CELLS if settings.quick else RANKING_CELLS
        archs = sample_distinct(space, count, np.random.default_rng(SEED))
        batch = cifar10_batch(settings, 4 if settings.quick else THESIS_BATCH)
        table = score_architectures(space, archs, VARIANTS, batch, seed=SEED, store=settings.store,
                                    compute=settings.compute)
        accuracies = [nb201.accuracy(a, "cifar10") for a in archs]
        taus = {v: rank_correlation(table.values(v, archs), accuracies).kendall_tau for v in VARIANTS}
        result.notes.append(f"NAS-Bench-201 ranking: the benchmarks' seeded sample of {count} cells, {batch.fingerprint}, "
                            "CIFAR-10 test accuracy.")
    return [Row(f"NAS-Bench-201, {count} cells", f"{variant} Kendall tau", taus[variant], None, None,
                "the thesis measured no NAS-Bench-201 ranking") for variant in VARIANTS]


ITEMS.register("thesis-table5.1", run)
