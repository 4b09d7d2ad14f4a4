import numpy as np
import pytest

from schedopt.families.smtt import generate_smtt, is_single_machine


def test_generator_seeded_and_in_ranges():
    a = generate_smtt(50, tf=0.4, rdd=0.6, seed=7)
    b = generate_smtt(50, tf=0.4, rdd=0.6, seed=7)
    assert np.array_equal(a.duration, b.duration) and np.array_equal(a.due, b.due)
    assert is_single_machine(a) and a.objective == "total_tardiness"
    total = int(a.duration.sum())
    assert (a.duration >= 1).all() and (a.duration <= 100).all()
    assert a.due.min() >= max(0, int(np.floor(total * (1 - 0.4 - 0.3))))
    assert a.due.max() <= int(np.floor(total * (1 - 0.4 + 0.3)))
    w = generate_smtt(20, weighted=True, seed=1)
    assert w.objective == "total_weighted_tardiness" and (w.weight >= 1).all() and (w.weight <= 10).all()
    neg = generate_smtt(20, tf=1.0, rdd=1.0, clip=False, seed=0)
    assert neg.due.min() < 0


def test_generator_errors():
    with pytest.raises(ValueError):
        generate_smtt(0)
    with pytest.raises(ValueError):
        generate_smtt(5, tf=-1)
