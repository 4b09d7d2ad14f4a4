"""The instance generator: exact non-redundant ramps, witnesses, variant axes, renderings, I/O."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedopt
from schedopt.llmeval.generator import (
    VARIANTS,
    GeneratorConfig,
    generate_instance,
    generate_suite,
    layered_dag,
    serial_sgs,
)
from schedopt.llmeval.prompts import build_messages, user_prompt

FAST = GeneratorConfig(cpsat_time_limit=None)


def _graph(problem: schedopt.Problem) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_nodes_from(range(problem.n_jobs))
    g.add_edges_from(problem.precedence[:, :2].tolist())
    return g


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 10), st.integers(1, 5), st.integers(0, 25), st.integers(0, 10**6))
def test_layered_dag_has_exactly_k_non_redundant_edges(n, layers, k, seed):
    layers = min(layers, n)
    try:
        layer, edges = layered_dag(n, layers, k, np.random.default_rng(seed))
    except ValueError as exc:
        assert "could not place" in str(exc)
        return
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges.tolist())
    assert g.number_of_edges() == k == len(edges)
    assert nx.is_directed_acyclic_graph(g)
    assert nx.transitive_reduction(g).number_of_edges() == k  # no edge is implied by the others
    assert all(layer[u] < layer[v] for u, v in edges)
    assert sorted(set(layer.tolist())) == list(range(layers))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 7), st.integers(0, 10**6))
def test_serial_sgs_is_feasible_and_each_start_is_earliest(n, seed):
    rng = np.random.default_rng(seed)
    layers = min(n, 3)
    _, edges = layered_dag(n, layers, 0 if layers < 2 else 2 if n > 3 else 1, rng)
    dur = rng.integers(1, 4, n)
    cap = np.array([2, 3])
    dem = rng.integers(0, 3, (n, 2))
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges.tolist())
    order = np.array(list(nx.topological_sort(g)), dtype=np.int64)
    start = serial_sgs(dur, cap, dem, edges, order)
    p = schedopt.rcpsp(dur, cap, dem, precedence=edges.tolist())
    assert schedopt.check(p, schedopt.Schedule.from_starts(p, start)) == []
    # brute force: with only the tasks before it in the order placed, no task fits one unit earlier
    for pos, j in enumerate(order):
        if start[j] == 0:
            continue
        partial = np.full(n, -1, np.int64)
        partial[order[:pos]] = start[order[:pos]]
        partial[j] = start[j] - 1
        found = schedopt.check(p, schedopt.Schedule.from_starts(p, partial))
        assert any(v.kind != "missing" for v in found)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("domain", ["synthetic", "datacenter"])
def test_instances_are_feasible_by_witness_and_cpsat(variant, domain):
    p = generate_instance(6, variant, seed=5, index=1, domain=domain)
    assert p.objective == "feasibility" and p.meta["level"] == 6 and p.meta["variant"] == variant
    assert len(p.precedence) == 6 == nx.transitive_reduction(_graph(p)).number_of_edges()
    witness = schedopt.Schedule.from_starts(p, p.meta["witness"])
    assert schedopt.check(p, witness) == []
    assert p.meta["cpsat"] in ("optimal", "feasible")
    result = schedopt.solve(p, method="cpsat", time_limit=10, workers=1)
    assert result.schedule is not None and schedopt.check(p, result.schedule) == []


def test_variant_axes_and_all_is_their_union():
    found = {"downtime": 0, "windows": 0, "disjunctive": 0}
    for index in range(6):
        inst = {v: generate_instance(5, v, seed=11, index=index, config=FAST) for v in VARIANTS}
        base = inst["precedence"]
        assert not len(base.downtime) and not len(base.disjunctive) and not base.has_deadlines
        for v in VARIANTS:  # same DAG, durations, demands and witness in every variant
            assert np.array_equal(inst[v].precedence, base.precedence)
            assert np.array_equal(inst[v].duration, base.duration)
            assert np.array_equal(inst[v].demand, base.demand)
            assert inst[v].meta["witness"] == base.meta["witness"]
        assert np.array_equal(inst["all"].downtime, inst["downtime"].downtime)
        assert np.array_equal(inst["all"].disjunctive, inst["disjunctive"].disjunctive)
        assert np.array_equal(inst["all"].deadline, inst["windows"].deadline)
        assert np.array_equal(inst["all"].release, inst["windows"].release)
        assert not len(inst["windows"].downtime) and not len(inst["windows"].disjunctive)
        found["downtime"] += len(inst["downtime"].downtime)
        found["windows"] += int(inst["windows"].has_deadlines)
        found["disjunctive"] += len(inst["disjunctive"].disjunctive)
        for k, a, b, level in inst["downtime"].downtime:
            assert 0 <= level < inst["downtime"].capacity[k] and a < b
        # disjunctive pairs are not implied by precedence
        closure = nx.transitive_closure_dag(_graph(base))
        for i, j in inst["disjunctive"].disjunctive:
            assert not closure.has_edge(i, j) and not closure.has_edge(j, i)
    assert all(found.values()), found


def test_probability_zero_adds_nothing_and_one_adds_everywhere():
    none = generate_instance(4, "all", seed=2, config=GeneratorConfig(p=0.0, cpsat_time_limit=None))
    assert not len(none.downtime) and not len(none.disjunctive) and not none.has_deadlines
    full = generate_instance(4, "windows", seed=2, config=GeneratorConfig(p=1.0, cpsat_time_limit=None))
    assert (full.deadline < schedopt.NO_TIME).all()


def test_deterministic_and_seed_sensitive():
    a = generate_instance(7, "all", seed=3, config=FAST)
    b = generate_instance(7, "all", seed=3, config=FAST)
    c = generate_instance(7, "all", seed=4, config=FAST)
    assert build_messages(a) == build_messages(b)
    assert build_messages(a) != build_messages(c)


def test_too_many_levels_is_a_clear_error():
    with pytest.raises(ValueError, match="non-redundant precedence edges"):
        generate_instance(200, config=FAST)
    with pytest.raises(ValueError, match="unknown variant"):
        generate_instance(2, "nope", config=FAST)
    with pytest.raises(ValueError, match="unknown domain"):
        generate_instance(2, domain="moon", config=FAST)


def test_json_round_trip(tmp_path):
    p = generate_instance(5, "all", seed=1, domain="datacenter", config=FAST)
    schedopt.write(tmp_path / "x.json", p)
    q = schedopt.read(tmp_path / "x.json")
    for f in (
        "duration",
        "precedence",
        "capacity",
        "demand",
        "downtime",
        "disjunctive",
        "release",
        "deadline",
    ):
        assert np.array_equal(getattr(p, f), getattr(q, f)), f
    assert q.names == p.names and q.resource_names == p.resource_names and q.meta == p.meta
    assert user_prompt(q) == user_prompt(p)


def test_datacenter_rendering():
    p = generate_instance(
        8, "all", seed=4, domain="datacenter", config=GeneratorConfig(n_tasks=30, n_layers=5)
    )
    assert len(set(p.names)) == 30
    text = user_prompt(p)
    assert "data-centre migration" in text and "hours" in text
    assert all(f'"{n}"' in text for n in p.names)
    if len(p.downtime):
        assert "Maintenance windows" in text
    if len(p.disjunctive):
        assert "share equipment" in text and "(both need the " in text
    assert any(
        r in p.resource_names
        for r in ("forklift pool", "network team", "server team", "storage team", "electrical crew")
    )


def test_prompt_states_every_constraint():
    p = generate_instance(5, "all", seed=9, config=GeneratorConfig(p=1.0, cpsat_time_limit=None))
    text = user_prompt(p)
    for i, j, _ in p.precedence:
        assert f'"{p.names[i]}" before "{p.names[j]}"' in text
    for k, a, b, level in p.downtime:
        assert f"{p.resource_names[k]}: only {level} available during [{a}, {b})" in text
    for i, j in p.disjunctive:
        assert f'"{p.names[i]}" and "{p.names[j]}"' in text
    assert "finish no later than" in text and '"task"' in text and '"start"' in text


def test_generate_suite_counts():
    items = list(generate_suite(levels=2, per_level=2, variants=("precedence", "all"), config=FAST))
    assert len(items) == 8
    assert len({p.name for p in items}) == 8


def _reference_serial_sgs(duration, capacity, demand, edges, order):
    """The generator's former pure-Python serial SGS, kept as the oracle of the kernel it now calls."""
    n = len(duration)
    usage = np.zeros((int(duration.sum()) + 1, len(capacity)), np.int64)
    start = np.full(n, -1, np.int64)
    preds: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        preds[int(v)].append(int(u))
    for j in order:
        j = int(j)
        t = max((int(start[i] + duration[i]) for i in preds[j]), default=0)
        d = int(duration[j])
        while d and (usage[t : t + d] + demand[j] > capacity).any():
            t += 1
        start[j] = t
        usage[t : t + d] += demand[j]
    return start


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 14), st.integers(1, 4), st.integers(0, 12), st.integers(0, 10**6))
def test_kernel_serial_sgs_equals_the_former_pure_python_one(n, layers, k, seed):
    rng = np.random.default_rng(seed)
    try:
        _, edges = layered_dag(n, min(layers, n), k, rng)
    except ValueError:
        return
    dur = rng.integers(0, 5, n)  # zero durations and many ties included
    cap = rng.integers(1, 4, 2)
    dem = np.minimum(rng.integers(0, 4, (n, 2)), cap)
    g = nx.DiGraph()
    g.add_nodes_from(range(n))
    g.add_edges_from(edges.tolist())
    prio = rng.random(n)
    order = np.array(list(nx.lexicographical_topological_sort(g, key=lambda j: prio[j])), dtype=np.int64)
    assert (
        serial_sgs(dur, cap, dem, edges, order).tolist()
        == _reference_serial_sgs(dur, cap, dem, edges, order).tolist()
    )


