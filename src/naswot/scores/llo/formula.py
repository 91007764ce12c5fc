"""The thesis' score (eq. 3.31) from LLOs, Jaccard distances of parameter sets and class labels.

    s = mean over image pairs i < j of (2 I(y_i = y_j) - 1) * [mean over elements n of
        phi(d_lambda(lambda_n^i, lambda_n^j), d_omega(omega_n^i, omega_n^j))]

with d_lambda one of four distances (eq. 3.32-3.35), d_omega the Jaccard distance (3.36) and phi
the harmonic mean (3.37) or, over the whole element vector of a pair, the correlation (3.38/3.39).

Where the thesis is silent: a normalised distance divides by sqrt|lambda_i lambda_j| (or its
square), which is 0 when an input element has no live path in one image; such elements are left
out of the mean over elements; a pair with no usable element is left out of the mean over pairs. A
pair whose correlation is undefined (fewer than two usable elements, or a distance vector that is
constant up to rounding, see ``CONSTANT_RTOL``) is left out of the mean over pairs. With nothing
left, the score is undefined. Every pair weighs the same, however many of its elements are usable.
"""

from __future__ import annotations

import math

import torch

DISTANCES = ("abs", "abs_norm", "sq", "sq_norm")
"""|a-b| (3.32), |a-b|/sqrt|ab| (3.33), (a-b)^2 (3.34), (a-b)^2/|ab| (3.35)."""
SIMILARITIES = ("hmean", "corr")
"""Harmonic mean (3.37), correlation (3.38)."""
CONSTANT_RTOL = 1e-12
"""A vector whose values span at most this fraction of its largest magnitude is constant. Its mean is
rounded, so an exactly constant vector (an MLP's Jaccard distances are the same for every element)
would otherwise leave ~1e-17 deviations and a meaningless correlation; distinct Jaccard distances of
sets of up to 10^6 parameters differ by 1e-12 or more, distinct LLO distances far more."""


def llo_distance(a: torch.Tensor, b: torch.Tensor, kind: str) -> torch.Tensor:
    """d_lambda element-wise; NaN where a normalised distance would divide by zero."""
    if kind not in DISTANCES:
        raise ValueError(f"unknown LLO distance {kind!r}: use one of {DISTANCES}")
    difference = a - b
    if kind == "abs":
        return difference.abs()
    if kind == "sq":
        return difference.square()
    product = (a * b).abs()
    value = difference.abs() / product.sqrt() if kind == "abs_norm" else difference.square() / product
    return torch.where(product > 0, value, torch.full((), math.nan, dtype=value.dtype))


def harmonic_mean(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """2ab/(a+b) element-wise, 0 where both are 0 (its limit); NaN stays NaN."""
    total = a + b
    return torch.where(total == 0, torch.zeros((), dtype=total.dtype), 2 * a * b / total)


def row_correlation(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pearson correlation of every row of ``a`` with the same row of ``b`` over the columns where
    neither is NaN; NaN for a row with fewer than two such columns or a constant row (``CONSTANT_RTOL``)."""
    usable = ~(a.isnan() | b.isnan())
    count = usable.sum(1)
    a = torch.where(usable, a, 0.0)
    b = torch.where(usable, b, 0.0)
    mean_a = a.sum(1) / count.clamp(min=1)
    mean_b = b.sum(1) / count.clamp(min=1)
    da = torch.where(usable, a - mean_a[:, None], 0.0)
    db = torch.where(usable, b - mean_b[:, None], 0.0)
    denominator = (da.square().sum(1) * db.square().sum(1)).sqrt()
    undefined = (count < 2) | _constant_rows(a, usable) | _constant_rows(b, usable)
    return torch.where(undefined, torch.full((), math.nan, dtype=a.dtype), (da * db).sum(1) / denominator.clamp(min=1e-300))


def _constant_rows(x: torch.Tensor, usable: torch.Tensor) -> torch.Tensor:
    """(rows,) bool: the usable values of the row span at most ``CONSTANT_RTOL`` of their largest magnitude."""
    inf = torch.full((), math.inf, dtype=x.dtype)
    spread = torch.where(usable, x, -inf).amax(1) - torch.where(usable, x, inf).amin(1)
    return spread <= CONSTANT_RTOL * torch.where(usable, x.abs(), 0.0).amax(1)


def class_signs(labels: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
    """2 I(y_i = y_j) - 1 per pair: +1 for the same class, -1 otherwise."""
    return torch.where(labels[pairs[0]] == labels[pairs[1]], 1.0, -1.0).double()


def llo_score(
    llo: torch.Tensor,
    jaccard: torch.Tensor,
    pairs: torch.Tensor,
    labels: torch.Tensor,
    distance: str,
    similarity: str,
) -> float:
    """Eq. 3.31: ``llo`` (batch, inputs), ``jaccard`` (pairs, inputs) for the pairs in ``pairs`` (2, pairs).

    The mean over pairs of each pair's class-signed mean over its usable elements. Returns NaN when
    every term is undefined (see the module docstring).
    """
    if similarity not in SIMILARITIES:
        raise ValueError(f"unknown similarity {similarity!r}: use one of {SIMILARITIES}")
    d_lambda = llo_distance(llo[pairs[0]], llo[pairs[1]], distance)
    signs = class_signs(labels, pairs)
    if similarity == "hmean":
        terms = signs * harmonic_mean(d_lambda, jaccard).nanmean(1)
    else:
        terms = signs * row_correlation(d_lambda, jaccard)
    return float(terms.nanmean()) if bool((~terms.isnan()).any()) else math.nan
