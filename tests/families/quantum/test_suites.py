"""The quantum bench suites: instances load as valid periodic problems and run through the bench."""

from __future__ import annotations

import pytest

import schedopt
from schedopt import check
from schedopt.bench.suites import get_suite
from schedopt.errors import ProblemError
from schedopt.families.quantum import network as qnet
from schedopt.families.quantum.periodic import is_periodic_problem, tasks_of
from schedopt.families.quantum.protocol import synthesize
from schedopt.families.quantum.suites import (
    SMALL_TOPOLOGIES,
    demand_problem,
    draw_tasks,
    offered_demands,
)


def test_small_suite_lists_unique_instances_that_load():
    suite = get_suite("quantum-small:count=4,load=3")
    names = [r.name for r in suite]
    assert len(names) == 4 and len(set(names)) == 4
    for ref, topo in zip(suite, SMALL_TOPOLOGIES):
        p = ref.load()
        assert is_periodic_problem(p) and p.family == "quantum" and p.objective == "feasibility"
        assert p.meta["topology"] == topo and len(tasks_of(p)) == 3
        assert p.meta["offered"] == 3 + sum(p.meta["skipped_reasons"].values())
        h = p.meta["hyperperiod"]
        assert h <= 512 and all(h % t.period == 0 for t in tasks_of(p))
        for t in tasks_of(p):  # every task meets its floor (nominal fidelity with coherence "none")
            assert t.fidelity >= t.floor - 1e-12 and t.floor == 0.7


def test_instances_are_seeded_and_reproducible():
    a = get_suite("quantum-small:topology=H-6,count=2,seed=3").instances
    b = get_suite("quantum-small:topology=H-6,count=2,seed=3").instances
    pa, pb = a[1].load(), b[1].load()
    assert pa.names == pb.names and (pa.duration == pb.duration).all()
    assert a[0].load().names != pa.names  # different instances draw different demand sets


def test_draw_tasks_matches_synthesize():
    net = qnet.topology("line-6")
    draw = draw_tasks(net, 3, 0.6, 5)
    assert len(draw.tasks) == 3 and len(draw.demands) == 3 + len(draw.skipped)
    kept = [d for j, d in enumerate(draw.demands) if j not in {k for k, _ in draw.skipped}]
    for d, t in zip(kept, draw.tasks):
        shape = synthesize(net, d, coherence=None)
        assert t.c == shape.c and t.period == d.period()
    assert offered_demands(net, len(draw.demands), 0.6, 5) == draw.demands  # the same seeded stream


def test_bad_parameters_give_clear_errors():
    with pytest.raises(ValueError, match="topology must be"):
        get_suite("quantum-small:topology=ring-5")
    with pytest.raises(ProblemError, match="coherence must be"):
        get_suite("quantum-small:coherence=weak")
    with pytest.raises(ProblemError, match="has a protocol"):  # no 3-hop protocol reaches 0.999
        demand_problem(qnet.topology("symmetric-8"), 2, 0.999, 0)


def test_surfnet_suite_uses_the_labelled_stand_in():
    (ref,) = get_suite("quantum-surfnet:count=1,load=3").instances
    assert "standin" in ref.name
    p = ref.load()
    assert p.meta["stand_in"] is True and len(tasks_of(p)) == 3


def test_bench_run_rows_are_valid():
    df = schedopt.bench.run(
        "quantum-small:count=2", "edf-block,cpsat", time_limit=5, workers=1, progress=False
    )
    assert len(df) == 4 and set(df["method"]) == {"edf-block", "cpsat"}
    assert not df["status"].isin(["invalid", "error", "crashed", "timeout"]).any()
    assert (df["valid"].isna() | (df["valid"] == 1)).all()
    suite = get_suite("quantum-small:count=2")
    for inst in suite:
        rows = df[df["instance"] == inst.name]
        cp = rows[rows["method"] == "cpsat"].iloc[0]
        edf = rows[rows["method"] == "edf-block"].iloc[0]
        # CP-SAT decides the instance; EDF feasible implies CP-SAT feasible
        assert cp["status"] in ("optimal", "feasible", "infeasible")
        if edf["status"] in ("optimal", "feasible"):
            assert cp["status"] in ("optimal", "feasible")
    # the evaluator re-checked every returned schedule (valid == 1); check one here as well
    inst = suite.instances[0]
    p = inst.load()
    r = schedopt.solve(p, "cpsat", time_limit=5)
    if r.schedule is not None:
        assert check(p, r.schedule) == []
