"""Global dispatchers: round robin, least loaded, HexGen's workload-balanced score."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.errors import OptionError
from schedopt.serving.cluster.costtable import stage_latency
from schedopt.serving.cluster.dispatch import (
    DISPATCHERS,
    InstanceState,
    LeastLoaded,
    RoundRobin,
    WorkloadBalanced,
    dispatcher,
)
from schedopt.serving.request import Request

GPUS = ["A100", "A100", "A6000", "L40S"]


def call(stage: str, i: int = 0) -> Request:
    return Request(i, 0.0, 100, 5, 5, group=0, tag=stage)


def states(loads=None):
    loads = loads or [0.0] * len(GPUS)
    return [InstanceState(g, w) for g, w in zip(GPUS, loads)]


def test_round_robin_cycles():
    d = RoundRobin()
    d.reset(4)
    assert [d.choose(call("revise"), states(), 0.0) for _ in range(6)] == [0, 1, 2, 3, 0, 1]


def test_least_loaded_prefers_less_work_then_faster_gpu():
    d = LeastLoaded()
    assert d.choose(call("revise"), states([5.0, 1.0, 0.5, 0.5]), 0.0) == 3  # L40 faster than A6000 on revise
    assert d.choose(call("revise"), states([0.0, 0.0, 0.0, 0.0]), 0.0) == 0


def hexgen_reference(alpha, stages, lam):
    """HexGen's rule, written out: never-released load, everything to b while W_b = 0."""
    w = [0.0] * len(GPUS)
    out = []
    for s in stages:
        if w[0] == 0:
            e = 0
        else:
            t = [stage_latency(g, s) for g in GPUS]
            sc = [alpha * t[0] / t[k] - (1 - alpha) * lam[k] * w[k] / w[0] for k in range(len(GPUS))]
            e = max(range(len(GPUS)), key=lambda k: (sc[k], -k))
        w[e] += stage_latency(GPUS[e], s)
        out.append(e)
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0, 1),
    st.lists(
        st.sampled_from(["revise", "evaluate", "generate_candidate", "unit_tester"]), min_size=1, max_size=30
    ),
    st.booleans(),
)
def test_workload_balanced_never_released_is_hexgen(alpha, stages, discount):
    d = WorkloadBalanced(
        alpha, release_on_completion=False, zero_baseline="baseline", discount="hexgen" if discount else None
    )
    d.reset(len(GPUS))
    got = [d.choose(call(s), states(), 0.0) for s in stages]
    lam = [1, 1, 0.5, 0.5] if discount else [1, 1, 1, 1]
    assert got == hexgen_reference(alpha, stages, lam)


def test_zero_baseline_limit_rule_and_release():
    d = WorkloadBalanced(alpha=0.5)
    d.reset(4)
    st_ = states()
    # W_b = 0: idle instances only, best speed term: instances 0 and 1 tie (A100), lower index
    assert d.choose(call("revise"), st_, 0.0) == 0
    assert d.load[0] == stage_latency("A100", "revise")
    d.on_complete(call("revise"), 0)
    assert d.load == [0.0, 0.0, 0.0, 0.0]
    assert d.choose(call("revise", 5), st_, 0.0) == 0
    with pytest.raises(ValueError, match="instance 0, not 3"):
        d.on_complete(call("revise", 5), 3)
    # with alpha = 0 every idle instance scores 0: the baseline
    d0 = WorkloadBalanced(alpha=0.0)
    d0.reset(4)
    assert d0.choose(call("revise"), st_, 0.0) == 0
    # once b is loaded, an idle instance (load ratio 0) wins at alpha = 0
    assert d0.choose(call("revise"), st_, 0.0) == 1


def test_alpha_one_sends_to_fastest():
    d = WorkloadBalanced(alpha=1.0)
    d.reset(4)
    picks = [d.choose(call("revise"), states(), 0.0) for _ in range(5)]
    assert set(picks) <= {0, 1}


def test_factory_rejects_unknown_options_and_values():
    assert set(DISPATCHERS) == {"round-robin", "least-loaded", "workload-balanced"}
    assert isinstance(dispatcher("workload-balanced", alpha=0.3), WorkloadBalanced)
    with pytest.raises(OptionError, match="alhpa"):
        dispatcher("workload-balanced", alhpa=0.3)
    with pytest.raises(OptionError):
        dispatcher("round-robin", alpha=0.3)
    with pytest.raises(ValueError, match="unknown dispatcher"):
        dispatcher("random")
    with pytest.raises(OptionError):
        WorkloadBalanced(alpha=1.5)
    with pytest.raises(OptionError):
        WorkloadBalanced(discount="half")
    d = WorkloadBalanced(discount={"A6000": 0.25})
    assert d.lam("RTX-A6000") == 0.25 and d.lam("A100") == 1.0


def test_never_released_load_stays():
    d = WorkloadBalanced(alpha=0.3, release_on_completion=False)
    d.reset(4)
    e = d.choose(call("evaluate", 1), states(), 0.0)
    before = list(d.load)
    d.on_complete(call("evaluate", 1), e)
    assert d.load == before and before[e] == stage_latency(GPUS[e], "evaluate")


@pytest.mark.parametrize("options", [{"alpha": 1.0}, {"alpha": 0.5, "discount": {"H100": 0.0}}])
def test_a_load_term_of_weight_zero_leaves_the_speed_term(options):
    """With (1 - alpha) lambda_e = 0 the W_b = 0 limit must not exclude a loaded instance (0 * inf is
    not inf): every revise call goes to the H100, 2.3x faster than the L40 (instance 0, the baseline)."""
    wb = WorkloadBalanced(**options)
    states = [InstanceState("L40"), InstanceState("H100")]
    wb.reset(2)
    picks = [wb.choose(call("revise", i), states, 0.0) for i in range(3)]
    assert picks == [1, 1, 1]
