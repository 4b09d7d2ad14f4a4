"""GPU catalogue and cost tables, shared by the DAG family and the serving simulator.

Each :class:`GPU` gives memory, memory bandwidth, dense tensor throughput and the GPU-to-GPU link
inside a node. Figures are the vendors' datasheet values as compiled in
``shared/docs/llm_serving.md`` §5 (whose sources are NVIDIA's datasheets, as reproduced by
glennklockwood.com and reseller mirrors, and Hexgen-Flow's ``hardware_params.py``); each entry's
``source`` says which, and marks the figures that note took from whitepapers without re-reading
them ("unverified"). Throughput is **dense** (no 2:4 sparsity) BF16 with FP32 accumulation, the
mode of LLM and DL kernels (V100 has no BF16: its FP16 tensor figure is given). Link bandwidths
are **per direction** (NVIDIA quotes NVLink as the bidirectional total: 600 GB/s on A100 is
300 GB/s each way).

Cost tables turn task work into durations per GPU type, in integer time units (the model's time
is discrete):

* :func:`explicit_costs` -- a given ``(tasks, types)`` table (unrelated machines);
* :func:`roofline_costs` -- from each task's FLOPs and bytes moved by the roofline model
  ``t = max(F / (eta_c * P), B / (eta_b * BW))`` (Williams, Waterman & Patterson 2009), with
  efficiency factors for the achievable share of the peaks;
* :func:`related_costs` -- ``ceil(work / speed)`` (related machines, as ``saga`` models them);
* :func:`memory_eligibility` -- a task whose memory need exceeds a GPU's memory may not run on it.

:func:`cluster_links` lays machines out on nodes (fast links inside a node, the network between
nodes) and gives the model's ``machine_node``, ``comm_latency`` and ``comm_bandwidth``, so an edge
between two machines costs ``latency + data_size / bandwidth`` (:func:`schedopt.model.pair_delay`).
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .errors import ProblemError


@dataclass(frozen=True)
class GPU:
    """One GPU type.

    Attributes
    ----------
    name
        Catalogue name (``"H100"``, ``"A100-80"``, ...).
    memory_gb
        Device memory in GB (1e9 bytes).
    bandwidth_gbs
        Peak memory bandwidth in GB/s.
    tflops
        Peak dense tensor throughput in TFLOPS: BF16 with FP32 accumulation (FP16 on V100).
    fp8_tflops
        Peak dense FP8 throughput, where the GPU has FP8 tensor cores (else ``None``).
    link
        The GPU-to-GPU link inside a node (``"NVLink 4"``, ``"PCIe 4.0 x16"``, ...).
    link_gbs
        That link's bandwidth per direction in GB/s.
    source
        Where the figures come from.
    host_gbs
        The host (CPU) link's bandwidth per direction in GB/s, over which KV is swapped: PCIe 4.0 x16
        (32 GB/s each way, the default; glennklockwood.com lists A100 SXM4 as "32+32 GB/s PCIe Gen4"),
        PCIe 5.0 x16 on H100/H200 SXM (64 GB/s each way; the datasheets' 128 GB/s is both ways),
        PCIe 3.0 x16 on V100 (16 GB/s each way).
    """

    name: str
    memory_gb: float
    bandwidth_gbs: float
    tflops: float
    fp8_tflops: float | None
    link: str
    link_gbs: float
    source: str
    host_gbs: float = 32.0


_DOC = "shared/docs/llm_serving.md §5"
_PCIE4 = ("PCIe 4.0 x16", 32.0)  # 64 GB/s both ways

CATALOGUE: dict[str, GPU] = {
    g.name: g
    for g in (
        GPU("A100-40", 40, 1555, 312, None, "NVLink 3", 300,
            f"NVIDIA A100 datasheet (SXM4 40GB); 1,555 GB/s per Hexgen-Flow hardware_params.py ({_DOC})"),
        GPU("A100-80", 80, 2039, 312, None, "NVLink 3", 300,
            f"NVIDIA A100 datasheet (SXM4 80GB); 2,039 GB/s, 312 TF per Hexgen-Flow "
            f"hardware_params.py ({_DOC})"),
        GPU("H100", 80, 3350, 989.4, 1979, "NVLink 4", 450,
            f"NVIDIA H100 SXM5 datasheet as reproduced by glennklockwood.com ({_DOC}); PCIe Gen5 host link",
            host_gbs=64.0),
        GPU("H200", 141, 4800, 989.4, 1979, "NVLink 4", 450,
            f"NVIDIA H200 SXM datasheet ({_DOC}; marked unverified there); PCIe Gen5 host link",
            host_gbs=64.0),
        GPU("L40S", 48, 864, 362, 733, *_PCIE4,
            f"NVIDIA L40S datasheet table, reseller mirror ({_DOC}); no NVLink"),
        GPU("A40", 48, 696, 149.7, None, "NVLink bridge", 56.25,
            f"NVIDIA A40 datasheet; 696 GB/s, 149.7 TF per Hexgen-Flow hardware_params.py ({_DOC})"),
        GPU("RTX-A6000", 48, 768, 154.8, None, "NVLink bridge", 56.25,
            "NVIDIA RTX A6000 datasheet (309.7 TF is the sparse figure); 768 GB/s per GPU spec "
            f"databases ({_DOC})"),
        GPU("RTX-4090", 24, 1008, 82.6, 330.3, *_PCIE4,
            "NVIDIA Ada Lovelace architecture whitepaper: 165.2 TF dense FP16/BF16 with FP16 accumulation, "
            f"82.6 TF with FP32 accumulation (given here); no NVLink ({_DOC}; marked unverified there)"),
        GPU("L4", 24, 300, 121, 242, *_PCIE4, f"NVIDIA L4 datasheet ({_DOC}; marked unverified there)"),
        GPU("V100", 32, 900, 125, None, "NVLink 2", 150,
            f"NVIDIA V100 SXM2 32GB datasheet: FP16 tensor 125 TF, no BF16 ({_DOC}); PCIe Gen3 host link",
            host_gbs=16.0),
        GPU("L40", 48, 864, 181.05, 362, *_PCIE4,
            "NVIDIA L40/L40S datasheet table, reseller mirror (mullet.se): 48 GB GDDR6, 864 GB/s, "
            f"BF16 181.05 TF dense (362.1 sparse), FP8 362 dense, PCIe Gen4 x16, no NVLink ({_DOC})"),
        GPU("A800", 80, 2039, 312, None, "NVLink 3 (limited)", 200,
            "NVIDIA A100 80GB SXM4 datasheet figures (the A800 is the same GA100 part); NVLink limited to "
            "400 GB/s both ways (NVIDIA's statement of Nov. 2022 as reported by Reuters/tweakers.net), "
            "i.e. 200 GB/s each way; unverified against an A800 datasheet"),
    )
}  # fmt: skip
"""The GPU types by name."""

_ALIASES = {
    "a100": "A100-80",
    "a100-80g": "A100-80",
    "a100-40g": "A100-40",
    "h100-sxm": "H100",
    "a6000": "RTX-A6000",
    "rtx a6000": "RTX-A6000",
    "4090": "RTX-4090",
    "rtx 4090": "RTX-4090",
    "a800-80": "A800",
    "a800-80g": "A800",
}


def gpu(name: str | GPU) -> GPU:
    """The catalogue entry for ``name`` (case-insensitive; ``"A100"`` is the 80 GB model).

    Raises
    ------
    ValueError
        For an unknown name; the message suggests the closest and lists the catalogue.
    """
    if isinstance(name, GPU):
        return name
    key = str(name).strip()
    by_lower = {k.lower(): k for k in CATALOGUE}
    found = by_lower.get(key.lower()) or _ALIASES.get(key.lower())
    if found is None:
        close = difflib.get_close_matches(key, list(CATALOGUE), n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown GPU {name!r}; {hint}known: {', '.join(CATALOGUE)}")
    return CATALOGUE[found]


def _per_task(values: Sequence[float] | np.ndarray, name: str) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim != 1:
        raise ProblemError(f"{name}: expected one value per task, got shape {arr.shape}")
    bad = ~np.isfinite(arr) | (arr < 0)
    if bad.any():
        j = int(np.argmax(bad))
        raise ProblemError(f"{name}: task {j} has {arr[j]} (need a finite value >= 0)")
    return arr


def _to_units(seconds: np.ndarray, time_unit: float) -> np.ndarray:
    """Seconds to whole time units, rounded up (a task never gets shorter than its work needs)."""
    if not (time_unit > 0 and math.isfinite(time_unit)):
        raise ProblemError(f"time_unit must be a positive number of seconds, got {time_unit!r}")
    return np.ceil(seconds / time_unit - 1e-9).astype(np.int64)


def explicit_costs(table: Sequence[Sequence[float]] | np.ndarray, n_tasks: int, n_types: int) -> np.ndarray:
    """Check a given ``(tasks, types)`` duration table (unrelated machines) and return it as int64.

    Raises
    ------
    ProblemError
        When the shape is not ``(n_tasks, n_types)`` or an entry is negative, fractional or not finite;
        the message names the task and type.
    """
    arr = np.asarray(table, dtype=float)
    if arr.shape != (n_tasks, n_types):
        raise ProblemError(
            f"cost table: expected shape ({n_tasks}, {n_types}) (tasks, types), got {arr.shape}"
        )
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        j, t = (int(x) for x in np.argwhere(bad)[0])
        raise ProblemError(f"cost table: task {j} on type {t} is {arr[j, t]} (need a whole number >= 0)")
    return arr.astype(np.int64)


def roofline_costs(
    flops: Sequence[float] | np.ndarray,
    bytes_moved: Sequence[float] | np.ndarray,
    types: Sequence[str | GPU],
    *,
    time_unit: float = 1e-3,
    compute_efficiency: float = 0.55,
    bandwidth_efficiency: float = 0.65,
) -> np.ndarray:
    """Durations per GPU type from each task's work, by the roofline model.

    ``t_jk = max(F_j / (eta_c * P_k), B_j / (eta_b * BW_k))`` seconds, rounded up to ``time_unit``
    (default 1 ms), where ``P_k`` is the type's dense tensor peak (:attr:`GPU.tflops`) and ``BW_k``
    its memory bandwidth. The efficiencies are the achievable shares of the peaks: about 0.5--0.6
    for compute-bound GEMMs and 0.6--0.7 for memory-bound decoding (``shared/docs/llm_serving.md`` §5,
    measured vLLM decode steps run at 60--68 % of peak bandwidth). Reference: Williams, Waterman &
    Patterson (2009), Roofline: an insightful visual performance model, CACM 52(4).

    Returns
    -------
    numpy.ndarray
        ``(tasks, types)`` int64 durations in time units.
    """
    f = _per_task(flops, "flops")
    b = _per_task(bytes_moved, "bytes_moved")
    if f.shape != b.shape:
        raise ProblemError(f"flops and bytes_moved: {len(f)} and {len(b)} values; need one each per task")
    for name, eff in (
        ("compute_efficiency", compute_efficiency),
        ("bandwidth_efficiency", bandwidth_efficiency),
    ):
        if not 0 < eff <= 1:
            raise ProblemError(f"{name} must be in (0, 1], got {eff!r}")
    gpus = [gpu(t) for t in types]
    peak = np.array([g.tflops * 1e12 for g in gpus])
    bw = np.array([g.bandwidth_gbs * 1e9 for g in gpus])
    seconds = np.maximum(f[:, None] / (compute_efficiency * peak), b[:, None] / (bandwidth_efficiency * bw))
    return _to_units(seconds, time_unit)


def related_costs(work: Sequence[float] | np.ndarray, speeds: Sequence[float] | np.ndarray) -> np.ndarray:
    """Durations ``ceil(work_j / speed_k)`` (related machines: a speed per type, as ``saga`` models them)."""
    w = _per_task(work, "work")
    s = np.asarray(speeds, dtype=float)
    if s.ndim != 1 or not (np.isfinite(s).all() and (s > 0).all()):
        raise ProblemError(f"speeds: expected one positive finite speed per type, got {s.tolist()}")
    return np.ceil(w[:, None] / s[None, :] - 1e-9).astype(np.int64)


def memory_eligibility(memory_gb: Sequence[float] | np.ndarray, types: Sequence[str | GPU]) -> np.ndarray:
    """``(tasks, types)`` True where a task's memory need fits the type's device memory."""
    need = _per_task(memory_gb, "memory_gb")
    cap = np.array([gpu(t).memory_gb for t in types])
    return need[:, None] <= cap[None, :]


@dataclass(frozen=True)
class Links:
    """Machines laid out on nodes, in the model's terms (see :func:`cluster_links`)."""

    machine_type: np.ndarray
    """Type index of each machine (into the ``types`` given)."""
    machine_node: np.ndarray
    """Node of each machine."""
    comm_latency: np.ndarray
    """``(nodes, nodes)`` latency in time units (0 inside a node)."""
    comm_bandwidth: np.ndarray
    """``(nodes, nodes)`` bandwidth in data units per time unit."""
    type_names: tuple[str, ...]
    """The GPU type names, in type-index order."""


def cluster_links(
    nodes: Sequence[Sequence[str]],
    *,
    network_gbs: float = 50.0,
    network_latency_s: float = 10e-6,
    link_latency_s: float = 2e-6,
    time_unit: float = 1e-3,
    data_unit_bytes: float = 1e6,
) -> Links:
    """Machines on nodes with fast links inside a node and a network between nodes.

    ``nodes[i]`` lists the GPU types of node ``i``'s machines (one machine per GPU). Inside a
    node two GPUs talk over the slower of their links (:attr:`GPU.link_gbs`, per direction);
    between nodes over the network (``network_gbs``, default 50 GB/s ~ 400 Gb/s InfiniBand NDR).
    The model then charges an edge between machines on nodes ``a`` and ``b``
    ``ceil(latency[a, b] + data_size / bandwidth[a, b])`` time units (same machine: nothing), with
    ``data_size`` in units of ``data_unit_bytes`` (default 1 MB) and times in ``time_unit``
    seconds (default 1 ms).
    """
    if not nodes or any(len(n) == 0 for n in nodes):
        raise ProblemError("nodes: need at least one node, each with at least one GPU")
    if not (network_gbs > 0 and network_latency_s >= 0 and link_latency_s >= 0 and data_unit_bytes > 0):
        raise ProblemError("cluster_links: bandwidth and data unit must be positive, latencies >= 0")
    type_names: list[str] = []
    machine_type, machine_node = [], []
    for i, node in enumerate(nodes):
        for t in node:
            name = gpu(t).name
            if name not in type_names:
                type_names.append(name)
            machine_type.append(type_names.index(name))
            machine_node.append(i)
    per_unit = data_unit_bytes / 1e9 / time_unit  # GB per (data unit / time unit)
    k = len(nodes)
    bandwidth = np.full((k, k), network_gbs / per_unit)
    latency = np.full((k, k), network_latency_s / time_unit)
    for i, node in enumerate(nodes):
        bandwidth[i, i] = min(gpu(t).link_gbs for t in node) / per_unit
        latency[i, i] = link_latency_s / time_unit
    return Links(
        np.asarray(machine_type, np.int64),
        np.asarray(machine_node, np.int64),
        latency,
        bandwidth,
        tuple(type_names),
    )
