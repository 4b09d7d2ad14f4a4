"""sgs and ga: feasible or "unknown", never better than the brute-force optimum."""

from __future__ import annotations

import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

import schedopt
from schedopt import NO_TIME, Problem, check
from schedopt.families.rcpsp import heuristics
from schedopt.families.rcpsp.bounds import energy_bound
from schedopt.families.rcpsp.heuristics import RULES, HorizonTooLargeError, priority_values, profile_bytes
from schedopt.families.rcpsp.prover import TimeIndexedProver
from schedopt.families.rcpsp.timeindexed import MAX_TIME_POINTS, decide_makespan, time_points
from tests.conftest import INSTANCES, require_data
from tests.strategies import brute_force_optimum, tiny_problems

SETTINGS = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_sound(problem: Problem, method: str, **options) -> None:
    expected = brute_force_optimum(problem)
    r = schedopt.solve(problem, method=method, seed=1, **options)
    if r.schedule is None:
        assert r.status == "unknown"
        return
    assert check(problem, r.schedule) == []
    assert expected is not None
    assert r.objective >= expected
    assert r.bound is not None and r.bound <= expected
    if r.status == "optimal":
        assert r.objective == expected


@SETTINGS
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan", "feasibility")))
def test_sgs_sound(problem):
    assert_sound(problem, "sgs", max_schedules=200)


