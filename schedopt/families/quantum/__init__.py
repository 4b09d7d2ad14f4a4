"""Quantum-network scheduling: demands -> repeater protocols -> qubit shapes.

After Skrzypczyk & Wehner, "An architecture for meeting quality-of-service requirements in
multi-user quantum networks" (arXiv 2111.13124) and its MIT-licensed code
``mdskrzypczyk/LinkScheduling`` (behaviour and formulas restated, no code copied).

Modules
-------
:mod:`.network`
    Nodes (communication + storage qubits), links with (fidelity, rate) operating points, the
    topologies line-6, star-4, H-6, symmetric-8 and SURFnet (GML, or a labelled stand-in).
:mod:`.werner`
    Werner-state swapping, BBPSSW pumping, decoherence in memory.
:mod:`.actions`
    Protocol trees and their action DAGs (link generation, swap, distillation) in 10 ms slots.
:mod:`.protocol`
    Demands, routing, entanglement-swap scheme search with pumping, admission reasons.
:mod:`.mapping`
    Actions onto qubits: the ASAP -> ALAP -> shift-early heuristic, exact CP-SAT, the RCPSP view
    as a unified-model ``Problem`` and the holding-aware checker; :class:`~.mapping.ProtocolShape`
    is the fixed per-qubit occupation shape a periodic scheduler places.
:mod:`.fidelity`
    Delivered fidelity of a shape after waiting, and the floor check.

The periodic network schedule (:mod:`.periodic`, :mod:`.edf`, :mod:`.exact`, :mod:`.admission`,
:mod:`.metrics`): methods ``edf-single``, ``edf-block``, ``edf-nonblock`` and ``cpsat`` (the family's
own, taking precedence over the model-wide one) apply to problems built by
:func:`.periodic.periodic_problem`.
Public names are imported lazily (``from schedopt.families.quantum import synthesize``), so
reading the declaration imports neither networkx nor OR-Tools.
"""

from __future__ import annotations

import importlib
from typing import Any

from ...registry import Family, Method, WarmUp

_EXPORTS: dict[str, str] = {
    "QuantumNode": "network",
    "QuantumLink": "network",
    "Network": "network",
    "NV_5KM_POINTS": "network",
    "SURFNET_POINTS": "network",
    "make_network": "network",
    "topology": "network",
    "read_gml": "network",
    "Demand": "protocol",
    "NotAdmitted": "protocol",
    "Admission": "protocol",
    "route": "protocol",
    "esss": "protocol",
    "synthesize": "protocol",
    "admit": "protocol",
    "Protocol": "actions",
    "Action": "actions",
    "build_protocol": "actions",
    "ProtocolShape": "mapping",
    "MappingError": "mapping",
    "map_heuristic": "mapping",
    "map_cpsat": "mapping",
    "mapping_problem": "mapping",
    "shape_schedule": "mapping",
    "check_shape": "mapping",
    "delivered_fidelity": "fidelity",
    "check_fidelity": "fidelity",
    "PeriodicTask": "periodic",
    "task_set": "periodic",
    "hyperperiod": "periodic",
    "periodic_problem": "periodic",
    "nonblock_problem": "periodic",
    "nonblock_schedule": "periodic",
    "is_periodic_problem": "periodic",
    "edf_starts": "edf",
    "periodic_cpsat": "exact",
    "admission_control": "admission",
    "admit_demands": "admission",
    "AdmissionResult": "admission",
    "network_metrics": "metrics",
}

__all__ = ["FAMILY", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _periodic(problem: Any) -> bool:
    """A periodic network schedule built by :func:`.periodic.periodic_problem` (no import needed)."""
    return problem.meta.get("kind") == "quantum-periodic"


FAMILY = Family(
    name="quantum",
    description="quantum networks: demands -> repeater protocols -> per-qubit shapes (Skrzypczyk & Wehner)",
    builders={
        "quantum_network": "schedopt.families.quantum.network:topology",
        "quantum_protocol": "schedopt.families.quantum.protocol:synthesize",
    },
    methods=(
        Method(
            "edf-single",
            "schedopt.families.quantum.edf:solve_edf_single",
            applies=_periodic,
            description="non-preemptive EDF, the whole network as one resource (UniResourceBlockNPEDF)",
            priority=1,
        ),
        Method(
            "edf-block",
            "schedopt.families.quantum.edf:solve_edf_block",
            applies=_periodic,
            description="non-preemptive EDF, each protocol holds all its qubits (MultipleResourceBlockNPEDF)",
            priority=3,
        ),
        Method(
            "edf-nonblock",
            "schedopt.families.quantum.edf:solve_edf_nonblock",
            applies=_periodic,
            description="non-preemptive EDF, qubits held only while used (MultipleResourceNonBlockNPEDF)",
            priority=2,
        ),
        Method(
            "cpsat",
            "schedopt.families.quantum.exact:solve_periodic_cpsat",
            applies=_periodic,
            exact=True,
            description="CP-SAT periodic model: maximise admitted demands, then minimise jitter",
            priority=10,
        ),
    ),
    warmups=(
        WarmUp(
            "quantum",
            "schedopt.families.quantum.periodic:warmup_problem",
            {"edf-single": {}, "edf-block": {}, "edf-nonblock": {}},
        ),
    ),
    evaluator="schedopt.families.quantum.metrics:evaluate",
    suites="schedopt.families.quantum.suites:SUITES",
    kernels=("schedopt.families.quantum._kernels",),
)
