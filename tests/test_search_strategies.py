"""Search strategies on the real NAS-Bench-201 table (lookups) and real scores of tiny networks on CIFAR-10."""

from __future__ import annotations

import numpy as np
import pytest

from naswot.compute import Compute
from naswot.ensemble import rank_product
from naswot.errors import NaswotError
from naswot.executor import ComputeSession
from naswot.scores.expressions import parse_score
from naswot.search import (
    ExecutorEvaluator,
    LookupEvaluator,
    SearchProblem,
    get_strategy,
    run_search,
)
from naswot.search.evolution import accuracy_fitness, regularised_evolution
from naswot.search.log import SearchLog
from naswot.search.repeat import repeat_search
from naswot.spaces import get_space
from naswot.store import Store
from naswot.tables import load_table
from naswot.tables.nasbench201 import NasBench201Table


@pytest.fixture(scope="module")
def nb201(nb201_csv) -> NasBench201Table:
    return NasBench201Table(nb201_csv)


@pytest.fixture(scope="module")
def lookup_problem(nb201) -> SearchProblem:
    """REA needs no scores: the empty lookup would refuse any scoring."""
    return SearchProblem(nb201.space(), LookupEvaluator({}), nb201, "cifar10")


def scored_problem(nb201, cifar_batch, store=None) -> SearchProblem:
    """Tiny NAS-Bench-201 networks (C=4, N=1) scored for real; the table is keyed by cell, so it still applies."""
    space = get_space("nasbench201:C=4,N=1")
    session = ComputeSession(space, cifar_batch, seed=0, store=store or Store(), compute=Compute(workers=1, show_progress=False))
    return SearchProblem(space, ExecutorEvaluator(session), nb201, "cifar10")


class TimedTable(NasBench201Table):
    """The real accuracies with made-up training times (our table has none): 60 s plus 20 s per 3x3 convolution."""

    def training_seconds(self, arch, dataset):
        return 60.0 + 20.0 * arch.ops.count("nor_conv_3x3")


def test_rea_spends_a_simulated_training_budget_when_the_table_has_times(nb201_csv):
    table = TimedTable(nb201_csv)
    run = run_search(SearchProblem(table.space(), LookupEvaluator({}), table), get_strategy("rea")(),
                     budget_seconds=12000, seed=0)
    spent = [table.training_seconds(e.arch, "cifar10") for e in run.history]
    assert run.seconds == pytest.approx(sum(spent)) and run.seconds <= 12000 and run.complete
    assert 12000 / 180 <= len(run.history) <= 12000 / 60
    assert [p.seconds for p in run.trajectory] == pytest.approx(list(np.cumsum(spent)))


def test_regularised_evolution_keeps_its_size_and_ages_out_the_oldest(lookup_problem):
    population = 7
    log = SearchLog(lookup_problem, None, n=300, budget_seconds=None, counts_trained=True)
    rng = np.random.default_rng(0)
    initial = log.train([lookup_problem.space.sample(rng) for _ in range(population)])
    ages: set[int] = set()
    accuracy = accuracy_fitness(log)

    def spy(contenders):
        ages.update(len(log.history) - i for i in contenders)  # 1 = the newest member
        return accuracy(contenders)

    regularised_evolution(log, rng, initial, 3, log.train, spy, lookup_problem.can_train)
    assert len(log.history) == 300
    # contenders always come from exactly the newest P evaluations: size constant, the oldest removed each cycle
    assert ages == set(range(1, population + 1))


def test_rea_is_deterministic_per_seed_and_mutates_one_edge(lookup_problem):
    rea = get_strategy("rea")(population=10, sample=3)
    first, again = (run_search(lookup_problem, rea, n=60, seed=3) for _ in range(2))
    other = run_search(lookup_problem, rea, n=60, seed=4)
    assert [e.arch for e in first.history] == [e.arch for e in again.history]
    assert [e.arch for e in first.history] != [e.arch for e in other.history]
    cells = [e.arch for e in first.history]
    for child in cells[10:]:  # every child differs from some earlier network in exactly one edge
        assert any(sum(a != b for a, b in zip(child.ops, c.ops)) == 1 for c in cells[: cells.index(child)])
    best = [p.best_accuracy for p in first.trajectory]
    assert best == list(np.maximum.accumulate(best)) and first.best_accuracy == max(e.accuracy for e in first.history)
    assert first.seconds is None  # the shipped table has no training times


def test_rea_beats_random_sampling_with_training_at_equal_evaluations(lookup_problem):
    """The papers' RS vs REA (93.70 vs 93.92 at 12,000 s): a claim about means that can fail."""
    rea = get_strategy("rea")()
    runs = 100
    rea_best = np.array([run_search(lookup_problem, rea, n=100, seed=s).best_accuracy for s in range(runs)])
    random_best = np.array([max(lookup_problem.accuracy(a) for a in _take(lookup_problem.draws(np.random.default_rng(s)), 100))
                            for s in range(runs)])
    difference = rea_best - random_best
    assert difference.mean() > 3 * difference.std() / np.sqrt(runs)


