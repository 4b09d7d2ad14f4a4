"""Werner-state formulas: entanglement swapping, BBPSSW pumping, decoherence in memory.

A two-qubit Werner state of fidelity ``F`` is ``F |Phi+><Phi+| + (1 - F)/3 (I - |Phi+><Phi+|)``;
every operation below maps Werner states to Werner states, so one number describes a link.

References
----------
* C. H. Bennett, G. Brassard, S. Popescu, B. Schumacher, J. Smolin, W. Wootters, "Purification of
  noisy entanglement and faithful teleportation via noisy channels", PRL 76:722 (1996) (BBPSSW).
* M. Skrzypczyk, S. Wehner, "An architecture for meeting quality-of-service requirements in
  multi-user quantum networks", arXiv 2111.13124 (2021); its code ``mdskrzypczyk/LinkScheduling``
  (MIT), ``code/jobscheduling/qmath.py`` uses the same swap and distillation formulas.
* Coherence times: ``notes/notes.tex`` of the same repository lists the NV parameters of
  A. Dahlberg et al., "A link layer protocol for quantum networks", SIGCOMM 2019: electron
  (communication qubit) ``T2 = 1.46 s``, carbon (storage qubit) ``T2 = 1 s`` (``T1`` of hours,
  ignored here).
"""

from __future__ import annotations

import math

#: Coherence time (seconds) of a communication qubit (NV electron spin, ``T2``).
T_COMM: float = 1.46
#: Coherence time (seconds) of a storage qubit (NV carbon spin, ``T2``).
T_STORAGE: float = 1.0
#: Fidelity of the maximally mixed two-qubit state (the limit of decoherence).
F_MIXED: float = 0.25


def swap_fidelity(f1: float, f2: float) -> float:
    """Fidelity of the link produced by swapping two Werner links.

    ``F' = F1 F2 + (1 - F1)(1 - F2) / 3`` (Bell measurement at the shared node, ideal gates);
    equal to ``4/3 F1 F2 - F1/3 - F2/3 + 1/3``, the form of ``qmath.swap_links`` in LinkScheduling.
    """
    return f1 * f2 + (1.0 - f1) * (1.0 - f2) / 3.0


def distill_success(f1: float, f2: float) -> float:
    """Success probability of one BBPSSW round on two Werner links.

    ``p = F1 F2 + F1 (1 - F2)/3 + F2 (1 - F1)/3 + 5 (1 - F1)(1 - F2)/9`` (Bennett et al. 1996);
    it is the denominator of LinkScheduling's ``qmath.distill_links``.
    """
    return f1 * f2 + f1 * (1.0 - f2) / 3.0 + f2 * (1.0 - f1) / 3.0 + 5.0 * (1.0 - f1) * (1.0 - f2) / 9.0


def distill_fidelity(f1: float, f2: float) -> float:
    """Output fidelity of one successful BBPSSW round: ``(F1 F2 + (1 - F1)(1 - F2)/9) / p``.

    ``p`` is :func:`distill_success`. The output is twirled back to a Werner state, as in
    LinkScheduling (``qmath.distill_links``).
    """
    return (f1 * f2 + (1.0 - f1) * (1.0 - f2) / 9.0) / distill_success(f1, f2)


def pump_sequence(f_link: float, steps: int) -> list[float]:
    """Fidelities of entanglement pumping: ``F_0 = f_link``, ``F_{k+1} = distill(F_k, f_link)``.

    Each step distils the kept link with a fresh link of fidelity ``f_link`` (pumping; Dür,
    Briegel, Cirac, Zoller, PRA 59:169, 1999, with BBPSSW rounds). For ``f_link > 1/2`` the
    sequence rises monotonically towards :func:`pump_fixed_point`; for ``f_link <= 1/2`` it
    never rises above ``f_link``.

    Returns
    -------
    list of float
        ``steps + 1`` fidelities, ``F_0`` first.
    """
    out = [f_link]
    for _ in range(steps):
        out.append(distill_fidelity(out[-1], f_link))
    return out


def pump_fixed_point(f_link: float) -> float:
    """The limit of pumping with fresh links of fidelity ``f_link``.

    The fixed point solves ``F = distill(F, f_link)``. The map ``F -> distill(F, g)`` is
    increasing, with ``distill(g, g) > g`` for ``g > 1/2``, so the fixed point above ``g`` is
    found by bisection on ``[g, 1]`` of ``distill(F, g) - F``. For ``g <= 1/2`` pumping does not
    help and ``g`` is returned.
    """
    g = f_link
    if g <= 0.5:
        return g

    def gap(f: float) -> float:
        return distill_fidelity(f, g) - f

    lo, hi = g, 1.0
    if gap(hi) >= 0.0:
        return 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if gap(mid) > 0.0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def pumps_needed(f_link: float, floor: float, max_pumps: int) -> int | None:
    """The fewest pumping steps that lift ``f_link`` to at least ``floor`` (``None``: impossible
    within ``max_pumps`` steps)."""
    f = f_link
    for k in range(max_pumps + 1):
        if f >= floor:
            return k
        f = distill_fidelity(f, f_link)
    return None


def decohere(fidelity: float, seconds: float, rate: float) -> float:
    """Werner depolarising decay in memory: ``F(t) = 1/4 + (F0 - 1/4) exp(-rate t)``.

    ``rate`` is the sum of ``1/T`` over the qubits holding the link (each half decoheres
    independently, so the rates add; LinkScheduling's notes state the same additivity for the
    fitted exponents). Deviation: LinkScheduling fits a dephasing curve ``0.5 e^{-bt} + 0.5``
    from NetSquid simulations; we keep the state Werner and decay towards ``1/4``, which is
    more pessimistic and keeps the swap/distil formulas exact.
    """
    if seconds < 0:
        raise ValueError(f"decoherence time must be >= 0, got {seconds}")
    return F_MIXED + (fidelity - F_MIXED) * math.exp(-rate * seconds)


#: Default coherence times ``(T_comm, T_storage)`` in seconds.
NV_COHERENCE: tuple[float, float] = (T_COMM, T_STORAGE)


def qubit_rate(kind: str, coherence: tuple[float, float] | None = NV_COHERENCE) -> float:
    """Decoherence rate ``1/T`` (per second) of a qubit of kind ``"comm"`` or ``"storage"``.

    ``coherence`` is ``(T_comm, T_storage)`` (default :data:`NV_COHERENCE`); ``None`` means no
    decoherence (rate 0: LinkScheduling's accounting, which checks the nominal fidelity only).
    """
    if kind not in ("comm", "storage"):
        raise ValueError(f"unknown qubit kind {kind!r} (expected 'comm' or 'storage')")
    if coherence is None:
        return 0.0
    t = coherence[0] if kind == "comm" else coherence[1]
    if not t > 0:
        raise ValueError(f"coherence time of a {kind} qubit must be > 0 s, got {t}")
    return 0.0 if math.isinf(t) else 1.0 / t
