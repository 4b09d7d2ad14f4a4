"""Where benchmark data lives: ``$SCHEDOPT_DATA`` or a user cache directory.

schedopt never ships third-party benchmark files. It reads them from a data
directory laid out like ``psplib/j30/*.sm``, ``psplib/values/reference.csv``,
``orlib_wt/wt40.txt``, ``smtt_unweighted/...``.
"""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "SCHEDOPT_DATA"

#: Data sets schedopt knows, with a file that must exist for each.
DATASETS: dict[str, str] = {
    "psplib": "psplib/values/reference.csv",
    "orlib_wt": "orlib_wt/wt40.txt",
    "smtt_unweighted": "smtt_unweighted",
    "dags": "dags",
    "llm_traces": "llm_traces",
}


def data_dir() -> Path:
    """The data directory: ``$SCHEDOPT_DATA`` if set, else the user cache."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("schedopt")) / "data"


def data_path(*parts: str) -> Path:
    """A path inside the data directory (which need not exist)."""
    return data_dir().joinpath(*parts)


def has_dataset(name: str) -> bool:
    """True when the data set ``name`` (a key of :data:`DATASETS`) is present."""
    return data_path(DATASETS[name]).exists()


def require_dataset(name: str) -> Path:
    """The data set's folder, or a ``FileNotFoundError`` that says how to provide it."""
    if not has_dataset(name):
        raise FileNotFoundError(
            f"data set {name!r} not found under {data_dir()} (expected {DATASETS[name]}); "
            f"set {ENV_VAR} to a directory that holds it"
        )
    return data_path(name)
