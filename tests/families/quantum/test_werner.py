"""Werner-state formulas against hand values and their defining properties."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.families.quantum.werner import (
    NV_COHERENCE,
    decohere,
    distill_fidelity,
    distill_success,
    pump_fixed_point,
    pump_sequence,
    pumps_needed,
    qubit_rate,
    swap_fidelity,
)

fid = st.floats(0.26, 1.0)


def test_swap_hand_values() -> None:
    assert swap_fidelity(0.9, 0.9) == pytest.approx(0.81 + 0.01 / 3)
    assert swap_fidelity(1.0, 0.7) == pytest.approx(0.7)
    assert swap_fidelity(0.25, 0.9) == pytest.approx(0.25)  # the mixed state stays mixed


def test_distill_hand_values() -> None:
    # F1 = F2 = 0.9: numerator 0.81 + 0.01/9, success 0.81 + 2 * 0.03 + 5 * 0.01 / 9
    p = 0.81 + 0.06 + 0.05 / 9
    assert distill_success(0.9, 0.9) == pytest.approx(p)
    assert distill_fidelity(0.9, 0.9) == pytest.approx((0.81 + 0.01 / 9) / p)
    assert distill_success(0.5, 0.5) == pytest.approx(0.25 + 2 * 0.25 / 3 + 5 * 0.25 / 9)
    assert distill_fidelity(1.0, 1.0) == pytest.approx(1.0)


@given(fid, fid)
@settings(max_examples=50, deadline=None)
def test_formulas_match_the_alternative_forms(f1: float, f2: float) -> None:
    # LinkScheduling's forms: swap 4/3 F1F2 - F1/3 - F2/3 + 1/3; distil (a + bc)/(a + F1 c + F2 b + 5bc)
    assert swap_fidelity(f1, f2) == pytest.approx(4 / 3 * f1 * f2 - f1 / 3 - f2 / 3 + 1 / 3)
    a, b, c = f1 * f2, (1 - f1) / 3, (1 - f2) / 3
    assert distill_fidelity(f1, f2) == pytest.approx((a + b * c) / (a + f1 * c + f2 * b + 5 * b * c))
    assert 0 < distill_success(f1, f2) <= 1 + 1e-12


@pytest.mark.parametrize("f0", [0.55, 0.6, 0.7, 0.8, 0.877, 0.95])
def test_pumping_rises_monotonically_to_its_fixed_point(f0: float) -> None:
    seq = pump_sequence(f0, 60)
    fp = pump_fixed_point(f0)
    # strictly rising until float convergence at the fixed point, never falling
    assert all(b > a or abs(b - fp) < 1e-12 for a, b in itertools.pairwise(seq))
    assert seq[1] > seq[0]
    assert all(x <= fp + 1e-9 for x in seq)
    assert seq[-1] == pytest.approx(fp, abs=1e-6)
    assert distill_fidelity(fp, f0) == pytest.approx(fp, abs=1e-9)


@pytest.mark.parametrize("f0", [0.3, 0.45, 0.5])
def test_pumping_does_not_help_at_or_below_one_half(f0: float) -> None:
    assert all(x <= f0 + 1e-12 for x in pump_sequence(f0, 10))
    assert pump_fixed_point(f0) == f0
    assert pumps_needed(f0, f0 + 0.01, 10) is None


def test_pumps_needed() -> None:
    seq = pump_sequence(0.8, 5)
    assert pumps_needed(0.8, 0.8, 5) == 0
    assert pumps_needed(0.8, seq[2], 5) == 2
    assert pumps_needed(0.8, pump_fixed_point(0.8) + 1e-3, 50) is None


def test_decoherence() -> None:
    assert decohere(0.9, 0.0, 2.0) == pytest.approx(0.9)
    assert decohere(1.0, 1.0, 1.0) == pytest.approx(0.25 + 0.75 / math.e)
    assert decohere(0.9, 1e4, 1.0) == pytest.approx(0.25)
    with pytest.raises(ValueError):
        decohere(0.9, -1.0, 1.0)
    assert qubit_rate("comm") == pytest.approx(1 / NV_COHERENCE[0])
    assert qubit_rate("storage") == pytest.approx(1 / NV_COHERENCE[1])
    assert qubit_rate("storage", None) == 0.0
    assert qubit_rate("comm", (math.inf, 1.0)) == 0.0
    with pytest.raises(ValueError):
        qubit_rate("memory")
