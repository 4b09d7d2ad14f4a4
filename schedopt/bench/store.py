"""The results store: one SQLite row per (suite, instance, method, params, seed).

Each finished run is written in its own transaction (WAL journal), so a
runner killed at any moment leaves every finished run stored exactly once and
nothing half-written. A rerun skips the keys already stored with a final
status and retries the others (by default ``crashed`` and ``error``); a retry
replaces the row and increments its ``attempt``.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .tasks import Key

KEY_COLUMNS: tuple[str, ...] = ("suite", "instance", "method", "params", "seed")
COLUMNS: tuple[tuple[str, str], ...] = (
    ("suite", "TEXT NOT NULL"),
    ("instance", "TEXT NOT NULL"),
    ("method", "TEXT NOT NULL"),
    ("params", "TEXT NOT NULL"),
    ("seed", "INTEGER NOT NULL"),
    ("time_limit", "REAL"),
    ("objective_kind", "TEXT"),
    ("n_jobs", "INTEGER"),
    ("status", "TEXT NOT NULL"),
    ("valid", "INTEGER"),
    ("objective", "INTEGER"),
    ("bound", "INTEGER"),
    ("gap", "REAL"),
    ("best_lb", "INTEGER"),
    ("best_ub", "INTEGER"),
    ("proven_opt", "INTEGER"),
    ("gap_best", "REAL"),
    ("abs_gap_best", "INTEGER"),
    ("flags", "TEXT"),
    ("violations", "TEXT"),
    ("error", "TEXT"),
    ("time", "REAL"),
    ("wall", "REAL"),
    ("host", "TEXT"),
    ("worker_pid", "INTEGER"),
    ("attempt", "INTEGER NOT NULL DEFAULT 1"),
    ("finished_at", "REAL"),
    ("info", "TEXT"),
    ("schedule", "TEXT"),
)
NAMES: tuple[str, ...] = tuple(c for c, _ in COLUMNS)
#: Statuses a rerun tries again by default.
DEFAULT_RETRY: tuple[str, ...] = ("crashed", "error")
SCHEMA_VERSION = 1


class ResultsStore:
    """SQLite results (``path=None``: an in-memory database)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = None if path is None else Path(path)
        if self.path is not None and self.path.parent and not self.path.parent.exists():
            raise FileNotFoundError(f"results: folder {self.path.parent} does not exist")
        self.conn = sqlite3.connect(
            ":memory:" if self.path is None else str(self.path), timeout=60, isolation_level=None
        )
        if self.path is not None:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
        cols = ", ".join(f"{c} {t}" for c, t in COLUMNS)
        self.conn.execute(f"CREATE TABLE IF NOT EXISTS runs ({cols}, PRIMARY KEY ({', '.join(KEY_COLUMNS)}))")
        self.conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        have = {r[1] for r in self.conn.execute("PRAGMA table_info(runs)")}
        missing = [c for c in NAMES if c not in have]
        if missing:
            raise ValueError(f"{self.path}: not a schedopt bench results file (missing columns {missing})")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---------------------------------------------------------------- rows
    def done_keys(self, retry: Iterable[str] = DEFAULT_RETRY) -> set[Key]:
        """Keys stored with a status not in ``retry`` (those a rerun skips)."""
        retry = tuple(retry)
        marks = ",".join("?" * len(retry)) or "''"
        rows = self.conn.execute(
            f"SELECT {', '.join(KEY_COLUMNS)} FROM runs WHERE status NOT IN ({marks})", retry
        )
        return {(s, i, m, p, int(seed)) for s, i, m, p, seed in rows}

    def write(self, row: dict[str, Any]) -> None:
        """Insert or replace one row in one transaction (a replaced row's ``attempt`` grows by 1)."""
        row = dict(row)
        row.setdefault("finished_at", time.time())
        row.pop("attempt", None)
        cols = [c for c in NAMES if c in row and c != "attempt"]
        missing = [c for c in KEY_COLUMNS if row.get(c) is None]
        if missing:
            raise ValueError(f"results row lacks key field(s) {missing}")
        updates = ", ".join(f"{c}=excluded.{c}" for c in cols if c not in KEY_COLUMNS)
        sql = (
            f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates}, attempt = runs.attempt + 1"
        )
        with self.conn:  # one transaction per row
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.execute(sql, [_plain(row[c]) for c in cols])

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])

    def dataframe(self, keys: Iterable[Key] | None = None, schedules: bool = False) -> pd.DataFrame:
        """The rows (optionally only ``keys``, in that order) as a DataFrame."""
        cols = [c for c in NAMES if schedules or c != "schedule"]
        df = pd.read_sql_query(f"SELECT {', '.join(cols)} FROM runs", self.conn)
        df = df.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)
        if keys is not None:
            order = {k: n for n, k in enumerate(keys)}
            idx = [order.get(tuple(r), -1) for r in df[list(KEY_COLUMNS)].itertuples(index=False)]
            df = df.assign(_o=idx)
            df = df[df._o >= 0].sort_values("_o").drop(columns="_o").reset_index(drop=True)
        return df

    def export_csv(self, path: str | Path, schedules: bool = False) -> int:
        df = self.dataframe(schedules=schedules)
        df.to_csv(path, index=False)
        return len(df)

    def export_parquet(self, path: str | Path, schedules: bool = False) -> int:
        df = self.dataframe(schedules=schedules)
        df.to_parquet(path, index=False)
        return len(df)


def _plain(v: Any) -> Any:
    """numpy scalars to Python (sqlite3 stores only builtin types)."""
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        return v.item()
    return v