@SETTINGS
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan", "feasibility")))
def test_ga_sound(problem):
    assert_sound(problem, "ga", max_schedules=300, population=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",), windows=False))
def test_ga_finds_the_optimum_without_windows(problem):
    # without deadlines every list is feasible; 5 jobs have few active schedules
    r = schedopt.solve(problem, method="ga", max_schedules=2000, population=10)
    assert r.objective == brute_force_optimum(problem)


def test_unknown_when_deadlines_cannot_be_met():
    # two unit-capacity jobs of length 3 that must both finish by 4: no schedule
    p = Problem(duration=[3, 3], capacity=[1], demand=[[1], [1]], deadline=[4, 4], family="rcpsp")
    for method in ("sgs", "ga"):
        r = schedopt.solve(p, method=method, max_schedules=50)
        assert r.status == "unknown" and r.schedule is None and r.objective is None


def test_deadline_only_met_by_a_non_greedy_list():
    # job 1 (long) must finish by 5; greedy lists by index put job 0 first and miss it
    p = schedopt.rcpsp([2, 5], [1], [[1], [1]], deadline=[NO_TIME, 5])
    r = schedopt.solve(p, method="ga", max_schedules=200)
    assert r.status == "optimal" and r.objective == 7 and check(p, r.schedule) == []
    assert r.schedule.start[1] == 0


def test_downtime_and_disjunctive_pairs():
    p = schedopt.rcpsp(
        [0, 3, 2, 2, 0],
        [2],
        [[0], [1], [1], [1], [0]],
        successors=[[1, 2, 3], [4], [4], [4], []],
        downtime=[(0, 1, 3, 1)],
        disjunctive=[(1, 3)],
        release=[0, 0, 1, 0, 0],
    )
    expected = brute_force_optimum(p)
    for method in ("sgs", "ga"):
        r = schedopt.solve(p, method=method, max_schedules=500)
        assert check(p, r.schedule) == [] and r.objective == expected


def test_bad_input():
    p = schedopt.single_machine([1, 2], [3, 3])  # tardiness objective: not an RCPSP
    with pytest.raises(ValueError, match="does not apply"):
        schedopt.solve(p, method="ga")
    q = schedopt.rcpsp([1, 2], [1], [[1], [1]])
    with pytest.raises(ValueError, match="max_schedules"):
        schedopt.solve(q, method="ga", max_schedules=0)
    with pytest.raises(ValueError, match="max_schedules"):
        schedopt.solve(q, method="sgs", max_schedules=-1)
    with pytest.raises(ValueError, match="population"):
        schedopt.solve(q, method="ga", population=1)
    with pytest.raises(ValueError, match="pmut"):
        schedopt.solve(q, method="ga", pmut=2.0)
    with pytest.raises(ValueError, match="parallel"):
        schedopt.solve(q, method="ga", parallel=-0.1)
    with pytest.raises(ValueError, match="eps"):
        schedopt.solve(q, method="ga", eps=0.0)
    with pytest.raises(ValueError, match="alpha"):
        schedopt.solve(q, method="ga", alpha=-1.0)
    with pytest.raises(ValueError, match="scheme"):
        schedopt.solve(q, method="sgs", scheme="diagonal")
    with pytest.raises(ValueError, match="unknown priority rule"):
        schedopt.solve(q, method="sgs", rule="XYZ")


def test_priority_rules_on_a_small_network():
    # 0 -> 1 -> 3, 0 -> 2 -> 3 with durations 0, 4, 1, 0
    p = schedopt.rcpsp([0, 4, 1, 0], [1], [[0], [1], [1], [0]], successors=[[1, 2], [3], [3], []])
    np.testing.assert_array_equal(priority_values(p, "LFT"), [0, 4, 4, 4])
    np.testing.assert_array_equal(priority_values(p, "LST"), [0, 0, 3, 4])
    np.testing.assert_array_equal(priority_values(p, "MTS"), [-3, -1, -1, 0])
    np.testing.assert_array_equal(priority_values(p, "GRPW"), [-5, -4, -1, 0])
    assert set(RULES) == {"LFT", "LST", "MTS", "GRPW"}


@pytest.mark.parametrize("method", ["sgs", "ga"])
def test_time_limit_is_honoured(method):
    path = require_data("psplib", "j120", "j12011_1.sm")
    p = schedopt.read(path)
    schedopt.solve(p, method=method, max_schedules=2000)  # compile / load every kernel first
    t0 = time.perf_counter()
    r = schedopt.solve(p, method=method, time_limit=0.5, max_schedules=10**9)
    assert time.perf_counter() - t0 < 1.5
    assert r.status == "feasible" and check(p, r.schedule) == []
    assert 0 < r.info["schedules"] < 10**9


def test_ga_time_limit_holds_when_one_generation_would_overrun_it():
    # a huge budget gives the largest population (4,000 per side on J120): once the initial
    # population is in, one more generation (8,000 passes) takes longer than what is left
    p = schedopt.read(require_data("psplib", "j120", "j12011_1.sm"))
    schedopt.solve(p, method="ga", max_schedules=2000)  # compile / load every kernel first
    for _ in range(3):
        t0 = time.perf_counter()
        r = schedopt.solve(p, method="ga", time_limit=0.5, max_schedules=1_107_667)
        assert time.perf_counter() - t0 < 0.8
        assert r.status == "feasible" and check(p, r.schedule) == []


@pytest.mark.parametrize("budget", [5000, 50000])
def test_ga_without_time_limit_stops_at_the_lower_bound(budget):
    # seed 0 reaches the critical-path bound of j6010_7 in the evolution, after the initial
    # population: the run must stop there instead of spending the rest of the budget
    p = schedopt.read(require_data("psplib", "j60", "j6010_7.sm"))
    r = schedopt.solve(p, method="ga", max_schedules=budget, population=250, seed=0)
    assert r.status == "optimal" and r.objective == r.bound and check(p, r.schedule) == []
    assert 2 * r.info["population"] < r.info["schedules"] < 5000


def test_psplib_sample_against_optima():
    import csv

    ref_path = require_data("psplib", "values", "reference.csv")
    with open(ref_path) as fh:
        ref = {row["instance"]: int(row["best_ub"]) for row in csv.DictReader(fh) if row["set"] == "j30"}
    for name in ("j301_1", "j3013_6", "j3037_5"):
        p = schedopt.read(require_data("psplib", "j30", f"{name}.sm"))
        for method in ("sgs", "ga"):
            r = schedopt.solve(p, method=method, max_schedules=2000)
            assert check(p, r.schedule) == []
            assert r.objective >= ref[name] and r.objective <= 1.1 * ref[name]
            assert r.info["schedules"] <= 2000


# ------------------------------------------------------------------ GA variants
def _plain(n: int = 50, seed: int = 4):
    from schedopt.families.rcpsp.suites import generate_rcpsp

    return generate_rcpsp(n, resource_strength=0.2, seed=seed)


def _windows(n: int = 50, seed: int = 4):
    """The plain instance plus a release date, a downtime window and a disjunctive pair."""
    p = _plain(n, seed)
    release = np.zeros(p.n_jobs, np.int64)
    release[3] = 5
    succ = [[] for _ in range(p.n_jobs)]
    for i, j, _ in p.precedence:
        succ[int(i)].append(int(j))
    return schedopt.rcpsp(
        p.duration,
        p.capacity,
        p.demand,
        successors=succ,
        release=release,
        downtime=[(0, 4, 9, 0)],
        disjunctive=[(1, 2)],
    )


@pytest.mark.parametrize("variant", ["fbi", "bipop"])
@pytest.mark.parametrize("budget", [1, 2, 3, 7, 61, 1234])
def test_ga_spends_the_budget_exactly(variant, budget):
    p = _plain()
    lb = schedopt.rcpsp_lower_bound(p)
    r = schedopt.solve(p, method="ga", max_schedules=budget, variant=variant, population=20)
    assert check(p, r.schedule) == []
    assert r.objective > lb  # so the search cannot stop early at the bound
    assert r.info["schedules"] == budget


@pytest.mark.parametrize("variant", ["fbi", "bipop"])
def test_ga_is_deterministic_per_seed(variant):
    p = _plain(seed=7)
    runs = [schedopt.solve(p, method="ga", max_schedules=1500, variant=variant, seed=s) for s in (3, 3, 4)]
    np.testing.assert_array_equal(runs[0].schedule.start, runs[1].schedule.start)
    assert runs[0].info == {**runs[1].info, "schedules_per_s": runs[0].info["schedules_per_s"]}
    assert all(check(p, r.schedule) == [] for r in runs)


def test_ga_auto_variant_follows_the_model():
    # shift-invariant problems of any size take the bi-population GA, the others the fbi GA
    big, small, win = _plain(50), _plain(20), _windows(50)
    assert schedopt.solve(big, method="ga", max_schedules=300).info["variant"] == "bipop"
    assert schedopt.solve(small, method="ga", max_schedules=300).info["variant"] == "bipop"
    r = schedopt.solve(win, method="ga", max_schedules=300)
    assert r.info["variant"] == "fbi" and check(win, r.schedule) == []
    assert r.schedule.start[3] >= 5
    with pytest.raises(ValueError, match="bipop"):
        schedopt.solve(win, method="ga", variant="bipop")
    with pytest.raises(ValueError, match="variant"):
        schedopt.solve(big, method="ga", variant="sideways")


@pytest.mark.parametrize(
    "options",
    [
        {"variant": "fbi", "peak": 1.0, "restart": 1, "parallel": 0.5, "gene_flip": 0.2},
        {"variant": "fbi", "jslack": 0.0, "rounds": 2},
        {"variant": "bipop", "peak": 1.0, "restart": 1, "tournament": 1, "offspring": 3},
        {"variant": "bipop", "parallel": 1.0},
        {"variant": "bipop", "parallel": 0.0},
        {"variant": "bipop", "eps": 1.0, "alpha": 2.0},
        {"variant": "fbi", "eps": 10.0},
    ],
)
def test_ga_options_stay_feasible_and_beat_the_initial_population(options):
    for p in (
        (_plain(40, 1), _plain(40, 2)) if options["variant"] == "bipop" else (_windows(40, 1), _plain(40, 2))
    ):
        r = schedopt.solve(p, method="ga", max_schedules=3000, population=16, **options)
        assert check(p, r.schedule) == [] and r.info["schedules"] <= 3000
        assert r.objective >= schedopt.rcpsp_lower_bound(p)
        init = schedopt.solve(p, method="ga", max_schedules=3 * 16, population=16, **options)
        assert r.objective <= init.objective


def test_bipop_ga_improves_on_a_psplib_instance():
    path = require_data("psplib", "j60", "j6013_1.sm")
    p = schedopt.read(path)
    short = schedopt.solve(p, method="ga", max_schedules=400)
    long = schedopt.solve(p, method="ga", max_schedules=5000)
    assert long.info["variant"] == "bipop" and long.info["schedules"] <= 5000
    assert check(p, long.schedule) == [] and long.objective <= short.objective


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",), windows=False))
def test_bipop_ga_sound_and_optimal_on_tiny_problems(problem):
    # shift-invariant tiny problems (lags and disjunctive pairs, no windows): the bi-population
    # variant must return a checked schedule, never below the optimum, and find it on 5 jobs
    from schedopt.families.rcpsp.heuristics import is_shiftable, prepare

    assert is_shiftable(prepare(problem))
    r = schedopt.solve(problem, method="ga", variant="bipop", max_schedules=1500, population=8, seed=2)
    assert check(problem, r.schedule) == []
    assert r.objective == brute_force_optimum(problem)
    assert r.info["schedules"] <= 1500
    # every child decoded by the parallel scheme (forward and backward): still sound
    nd = schedopt.solve(problem, method="ga", variant="bipop", max_schedules=200, population=8, parallel=1.0)
    assert check(problem, nd.schedule) == [] and nd.objective >= r.objective


def test_default_bipop_population_grows_with_budget_and_shrinks_with_size():
    from schedopt.families.rcpsp.heuristics import default_bipop_population

    assert default_bipop_population(5000, 62) == 250  # the J60 setting of benchmarks/rcpsp
    assert default_bipop_population(50_000, 122) > default_bipop_population(5000, 122)
    assert default_bipop_population(5000, 32) > default_bipop_population(5000, 122)
    assert default_bipop_population(1, 1000) == 20
    assert default_bipop_population(10**9, 2) == 4000


# ------------------------------------------------------------ bounded memory (issue 20)
TOY = INSTANCES / "rcpsp" / "toy12.sm"


def _scaled(scale: int) -> Problem:
    p = schedopt.read(TOY)
    return p.replace(duration=p.duration * scale)


@pytest.mark.parametrize("method", ["sgs", "ga"])
def test_huge_durations_are_a_clear_error_before_allocating(method):
    # issue 20: "RCPSP heuristics allocate horizon x resources arrays (... 1e12 -> '29.1 TiB')"
    t0 = time.perf_counter()
    with pytest.raises(HorizonTooLargeError, match=r"would need [\d.,]+ TiB .* Use method='cpsat'") as err:
        schedopt.solve(_scaled(10**12), method=method, time_limit=5)
    assert isinstance(err.value, schedopt.ProblemError) and "toy12" in str(err.value)
    assert time.perf_counter() - t0 < 5


def test_profile_guard_estimates_before_allocating(monkeypatch):
    p = _scaled(10**3)  # horizon bound 31,001 time units, 2 resources
    assert profile_bytes(p) == 31_001 * (33 * 2 + 8)
    monkeypatch.setattr(heuristics, "MAX_PROFILE_BYTES", profile_bytes(p) - 1)
    with pytest.raises(HorizonTooLargeError, match=r"2\.2 MiB .* more than the cap of 2\.2 MiB"):
        heuristics.prepare(p)
    monkeypatch.setattr(heuristics, "MAX_PROFILE_BYTES", profile_bytes(p))
    assert heuristics.prepare(p).profile.shape == (31_001, 2)


def test_cpsat_hook_skips_its_ga_on_huge_durations():
    # method="cpsat" copes with large durations: its hook GA must not blow up, and says it was skipped
    r = schedopt.solve(_scaled(10**9), method="cpsat", time_limit=10, workers=1)
    assert r.status == "optimal" and r.objective == 19 * 10**9
    assert r.info["rcpsp_heuristic"].startswith("GA skipped, CP-SAT searched without its hint: the RCPSP")


def _old_energy_bound(problem: Problem) -> int:
    """energy_bound as it was before issue 20: a cumulative array over the whole horizon."""
    best = 0
    dur = problem.duration
    horizon = int(problem.downtime[:, 2].max(initial=0)) + int(dur.sum()) + 1
    for k in range(problem.n_resources):
        energy = int((dur * problem.demand[:, k]).sum())
        if energy == 0:
            continue
        if len(problem.downtime) == 0:
            best = max(best, -(-energy // int(problem.capacity[k])))
            continue
        cap = np.full(horizon, int(problem.capacity[k]), np.int64)
        for kk, a, b, level in problem.downtime:
            if kk == k:
                np.minimum(cap[a:b], level, out=cap[a:b])
        cum = np.cumsum(cap)
        best = max(best, min(int(np.searchsorted(cum, energy)) + 1, horizon))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_problems(family="rcpsp", max_jobs=5, objectives=("makespan",)))
def test_event_based_energy_bound_equals_the_array_one(problem):
    # not a regression test: the event-based walk must give the old array-based value exactly
    assert energy_bound(problem) == _old_energy_bound(problem)


def test_energy_bound_with_downtime_and_huge_durations():
    # capacity 2, down to 0 during [0, 10**12): 4 * 10**12 units of work end at 10**12 + 2 * 10**12
    p = schedopt.rcpsp([10**12, 10**12], [2], [[2], [2]], downtime=[(0, 0, 10**12, 0)])
    assert energy_bound(p) == 3 * 10**12


def test_time_indexed_model_refuses_long_horizons_and_the_prover_skips_them():
    p = schedopt.rcpsp([10**10, 10**10], [1], [[1], [1]], successors=[[1], []])
    t0 = time.perf_counter()
    with pytest.raises(
        schedopt.ProblemError, match=r"would walk 20,000,000,000 time points .* MAX_TIME_POINTS"
    ):
        decide_makespan(p, 2 * 10**10)
    prover = TimeIndexedProver(p, schedopt.Schedule.from_starts(p, [0, 10**10]), 0, deadline=None)
    prover.walk()
    assert prover.steps == [] and not prover.proven
    assert time.perf_counter() - t0 < 5
    assert time_points(p, 100) == 100 <= MAX_TIME_POINTS


@pytest.mark.parametrize(
    ("method", "options", "match"),
    [
        ("ga", {"max_schedules": "many"}, r"method 'ga': max_schedules must be an integer >= 1, got 'many'"),
        (
            "sgs",
            {"max_schedules": "many"},
            r"method 'sgs': max_schedules must be an integer >= 1, got 'many'",
        ),
        ("sgs", {"max_schedules": 2.5}, r"max_schedules must be an integer >= 1, got 2\.5"),
        ("sgs", {"max_schedules": True}, r"max_schedules must be an integer >= 1, got True"),
        ("ga", {"population": 1.5}, r"population must be an integer >= 2 or None, got 1\.5"),
        ("ga", {"pmut": float("nan")}, r"pmut must be a finite number >= 0 and <= 1 or None, got nan"),
        ("ga", {"alpha": "x"}, r"alpha must be a finite number >= 0, got 'x'"),
        ("ga", {"variant": 3}, r"variant must be one of 'auto', 'bipop', 'fbi', got 3"),
        ("ga", {"peak_width": 0.5}, r"peak_width must be a pair \(low, high\), got 0\.5"),
        ("sgs", {"rule": None}, r"unknown priority rule None \(option rule\)"),
        ("sgs", {"justify": "yes"}, r"justify must be True or False, got 'yes'"),
        ("sgs", {"eps": 0}, r"eps must be a finite number > 0, got 0"),
    ],
)
def test_option_types_are_checked(method, options, match):
    p = schedopt.read(TOY)
    with pytest.raises(schedopt.OptionError, match=match) as err:
        schedopt.solve(p, method=method, time_limit=5, **options)
    assert err.value.method == method and err.value.option in (*options, "rule")
