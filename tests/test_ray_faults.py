"""Faults a cluster user meets: a node lost mid-sweep, a network that kills every worker it reaches.

The cluster is real: a head and two one-CPU worker nodes, each a raylet of its own on this machine
(``ray.cluster_utils.Cluster``), with one actor on each worker node.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from cli_runner import assert_one_line_error, naswot
from conftest import require

from naswot.compute import Compute
from naswot.data import load_batch
from naswot.errors import NaswotError
from naswot.executor import ComputeSession, score_architectures
from naswot.scores.registry import ScoreSpec
from naswot.search import sample_distinct
from naswot.spaces import get_space
from naswot.store import Store

RESTART_SECONDS = 120


@pytest.fixture(scope="module")
def cluster() -> Iterator[object]:
    """A head with no CPUs (the driver's node) and two worker nodes of one CPU each, reached with address='auto'."""
    require("ray", "pip install 'naswot[ray]'")
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    try:
        for _ in range(2):
            cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("RAY_ADDRESS", cluster.address)
            yield cluster
    finally:
        cluster.shutdown()


def on_cluster(retries: int = 3) -> Compute:
    return Compute(workers=2, backend="ray", address="auto", device="cpu", show_progress=False, retries=retries)


def restarted_actor_alive(ray: object) -> bool:
    """Whether Ray has restarted an actor and it runs again (from the cluster's own actor table)."""
    actors = ray._private.state.actors().values()  # type: ignore[attr-defined]
    return any(actor["State"] == "ALIVE" and actor["NumRestarts"] >= 1 for actor in actors)


def test_a_sweep_that_loses_a_node_finishes_with_each_network_stored_once_and_the_local_numbers(
        cluster, cifar10_root, tmp_path, caplog):
    import ray

    space = get_space("nasbench201:C=8,N=2")
    archs = sample_distinct(space, 40, np.random.default_rng(7))
    batch = load_batch("cifar10", cifar10_root, batch_size=8, seed=0)
    nodes = cluster.list_all_nodes()  # type: ignore[attr-defined]
    results = []

    def advance() -> None:
        results.append(None)
        if len(results) == 10:  # mid-sweep: one of the two actors goes with its node, and no room is left for it
            cluster.remove_node(nodes[1])  # type: ignore[attr-defined]
        if len(results) == 30:  # a replacement node: Ray restarts the actor there
            cluster.add_node(num_cpus=1)  # type: ignore[attr-defined]
            wait_for(lambda: restarted_actor_alive(ray), RESTART_SECONDS)

    store = Store(tmp_path / "sweep.db")
    with caplog.at_level(logging.WARNING, logger="naswot"):
        with ComputeSession(space, batch, ["naswot", "params"], seed=0, store=store, compute=on_cluster(),
                            planned=len(archs)) as session:
            table = session.score(archs, advance=advance)
    notes = [record.getMessage() for record in caplog.records]
    assert len(results) == 80 and table.complete
    assert table.computed == 80 and store.count() == 80  # nothing lost, nothing computed twice
    assert sqlite3.connect(tmp_path / "sweep.db").execute(
        "SELECT COUNT(DISTINCT arch || score) FROM results").fetchone()[0] == 80
    assert sum("a Ray worker was lost" in note for note in notes) == 1, notes
    assert "a Ray worker is back after a restart: 2 of 2 workers score" in notes, notes
    here = score_architectures(space, archs, ["naswot", "params"], batch, seed=0, store=Store(),
                               compute=Compute(workers=1, show_progress=False, device="cpu"))
    for name in ("naswot", "params"):
        assert table.values(name, archs) == here.values(name, archs)


def test_a_network_that_kills_each_worker_stops_the_run_after_the_stated_retries(cluster, cifar10_root, tmp_path):
    space = get_space("nasbench201:C=4,N=1")
    archs = sample_distinct(space, 4, np.random.default_rng(0))
    batch = load_batch("cifar10", cifar10_root, batch_size=8, seed=0)
    store = Store(tmp_path / "s.db")

    def kill_the_worker(net: object, batch: object) -> float:  # defined here, so it travels by value
        os._exit(1)  # as the kernel's OOM killer ends a worker: no exception, no result

    with pytest.raises(NaswotError, match=r"^the Ray worker scoring \S+ died 2 times \(its node lost, or out of "
                                          r"memory\?\): finished results are stored; rerun to resume, with a smaller "
                                          r"batch_size= or fewer workers=, or more than retries=1$"):
        score_architectures(space, archs, [ScoreSpec("deadly", kill_the_worker)], batch, store=store,
                            compute=on_cluster(retries=1))
    assert store.count() == 0


@pytest.mark.parametrize("retries", [-1, True, 1.5])
def test_retries_is_a_count_from_zero(retries):
    with pytest.raises(NaswotError, match=rf"^retries={retries!r} is not a number of retries: use retries=0 or more "
                                          r"\(default 3\)$"):
        Compute(retries=retries)


def test_a_negative_retries_flag_is_one_line_in_flag_terms(tmp_path):
    result = naswot("sweep", "--space", "nasbench201:C=4,N=1", "--data", "synthetic", "--retries", "-1", cwd=tmp_path)
    assert_one_line_error(result, "--retries -1 is not a number of retries: use --retries 0 or more (default 3)")
    assert not list(tmp_path.iterdir())  # refused before a store was made


def wait_for(condition: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(0.2)
