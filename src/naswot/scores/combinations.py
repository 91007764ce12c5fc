"""The built-in named combinations, as text: importable without numpy's and scipy's cost, so listing them is instant.

``naswot.scores.expressions`` parses and registers them; ``naswot list scores`` only shows them.
"""

NAMED_COMBINATIONS: dict[str, str] = {
    # The recommended zero-label ranking: the members that greedy forward selection picked on the
    # choosing half of benchmarks/proxies.py's NAS-Bench-201 sample (cells 0-199 of 400), under the
    # issue's budget of 5 forward passes per network; it is reported on the other half only. MeCo's
    # channel decorrelation, SynFlow's gradient flow and AZ-NAS's expressivity (the feature spectrum's
    # entropy) fail on different networks, so the rank product lets each veto what the others miss.
    "zero_label": "rank_product(meco,synflow,az_expressivity_real)",
    # AZ-NAS (Lee & Ham, CVPR 2024): the rank product of its three components and complexity (FLOPs),
    # as the authors' NAS-Bench-201 notebook aggregates them.
    "az_nas": "rank_product(az_expressivity,az_progressivity,az_trainability,flops)",
    # VKDNW_agg (Tybl & Neumann, CVPR 2025), NAS-Bench-201 Table 1: the published VKDNW ranking (by
    # parameter tensors, ties by the entropy) with expressivity, trainability, FLOPs and Jacov, as the
    # authors' NB201/tss_utils.py builds vkdnw_comb_rank (no progressivity).
    "vkdnw_agg": "rank_product(vkdnw,az_expressivity,az_trainability,flops,jacov)",
    # The authors' MobileNetV2 search aggregate (ImageNet_MBV2/evolution_search_vkdnw.py): complexity,
    # expressivity, progressivity, the entropy alone and trainability.
    "vkdnw_agg_mbv2": "rank_product(flops,az_expressivity,az_progressivity,vkdnw_single,az_trainability)",
}
"""The built-in combinations usable by name wherever a score name is."""
