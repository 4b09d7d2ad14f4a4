"""Shared fixtures.

Benchmark data is read from ``$SCHEDOPT_DATA`` (``.ci/run`` sets it to
``../shared/data``); when unset, ``../shared/data`` beside the repository is
tried. Tests that need data skip, with the reason, where it is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
INSTANCES = REPO / "instances"

if not os.environ.get("SCHEDOPT_DATA"):
    _guess = REPO.parent / "shared" / "data"
    if _guess.is_dir():
        os.environ["SCHEDOPT_DATA"] = str(_guess)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The benchmark data directory; skips the test when it is absent."""
    from schedopt.data import data_dir as _data_dir

    path = _data_dir()
    if not path.is_dir():
        pytest.skip(f"benchmark data not found at {path} (set SCHEDOPT_DATA)")
    return path


def require_data(*parts: str) -> Path:
    """A path inside the data directory, or skip the calling test with the reason."""
    from schedopt.data import data_path

    path = data_path(*parts)
    if not path.exists():
        pytest.skip(f"benchmark data file {path} not found (set SCHEDOPT_DATA to the shared data)")
    return path


@pytest.fixture(scope="session")
def instances_dir() -> Path:
    return INSTANCES
