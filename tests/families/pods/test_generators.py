"""The grid generator of "Priority Matters", its GPU variant, the large case and the suites."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

from schedopt import check
from schedopt.bench.suites import get_suite
from schedopt.errors import ProblemError
from schedopt.families.pods.generators import (
    GPU_LABEL,
    GPU_TYPES,
    MB,
    pods_grid_instance,
    pods_large_instance,
)

ARRAYS = ("machine_capacity", "machine_demand", "eligible", "priority", "current_machine", "optional")


@pytest.mark.parametrize("gpu", [False, True])
def test_deterministic(gpu):
    a, b = pods_grid_instance(8, 8, 4, 0.95, 3, gpu=gpu), pods_grid_instance(8, 8, 4, 0.95, 3, gpu=gpu)
    c = pods_grid_instance(8, 8, 4, 0.95, 4, gpu=gpu)
    for f in ARRAYS:
        assert np.array_equal(getattr(a, f), getattr(b, f)), f
    assert a.meta == b.meta and a.name == "pods-n8-p8-t4-u95-s3" + ("-gpu" if gpu else "")
    assert not np.array_equal(a.machine_demand, c.machine_demand)


@pytest.mark.parametrize(
    ("nodes", "ppn", "tiers", "util", "seed"),
    [(4, 4, 1, 0.9, 0), (8, 8, 2, 1.0, 1), (16, 4, 4, 1.05, 2), (32, 8, 4, 0.95, 5)],
)
def test_grid_rules_and_capacity_formula(nodes, ppn, tiers, util, seed):
    p = pods_grid_instance(nodes, ppn, tiers, util, seed)
    n = nodes * ppn
    assert p.n_jobs == n and p.n_machines == nodes and p.family == "pods" and p.objective == "placement"
    assert p.machine_resource_names == ("cpu", "memory", "pods")
    cpu, mem = p.machine_demand[:, 0], p.machine_demand[:, 1]
    assert cpu.min() >= 100 and cpu.max() <= 1000
    assert (mem % MB == 0).all() and mem.min() >= 100 * MB and mem.max() <= 1000 * MB
    assert set(p.priority.tolist()) <= set(range(1, tiers + 1))
    assert (p.current_machine == -1).all() and p.optional.all() and p.eligible.all()
    assert p.anti_affinity.shape == (0, 2)
    # replica sets of 1-4 pods sharing request and priority
    owners = [m["owner"] for m in p.meta["pods"]]
    for owner in set(owners):
        idx = [j for j, o in enumerate(owners) if o == owner]
        assert 1 <= len(idx) <= 4
        assert len({(tuple(p.machine_demand[j]), p.priority[j]) for j in idx}) == 1
    assert [m["arrival"] for m in p.meta["pods"]] == list(range(n))
    # capacity = max(largest pod, ceil(sum / util / N)), identical nodes
    for k, dem in ((0, cpu), (1, mem)):
        want = max(int(dem.max()), math.ceil(Fraction(int(dem.sum())) / Fraction(str(util)) / nodes))
        assert (p.machine_capacity[:, k] == want).all()
    assert (p.machine_capacity[:, 2] == 110).all()


def test_util_above_one_leaves_pods_pending():
    p = pods_grid_instance(8, 8, 2, 1.05, 0)
    total, cap = p.machine_demand[:, :2].sum(axis=0), p.machine_capacity[:, :2].sum(axis=0)
    assert (total > cap).any()  # not everything fits, whatever the packing


def test_gpu_variant():
    p = pods_grid_instance(16, 8, 2, 1.0, 7, gpu=True)
    res = list(p.machine_resource_names)
    assert res == ["cpu", "memory", "nvidia.com/gpu", "pods"]
    gpus = p.machine_capacity[:, 2]
    assert gpus.min() >= 0 and gpus.max() <= 8 and gpus.max() > 0
    types = [nd["labels"].get(GPU_LABEL, "") for nd in p.meta["nodes"]]
    assert all((t in GPU_TYPES) == (g > 0) for t, g in zip(types, gpus))
    wants = p.machine_demand[:, 2]
    assert wants.max() >= 1 and wants.max() <= 4
    for j in range(p.n_jobs):
        if wants[j]:
            # eligible exactly on the nodes of one GPU type (selector + toleration of the GPU taint)
            kinds = {types[m] for m in np.flatnonzero(p.eligible[j])}
            assert len(kinds) == 1 and "" not in kinds
            assert wants[j] <= gpus[p.eligible[j]].max()
        else:
            assert p.eligible[j].tolist() == (gpus == 0).tolist()  # the GPU taint keeps others off


def test_bad_arguments():
    with pytest.raises(ProblemError, match="nodes must be a positive integer"):
        pods_grid_instance(0, 4, 1, 1.0)
    with pytest.raises(ProblemError, match="util must be a positive number"):
        pods_grid_instance(4, 4, 1, float("nan"))


def test_large_case():
    p = pods_large_instance(0)
    assert (p.n_jobs, p.n_machines) == (10000, 1000) and p.name == "pods-large-t4-s0"


def test_pods_grid_suite():
    full = get_suite("pods-grid:seeds=1")
    assert len(full.instances) == 4 * 2 * 3 * 4
    sub = get_suite("pods-grid:nodes=4/8,util=1.05,seeds=2")
    assert len(sub.instances) == 2 * 2 * 3 * 1 * 2
    assert len({r.name for r in sub.instances}) == len(sub.instances)
    first = sub.instances[0].load()
    assert first.name == sub.instances[0].name == "pods-n4-p4-t1-u105-s0"
    with pytest.raises(ValueError, match="nodes='x'"):
        get_suite("pods-grid:nodes=x")
    assert [r.name for r in get_suite("pods-large").instances] == ["pods-large-s0"]


def test_failing_filter_keeps_instances_where_the_default_leaves_pods_pending():
    pytest.importorskip("schedopt.families.pods.emulator", reason="the emulator is not there yet")
    import schedopt

    kept = get_suite("pods-grid:nodes=4,pods_per_node=4,tiers=2,util=0.9/1.05,seeds=3,failing=1").instances
    assert kept and all(r.name.startswith("pods-n4-p4-t2-") for r in kept)
    for ref in kept:
        p = ref.load()
        r = schedopt.solve(p, "kube-default")
        assert check(p, r.schedule) == [] and (r.schedule.machine < 0).any()
