"""Misbehaving and trivial methods for the bench tests (single-machine problems only).

Bench workers import this module by name (``tests.bench.fake_methods``), as
they would any user's module that registers methods.
"""

from __future__ import annotations

import os
import signal
import time

import numpy as np

from schedopt import MethodOutput, Schedule, evaluate, register_method
from schedopt.families.smtt import is_single_machine


def _edd(problem) -> Schedule:
    return Schedule.from_sequence(problem, np.argsort(problem.due, kind="stable"))


@register_method("fake-trivial", applies=is_single_machine, exact=False, description="EDD, optional sleep")
def trivial(problem, *, time_limit=None, seed=0, sleep: float = 0.0, **options):
    if sleep:
        time.sleep(sleep)
    return MethodOutput("feasible", _edd(problem), None)


@register_method("fake-invalid", applies=is_single_machine, exact=False, description="all jobs start at 0")
def invalid(problem, *, time_limit=None, seed=0, **options):
    return MethodOutput("feasible", Schedule.from_starts(problem, np.zeros(problem.n_jobs, np.int64)), None)


@register_method("fake-overclaim", applies=is_single_machine, exact=True, description="EDD claimed optimal")
def overclaim(problem, *, time_limit=None, seed=0, **options):
    """A feasible EDD schedule whose objective it also reports as a (false) bound."""
    s = _edd(problem)
    return MethodOutput("optimal", s, evaluate(problem, s))


@register_method("fake-hang", applies=is_single_machine, exact=False, description="ignores the time limit")
def hang(problem, *, time_limit=None, seed=0, **options):
    time.sleep(3600)
    return MethodOutput("unknown")


@register_method("fake-crash", applies=is_single_machine, exact=False, description="kills its process")
def crash(problem, *, time_limit=None, seed=0, **options):
    os.kill(os.getpid(), signal.SIGSEGV)
    return MethodOutput("unknown")


@register_method("fake-raise", applies=is_single_machine, exact=False, description="raises")
def fail(problem, *, time_limit=None, seed=0, **options):
    raise RuntimeError("fake failure")
