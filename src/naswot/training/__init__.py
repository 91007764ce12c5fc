"""Training a picked architecture with NAS-Bench-201's recipe: resumable, checkpointed, measured on held-out images."""

from naswot.training.loop import TrainResult, train
from naswot.training.recipe import Recipe

__all__ = ["Recipe", "TrainResult", "train"]
