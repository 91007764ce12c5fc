"""The local-linear-operator (LLO) score of the thesis in seeds/003: LLOs, the parameter sets their
elements are made of, and the class-signed agreement of LLO and parameter-set distances.

Modules: ``graph`` (torch.fx trace, forward pass), ``reach`` and ``box`` (which inputs reach which
units), ``contract`` and ``sets`` (parameter sets per parameter tensor), ``gradient_sets`` (an
independent finder by differentiation), ``pairs`` (Jaccard counts), ``formula`` (eq. 3.31-3.39),
``score`` (registered scores).
"""
