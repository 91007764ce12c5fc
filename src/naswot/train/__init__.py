"""Training a picked architecture with NAS-Bench-201's recipe: resumable, checkpointed, measured on held-out images."""

from naswot.train.loop import TrainResult, train
from naswot.train.recipe import Recipe

__all__ = ["Recipe", "TrainResult", "train"]
