"""Whole-space sweeps: NAS-Bench-201's classes of equal cells, deduplicated sweeps, bounded caches."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch

from naswot.compute import Compute
from naswot.executor import score_architectures, stored_results
from naswot.keys import KeyBuilder
from naswot.scores import get_score
from naswot.spaces import get_space
from naswot.spaces.nasbench201 import EDGES, Cell
from naswot.spaces.nasbench201_classes import edge_terms, equivalence_classes
from naswot.spaces.nasbench201_ops import InferCell
from naswot.store import Store
from naswot.sweep import sweep
from naswot.tables import load_table

SERIAL = Compute(workers=1, show_progress=False, device="cpu")


def nats_unique_str(cell: Cell) -> str:
    """NATS-Bench's ``Structure.to_unique_str(consider_zero=True)``, transcribed: the form behind the paper's 6,466."""
    nodes = {0: "0"}
    for i, inputs in enumerate(cell.node_edges()):
        terms = []
        for op, source in inputs:
            if op == "none" or nodes[source] == "#":
                terms.append("#")
            elif op == "skip_connect":
                terms.append(nodes[source])
            else:
                terms.append(f"({nodes[source]})@{op}")
        nodes[i + 1] = "+".join(sorted(terms))
    return nodes[3]


def test_class_counts_ours_and_nas_bench_201s():
    cells = list(get_space("nasbench201"))
    classes = equivalence_classes(cells)
    assert len({nats_unique_str(c) for c in cells}) == 6466  # the paper's count, by its own rule
    assert len(classes) == 5545  # ours merges what that rule keeps apart (module docstring)
    assert sum(map(len, classes.values())) == 15625
    conv_free_and_dead = Cell(("none",) * 6)
    assert classes[""][0] == conv_free_and_dead  # the cells whose output is zero form one class


def _fill(parameters, text: str) -> None:
    generator = torch.Generator().manual_seed(int(hashlib.sha256(text.encode()).hexdigest()[:8], 16))
    with torch.no_grad():
        for parameter in parameters:
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * 0.5 + 0.1)


def _outputs(space, cell: Cell, images: torch.Tensor) -> torch.Tensor:
    """The network's output when every cell edge's weights are drawn from its term (equal terms, equal weights) and
    every other layer's from its name (the same in every cell's network)."""
    net = space.build(cell)
    for name, parameter in net.named_parameters():
        _fill([parameter], name)
    terms = edge_terms(cell)
    for position, module in enumerate(net.cells):
        if isinstance(module, InferCell):
            for edge, layer in enumerate(module.layers):
                _fill(layer.parameters(), f"{position}|{'+'.join(terms[edge])}")
    with torch.no_grad():
        return net.train()(images)


def test_members_of_a_class_build_the_same_function_and_other_classes_do_not():
    space = get_space("nasbench201:C=4,N=1")
    images = torch.randn(4, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    classes = [members for members in equivalence_classes(space).values() if len(members) > 1]
    rng = np.random.default_rng(0)
    chosen = [classes[i] for i in rng.choice(len(classes), size=8, replace=False)]
    representatives = []
    for members in chosen:
        picked = [members[i] for i in rng.choice(len(members), size=min(3, len(members)), replace=False)]
        first = _outputs(space, picked[0], images)
        for other in picked[1:]:
            torch.testing.assert_close(_outputs(space, other, images), first, rtol=1e-5, atol=1e-5)
        representatives.append(first)
    for a, b in zip(representatives, representatives[1:]):
        assert not torch.allclose(a, b, rtol=1e-3, atol=1e-3)


def test_term_weights_follow_the_edges(cifar_batch):
    """The check above would pass vacuously if weights ignored the edges: a cell and one with an edge changed differ."""
    space = get_space("nasbench201:C=4,N=1")
    cell = Cell(("nor_conv_3x3", "skip_connect", "nor_conv_1x1", "avg_pool_3x3", "nor_conv_3x3", "skip_connect"))
    changed = Cell(cell.ops[:4] + ("nor_conv_1x1",) + cell.ops[5:])
    images = cifar_batch.images[:4]
    assert not torch.allclose(_outputs(space, cell, images), _outputs(space, changed, images))
    assert len(EDGES) == len(edge_terms(cell))


def test_a_deduplicated_sweep_scores_one_cell_per_class_and_stores_the_rest_as_copies(cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    classes = [m for m in equivalence_classes(space).values() if len(m) > 1][:6]
    archs = [cell for members in classes for cell in members[:4]]
    store = Store()
    result = sweep(space, ["naswot"], cifar_batch, archs, store=store, compute=SERIAL, dedupe=True)
    assert (result.classes, result.computed, result.copies) == (6, 6, len(archs) - 6)
    key = KeyBuilder(space, cifar_batch, 0, "cpu").key(archs[0], get_score("naswot"))
    copies = store.copies(key)
    assert copies == {str(c): str(members[0]) for members in classes for c in members[1:4]}
    values = store.get_many(key, [str(a) for a in archs], copies=True)
    assert all(values[copy].value == values[original].value for copy, original in copies.items())
    # reading back without computing: the class values count only when asked for
    plain = stored_results(space, archs, ["naswot"], cifar_batch, store=store)["naswot"]
    deduped = stored_results(space, archs, ["naswot"], cifar_batch, store=store, copies=True)["naswot"]
    assert set(plain) == {str(members[0]) for members in classes}
    assert {text: r.value for text, r in deduped.items()} == {text: r.value for text, r in values.items()}
    again = sweep(space, ["naswot"], cifar_batch, archs, store=store, compute=SERIAL, dedupe=True)
    assert (again.computed, again.reused, again.copies) == (0, 6, 0)
    # a run without dedupe does not take copies for results: it scores those cells itself
    table = score_architectures(space, archs, ["naswot"], cifar_batch, store=store, compute=SERIAL)
    assert (table.computed, table.reused) == (len(archs) - 6, 6)
    assert store.copies(key) == {}


def test_dedupe_is_for_nas_bench_201(cifar_batch):
    from naswot.errors import NaswotError

    space = get_space("natsbench_sss")
    with pytest.raises(NaswotError, match="dedupe=True: the natsbench_sss space knows no classes"):
        sweep(space, ["naswot"], cifar_batch, [space.arch_at(0)], store=Store(), compute=SERIAL, dedupe=True)


def test_the_nats_table_keeps_a_bounded_number_of_files(tmp_path, monkeypatch):
    import naswot.tables.natsbench_archive as nats
    from tests.test_tables_natsbench_sss import HELD, META_ARCHS, arch_results, save

    root = tmp_path / "NATS-sss-v1_0-50262-simple"
    root.mkdir()
    save(root / "meta.pickle.pbz2", {"meta_archs": META_ARCHS})
    for index in HELD:
        save(root / f"{index:06d}.pickle.pbz2", {"90": arch_results(index, 1.0)})
    monkeypatch.setattr(nats, "KEPT", 2)
    table = load_table("natsbench_sss", root)
    accuracies = [table.lookup(table.arch_at(index), "cifar10") for index in [*HELD, *HELD]]
    assert accuracies == [pytest.approx(90.0)] * 6 and len(table._archive._entries) == 2
