"""The results store: one SQLite row per (suite, instance, method, params, seed).

Each finished run is written in its own transaction (WAL journal), so a
runner killed at any moment leaves every finished run stored exactly once and
nothing half-written. A rerun skips the keys already stored with a final
status and retries the others (by default ``crashed`` and ``error``); a retry
replaces the row and increments its ``attempt``.

The ``suite`` key field is the suite without its generic sampling keys
(``psplib-j30``, not ``psplib-j30:limit=3``; see
:func:`schedopt.bench.tasks.suite_key`), so widening a sample reuses the runs
already stored. Rows written by older versions under a sampled label are read
under the unsampled one (a key stored under several labels counts once) and
are replaced when that key is run again.

Opening, the schema marker, read-only mode and error messages are shared with
the llmeval store (:mod:`schedopt.sqlite_store`): a file that is not a bench
results file raises :class:`~schedopt.errors.StoreError` naming it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..sqlite_store import SQLiteStore, StoreSchema
from .tasks import Key, suite_key

if TYPE_CHECKING:
    import pandas as pd

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

SCHEMA = StoreSchema(
    kind="bench",
    version=SCHEMA_VERSION,
    ddl=(
        f"CREATE TABLE IF NOT EXISTS runs ({', '.join(f'{c} {t}' for c, t in COLUMNS)}, "
        f"PRIMARY KEY ({', '.join(KEY_COLUMNS)}))",
    ),
    columns={"runs": NAMES},
    legacy_tables=("meta",),  # stores written before the schedopt_meta marker
    how="schedopt bench run --results FILE",
)


class ResultsStore:
    """SQLite results of ``schedopt bench``.

    Parameters
    ----------
    path
        The results file (created if absent); ``None``: an in-memory database.
    readonly
        Open read-only (SQLite ``mode=ro``): for reports and exports, and for
        files the user may not write. Nothing is created or changed.

    Raises
    ------
    schedopt.errors.StoreError
        The file is a directory, not SQLite, another application's database,
        an llmeval results file, or read-only while ``readonly`` is false.
    """

    def __init__(self, path: str | Path | None = None, *, readonly: bool = False) -> None:
        self._store = SQLiteStore(path, SCHEMA, readonly=readonly, timeout=60.0)
        self.path = self._store.path
        self.conn = self._store.conn

    def close(self) -> None:
        self._store.close()

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # ---------------------------------------------------------------- rows
    def _frame(self, cols: Iterable[str]) -> pd.DataFrame:
        """Rows with ``suite`` as a key (sampling removed), one per key.

        A key stored under several labels by older versions keeps its row with a final
        status (not in :data:`DEFAULT_RETRY`), then the most recently finished one.
        """
        import pandas as pd

        cols = list(dict.fromkeys([*KEY_COLUMNS, "status", "finished_at", *cols]))
        with self._store.lock, self._store.errors():
            df = pd.read_sql_query(f"SELECT {', '.join(cols)} FROM runs", self.conn)
        labels = df["suite"].unique()
        keyed = {s: suite_key(s) for s in labels}
        if any(k != s for s, k in keyed.items()):
            df["suite"] = df["suite"].map(keyed)
            if df.duplicated(list(KEY_COLUMNS)).any():
                rank = df.assign(
                    _final=(~df["status"].isin(DEFAULT_RETRY)).astype(int),
                    _when=df["finished_at"].fillna(0.0),
                )
                rank = rank.sort_values(["_final", "_when"], ascending=False, kind="stable")
                df = rank.drop_duplicates(list(KEY_COLUMNS)).drop(columns=["_final", "_when"])
        return df

    def done_keys(self, retry: Iterable[str] = DEFAULT_RETRY) -> set[Key]:
        """Keys stored with a status not in ``retry`` (those a rerun skips)."""
        retry = set(retry)
        df = self._frame(())
        df = df[~df["status"].isin(retry)]
        return {(s, i, m, p, int(seed)) for s, i, m, p, seed in df[list(KEY_COLUMNS)].itertuples(index=False)}

    def write(self, row: dict[str, Any]) -> None:
        """Insert or replace one row in one transaction (a replaced row's ``attempt`` grows by 1).

        ``suite`` is stored as :func:`~schedopt.bench.tasks.suite_key`; rows an older
        version stored for the same key under a sampled label are replaced too.
        """
        row = dict(row)
        row.setdefault("finished_at", time.time())
        row.pop("attempt", None)
        cols = [c for c in NAMES if c in row and c != "attempt"]
        missing = [c for c in KEY_COLUMNS if row.get(c) is None]
        if missing:
            raise ValueError(f"results row lacks key field(s) {missing}")
        row["suite"] = suite_key(str(row["suite"]))
        updates = ", ".join(f"{c}=excluded.{c}" for c in cols if c not in KEY_COLUMNS)
        sql = (
            f"INSERT INTO runs ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT ({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates}, attempt = runs.attempt + 1"
        )
        key = [_plain(row[c]) for c in KEY_COLUMNS]
        where = " AND ".join(f"{c} = ?" for c in KEY_COLUMNS)
        with self._store.transaction() as conn:  # one transaction per row
            conn.execute(sql, [_plain(row[c]) for c in cols])
            old = conn.execute(
                "SELECT rowid, suite, attempt FROM runs WHERE instance = ? AND method = ? AND params = ? "
                "AND seed = ? AND suite <> ?",
                (*key[1:], key[0]),
            ).fetchall()
            old = [(rowid, attempt) for rowid, label, attempt in old if suite_key(label) == key[0]]
            if old:
                conn.executemany("DELETE FROM runs WHERE rowid = ?", [(rowid,) for rowid, _ in old])
                conn.execute(
                    f"UPDATE runs SET attempt = max(attempt, ?) WHERE {where}",
                    (1 + max(int(a or 1) for _, a in old), *key),
                )

    def count(self) -> int:
        """The number of stored keys."""
        return len(self._frame(()))

    def dataframe(self, keys: Iterable[Key] | None = None, schedules: bool = False) -> pd.DataFrame:
        """The rows (optionally only ``keys``, in that order) as a DataFrame."""
        cols = [c for c in NAMES if schedules or c != "schedule"]
        df = self._frame(cols)[cols]
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
