"""Where the serving tests find their fixtures and the shared LLM traces."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedopt.serving.traces import trace_path

#: Small hand-written trace files.
DATA = Path(__file__).resolve().parents[1] / "data" / "serving"


def named_trace(name: str) -> Path:
    """The path of a named trace of the data directory, or skip the test with the reason."""
    try:
        return trace_path(name)
    except FileNotFoundError as exc:
        pytest.skip(f"LLM trace data absent: {exc}")
