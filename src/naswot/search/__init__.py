"""Search algorithms that use training-free scores."""

from naswot.search.random import SearchResult, random_search, sample_distinct

__all__ = ["SearchResult", "random_search", "sample_distinct"]
