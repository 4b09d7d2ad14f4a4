"""The GPU catalogue and the cost tables built from it."""

from __future__ import annotations

import numpy as np
import pytest

import schedopt
from schedopt import ProblemError, check, gpus

ISSUE_TYPES = ("A100-40", "A100-80", "H100", "H200", "L40S", "A40", "RTX-A6000", "RTX-4090", "L4", "V100")


def test_the_catalogue_holds_every_type_with_a_source():
    assert set(ISSUE_TYPES) <= set(gpus.CATALOGUE)
    for g in gpus.CATALOGUE.values():
        assert g.memory_gb > 0 and g.bandwidth_gbs > 0 and g.tflops > 0 and g.link_gbs > 0
        assert "datasheet" in g.source or "whitepaper" in g.source
    h100 = gpus.gpu("h100")
    assert (h100.memory_gb, h100.bandwidth_gbs, h100.tflops) == (80, 3350, 989.4)
    assert gpus.gpu("A100") is gpus.CATALOGUE["A100-80"] and gpus.gpu("a6000").name == "RTX-A6000"


def test_an_unknown_gpu_is_named_with_a_suggestion():
    with pytest.raises(ValueError, match="unknown GPU 'H10'; did you mean 'H100'"):
        gpus.gpu("H10")


def test_roofline_takes_the_binding_limit_and_rounds_up():
    # 1e12 FLOPs and 1e9 bytes per task; A100-80: 0.55 * 312e12 FLOP/s, 0.65 * 2039e9 B/s
    t = gpus.roofline_costs([1e12, 0.0], [1e9, 2.039e12 * 0.65 * 0.010], ["A100-80", "H100"])
    compute_a100 = 1e12 / (0.55 * 312e12)  # 5.83 ms, above the 0.75 ms memory time
    assert t[0, 0] == np.ceil(compute_a100 * 1e3)
    assert t[0, 1] == np.ceil(1e12 / (0.55 * 989.4e12) * 1e3)  # 1.84 ms -> 2
    assert t[1, 0] == 10  # exactly 10 ms of memory traffic on A100: not rounded up to 11
    assert t.dtype == np.int64 and t.shape == (2, 2)
    with pytest.raises(ProblemError, match="bytes_moved: task 0 has -1.0"):
        gpus.roofline_costs([1.0], [-1.0], ["H100"])
    with pytest.raises(ProblemError, match="compute_efficiency"):
        gpus.roofline_costs([1.0], [1.0], ["H100"], compute_efficiency=0)


def test_related_explicit_and_memory_tables():
    assert gpus.related_costs([10, 3], [1, 2, 4]).tolist() == [[10, 5, 3], [3, 2, 1]]
    with pytest.raises(ProblemError, match="speeds"):
        gpus.related_costs([1], [0])
    assert gpus.explicit_costs([[1, 2], [3, 4]], 2, 2).tolist() == [[1, 2], [3, 4]]
    with pytest.raises(ProblemError, match=r"expected shape \(2, 3\)"):
        gpus.explicit_costs([[1, 2], [3, 4]], 2, 3)
    with pytest.raises(ProblemError, match="task 1 on type 0 is 2.5"):
        gpus.explicit_costs([[1, 2], [2.5, 4]], 2, 2)
    fits = gpus.memory_eligibility([30, 60, 100], ["L40S", "H100", "H200"])
    assert fits.tolist() == [[True, True, True], [False, True, True], [False, False, True]]


def test_cluster_links_give_the_model_its_communication_and_cp_sat_respects_it():
    links = gpus.cluster_links([["H100", "H100"], ["L40S"]], network_gbs=25.0)
    assert links.type_names == ("H100", "L40S") and links.machine_node.tolist() == [0, 0, 1]
    # data unit 1 MB, time unit 1 ms: NVLink 4 moves 450 MB/ms each way, the network 25 MB/ms
    assert links.comm_bandwidth[0, 0] == pytest.approx(450.0)
    assert links.comm_bandwidth[1, 1] == pytest.approx(32.0)
    assert links.comm_bandwidth[0, 1] == pytest.approx(25.0)
    # a -> b with 100 MB of data; b runs 10 ms on H100, 1 ms on L40S (an explicit table);
    # a is pinned to machine 0 (H100, node 0) by eligibility
    problem = schedopt.Problem(
        duration=[[5, 5], [10, 1]],
        precedence=[(0, 1, 0)],
        data_size=[100.0],
        machine_type=links.machine_type,
        type_names=links.type_names,
        machine_node=links.machine_node,
        comm_latency=links.comm_latency,
        comm_bandwidth=links.comm_bandwidth,
        eligible=[[True, False, False], [True, True, True]],
    )
    r = schedopt.solve(problem, method="cpsat", time_limit=10, workers=1)
    assert r.status == "optimal" and check(problem, r.schedule) == []
    # on the same machine: 5 + 10 = 15; the other H100: 5 + ceil(0.002 + 100/450) + 10 = 16;
    # the L40S across the network: 5 + ceil(0.01 + 100/25) + 1 = 11
    assert r.objective == 11 and r.schedule.machine.tolist() == [0, 2]


def test_l40_a800_and_the_host_link():
    l40, a800 = gpus.gpu("L40"), gpus.gpu("a800")
    assert (l40.memory_gb, l40.bandwidth_gbs, l40.tflops, l40.fp8_tflops) == (48, 864, 181.05, 362)
    assert (a800.memory_gb, a800.bandwidth_gbs, a800.tflops) == (80, 2039, 312)
    assert a800.link_gbs < gpus.gpu("A100-80").link_gbs  # NVLink limited to 400 GB/s both ways
    # host link per direction: PCIe 4.0 x16 by default, Gen5 on H100/H200, Gen3 on V100
    assert gpus.gpu("A100").host_gbs == 32.0 and gpus.gpu("H100").host_gbs == 64.0
    assert gpus.gpu("V100").host_gbs == 16.0 and gpus.gpu("H200").host_gbs == 64.0
