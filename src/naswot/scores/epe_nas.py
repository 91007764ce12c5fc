"""EPE-NAS (Lopes et al.): NASWOT v1's input Jacobians, correlated within each class of the labelled batch.

For each class q, e_q = sum_ij log(|corr(J_q)_ij| + k) over the correlation matrix of that class's
Jacobians; the score is sum_q |e_q|. Since |corr| <= 1, e_q <= 0 and the score grows as the
Jacobians of same-class images decorrelate. With more than 100 classes the paper's code normalises
each e_q by its class size and sums the pairwise differences |e_q - e_r| over the classes instead.
"""

from __future__ import annotations

import numpy as np
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.jacob_cov import STABILITY, check_varying, input_jacobians
from naswot.scores.registry import register_score

MANY_CLASSES = 100


def class_correlation_terms(jacobians: np.ndarray, labels: np.ndarray, many_classes: bool) -> np.ndarray:
    """e_q for each class present in ``labels`` (a class with one image has the 1x1 correlation [1])."""
    terms = []
    for label in np.unique(labels):
        rows = jacobians[labels == label]
        correlation = np.corrcoef(rows) if len(rows) > 1 else np.ones((1, 1))
        term = float(np.sum(np.log(np.abs(correlation) + STABILITY)))
        terms.append(term / len(rows) if many_classes else term)
    return np.array(terms)


def epe_score(jacobians: np.ndarray, labels: np.ndarray, num_classes: int) -> float:
    """Aggregate the per-class terms as the paper's code does for ``num_classes`` classes."""
    jacobians = np.asarray(jacobians, dtype=np.float64)
    check_varying(jacobians)
    many = num_classes > MANY_CLASSES
    terms = class_correlation_terms(jacobians, np.asarray(labels), many)
    if not many:
        return float(np.abs(terms).sum())
    return float(np.abs(terms[:, None] - terms[None, :]).sum() / len(terms))


@register_score("epe_nas", needs_grad=True, needs_labels=True)
def epe_nas(net: nn.Module, batch: Batch) -> float:
    """Class-wise correlations of the per-image input Jacobians (EPE-NAS)."""
    return epe_score(input_jacobians(net, batch.images).cpu().numpy(), batch.labels.cpu().numpy(), batch.num_classes)