def test_witness_comes_from_the_rcpsp_kernel(monkeypatch):
    from schedopt.families.rcpsp import heuristics

    calls = []
    original = heuristics.Decoder.serial

    def counting(self, order):
        calls.append(len(order))
        return original(self, order)

    monkeypatch.setattr(heuristics.Decoder, "serial", counting)
    p = generate_instance(3, "precedence", seed=1, config=FAST)
    assert calls == [p.n_jobs]


def test_generated_instances_are_unchanged():
    """Pinned: prompts and witnesses of 120 instances, as generated before the witness moved to the
    RCPSP kernel (same seed -> same instance, also for the stored benchmarks/llmeval data)."""
    import hashlib
    import json

    h = hashlib.sha256()
    for cfg in (FAST, GeneratorConfig(n_tasks=30, n_layers=6, cpsat_time_limit=None)):
        for seed in (0, 7):
            for level in (1, 4, 10):
                for index in (0, 1):
                    for variant in VARIANTS:
                        p = generate_instance(level, variant, seed=seed, index=index, config=cfg)
                        h.update(user_prompt(p).encode())
                        h.update(json.dumps(p.meta["witness"]).encode())
    assert h.hexdigest() == "220fb9749e1de09d696dfd775294a186835be4a6f3b1847005884630ddc470a3"