def test_repeated_searches_average_the_picks_along_the_trajectory(lookup_problem):
    rea = repeat_search(lookup_problem, get_strategy("rea")(), 20, n=50)
    curve = rea.mean_curve([10, 50, 80], "evaluations")
    assert curve[0] == pytest.approx(rea.accuracies(10).mean()) and curve[1] == pytest.approx(rea.accuracies().mean())
    assert curve[2] == curve[1] and rea.accuracies(10).mean() < curve[1]  # held after the end; evolution improves
    assert np.isnan(rea.mean_curve([1.0, 1e6], "seconds")).all()  # the table has no training times
    summary = rea.summary()
    assert summary["runs"] == 20 and summary["search_seconds"] is None and summary["std"] > 0


def test_area_seeds_rea_with_the_top_p_of_its_m_scored(nb201, cifar_batch):
    area = get_strategy("area")(population=4, sample=2, m=24, fitness=parse_score("naswot"))
    run = run_search(scored_problem(nb201, cifar_batch), area, n=10, seed=1)
    scored, trained = run.history[:24], run.history[24:]
    assert not any(e.trained for e in scored) and all(e.trained for e in trained) and len(trained) == 10
    by_score = sorted(scored, key=lambda e: -e.scores["naswot"])
    assert [e.arch for e in trained[:4]] == [e.arch for e in by_score[:4]]
    assert run.trajectory[23].best_score == by_score[0].scores["naswot"]  # before training: Algorithm 1's pick
    assert run.best_accuracy == max(e.accuracy for e in trained) and run.best_score is None


def test_a_resumed_evolve_run_computes_nothing_and_repeats_its_trajectory(nb201, cifar_batch, tmp_path):
    evolve = get_strategy("evolve")(population=5, sample=2, fitness=parse_score("naswot"))
    with Store(tmp_path / "s.db") as store:
        first = run_search(scored_problem(nb201, cifar_batch, store), evolve, n=16, seed=2)
    with Store(tmp_path / "s.db") as store:
        again = run_search(scored_problem(nb201, cifar_batch, store), evolve, n=16, seed=2)
        budget = first.trajectory[9].seconds
        cut = run_search(scored_problem(nb201, cifar_batch, store), evolve, budget_seconds=budget, seed=2)
    assert first.computed == len({e.arch for e in first.history}) > 5
    assert again.computed == 0 and again.trajectory == first.trajectory and again.history == first.history
    # the budget counts stored compute seconds, so it cuts the same run after exactly 10 evaluations
    assert len(cut.history) == 10 and cut.trajectory == first.trajectory[:10] and cut.complete
    best = max(first.history, key=lambda e: e.scores["naswot"])
    assert first.best.arch == best.arch and first.best_score == best.scores["naswot"]


def test_a_zero_label_fitness_ranks_within_everything_scored(nb201, cifar_batch):
    fitness = parse_score("rank_product(naswot, params)")
    run = run_search(scored_problem(nb201, cifar_batch), get_strategy("random")(fitness=fitness), n=20, seed=0)
    columns = {name: [e.scores[name] for e in run.history] for name in ("naswot", "params")}
    expected = rank_product(columns)
    assert run.best.arch == run.history[int(np.argmax(expected))].arch and run.best_score == pytest.approx(expected.max())
    assert run.ranked()[0][0].arch == run.best.arch and [v for _, v in run.ranked()] == sorted(expected, reverse=True)
    # on a prefix the ranks differ: the trajectory re-ranks what was scored by then
    prefix = rank_product({k: v[:8] for k, v in columns.items()})
    assert run.trajectory[7].best_score == pytest.approx(prefix.max())


def test_evolution_stays_inside_a_partial_table(nb101_json):
    table = load_table("nasbench101", nb101_json)
    problem = SearchProblem(table.space(), LookupEvaluator({}), table)
    run = run_search(problem, get_strategy("rea")(), n=15, seed=0)
    held = set(table.archs())
    assert len(run.history) == 15 and all(e.arch in held for e in run.history)


@pytest.mark.parametrize(("strategy", "limits", "message"), [
    ("rea", {"n": 10}, "pass benchmark= "),
    ("random", {"n": 0}, "use n=1 or more"),
    ("random", {"budget_seconds": 0.0}, "positive number of seconds"),
    ("random", {}, "give n="),
])
def test_bad_limits_fail_before_any_work(strategy, limits, message, cifar_batch):
    space = get_space("nasbench201:C=4,N=1")
    evaluator = ExecutorEvaluator(ComputeSession(space, cifar_batch, compute=Compute(workers=1, show_progress=False)))
    with pytest.raises(NaswotError, match=message):
        run_search(SearchProblem(space, evaluator), get_strategy(strategy)(), **limits)
    assert evaluator.computed == 0


def test_unknown_names_and_budgets_without_training_times(lookup_problem):
    with pytest.raises(NaswotError, match="choose from area, evolve, random, rea"):
        get_strategy("bayes")
    with pytest.raises(NaswotError, match="no training times"):
        run_search(lookup_problem, get_strategy("rea")(), budget_seconds=12000)
    with pytest.raises(NaswotError, match="population=0"):
        get_strategy("area")(population=0)
    with pytest.raises(NaswotError, match="unknown combination"):
        parse_score("rank_max(naswot,params)")


def _take(iterable, n):
    return [item for _, item in zip(range(n), iterable)]
