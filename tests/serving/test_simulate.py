"""The single-instance loop: progress output and Ctrl-C."""

from __future__ import annotations

import io

import pytest

from schedopt.serving.engine import EngineConfig
from schedopt.serving.request import Request
from schedopt.serving.simulate import SimProgress, simulate

from .test_engine import AffineCost, Greedy, Listed


def test_progress_lines_for_logs():
    out = io.StringIO()
    bar = SimProgress(10, "lines", every=0.0, stream=out)
    bar.update(4, 12.5)
    bar.update(6, 30.0)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("simulate: 10/10 requests finished, simulated 30.0 s")
    assert len(lines) == 3  # two updates (every=0) and the closing line


def test_progress_rejects_unknown_modes():
    with pytest.raises(ValueError, match="progress must be"):
        SimProgress(1, "fancy")


def test_ctrl_c_returns_what_was_simulated():
    class Interrupting(Greedy):
        def record_finish(self, request, generated):
            if request.id == 2:
                raise KeyboardInterrupt

    reqs = [Request(i, 0.1 * i, 4, 3, 3) for i in range(6)]
    config = EngineConfig(kv_capacity_tokens=4096, block_size=16)
    result = simulate(Listed(reqs), config, AffineCost(), Interrupting())
    assert result.config["interrupted"] is True
    assert {r.request.id for r in result.records} <= {0, 1}
    assert len(result.records) + len(result.unfinished) >= 5
