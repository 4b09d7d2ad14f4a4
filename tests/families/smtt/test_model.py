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


def test_single_machine_refuses_scalars():
    # issue 20: single_machine(3, 4) raised "TypeError: len() of unsized object"
    from schedopt.errors import ProblemError
    from schedopt.families.smtt import single_machine

    with pytest.raises(ProblemError, match=r"p: expected a sequence of processing times .* got the scalar 3"):
        single_machine(3, 4)
    with pytest.raises(ProblemError, match=r"p: expected a one-dimensional sequence .* shape \(1, 2\)"):
        single_machine([[1, 2]], [4, 4])
    one = single_machine([3], 4)  # a scalar due date is a common due date
    assert one.n_jobs == 1 and one.due.tolist() == [4]
    with pytest.raises(ProblemError, match="ragged"):
        single_machine([[1], [1, 2]], 4)
