"""The code base stays ruff-clean (the standard every module is held to)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import REPO


def test_ruff_clean():
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (pip install -e '.[dev]')")
    folders = [name for name in ("schedopt", "tests", "benchmarks", "instances") if (REPO / name).is_dir()]
    proc = subprocess.run([ruff, "check", *folders], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
