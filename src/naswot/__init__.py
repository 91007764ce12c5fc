"""naswot: neural architecture search without training.

Build untrained networks from a search space, score each from one mini-batch, rank and search with
the scores, and check the ranking against trained-accuracy tables.
"""

__version__ = "0.1.0"
