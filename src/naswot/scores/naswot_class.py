"""A class-aware NASWOT: the thesis' hypothesis (end of its §2.3.3) that EPE-NAS's class idea helps NASWOT.

NASWOT rewards a network whose binary ReLU codes tell every image apart, whatever its class; the
thesis argues that images of one class should rather be mapped alike and images of different
classes apart. This score asks exactly that of NASWOT's own kernel. With K_H = N_A - d_H over all
N_A = U ReLU units (so K_H / U = 1 - h, h the fraction of units on which two images' codes differ), it is

    naswot_class = mean over pairs of different classes of h  -  mean over distinct pairs of one class of h,

the share of units that separate two images of different classes beyond those that separate two
images of the same class: in [-1, 1], 0 for a network blind to the classes, higher when same-class
images share codes and different-class images differ. It is the class-target alignment of the
normalised NASWOT kernel, needs the batch's labels, and is undefined for a batch without both a
same-class pair and a different-class pair, or a network without ReLUs.
"""

from __future__ import annotations

import torch
from torch import nn

from naswot.data.batch import Batch
from naswot.scores.activations import CODES_VERSION
from naswot.scores.naswot import coded_layers, summed_kernel
from naswot.scores.registry import UndefinedScore, register_score


def class_contrast(kernel: torch.Tensor, units: int, labels: torch.Tensor) -> float:
    """Mean differing fraction h over different-class pairs minus that over distinct same-class pairs."""
    differing = (units - kernel) / units
    same = labels[:, None] == labels[None, :]
    distinct = ~torch.eye(len(labels), dtype=torch.bool)
    within, between = same & distinct, ~same
    if not within.any() or not between.any():
        raise UndefinedScore("the batch needs two images of one class and two of different classes: use a larger batch")
    return float(differing[between].mean() - differing[within].mean())


@register_score("naswot_class", needs_labels=True, version=CODES_VERSION)
def naswot_class(net: nn.Module, batch: Batch) -> float:
    """Class contrast of the NASWOT kernel: codes differ more across classes than within one."""
    layers = coded_layers(net, batch.images)
    return class_contrast(summed_kernel(layers), sum(layer.units for layer in layers), batch.labels)
