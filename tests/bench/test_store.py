"""The SQLite results store: keys, upserts, resume sets, exports."""

from __future__ import annotations

import pandas as pd
import pytest

from schedopt.bench.store import KEY_COLUMNS, ResultsStore


def _row(instance: str, seed: int, status: str = "feasible", objective: int | None = 5) -> dict:
    return {
        "suite": "s",
        "instance": instance,
        "method": "m",
        "params": '{"time_limit":1.0}',
        "seed": seed,
        "status": status,
        "objective": objective,
        "time": 0.1,
    }


def test_one_row_per_key_and_attempts(tmp_path):
    path = tmp_path / "r.sqlite"
    with ResultsStore(path) as store:
        store.write(_row("a", 0, "crashed", None))
        store.write(_row("a", 1))
        store.write(_row("a", 0, "optimal", 4))  # the retry replaces the crashed row
        assert store.count() == 2
        df = store.dataframe()
    row = df[(df.instance == "a") & (df.seed == 0)].iloc[0]
    assert row.status == "optimal" and row.objective == 4 and row.attempt == 2
    with ResultsStore(path) as store:  # persisted
        assert store.count() == 2
        assert store.done_keys() == {
            ("s", "a", "m", '{"time_limit":1.0}', 0),
            ("s", "a", "m", '{"time_limit":1.0}', 1),
        }


def test_done_keys_excludes_retry_statuses(tmp_path):
    with ResultsStore(tmp_path / "r.sqlite") as store:
        for k, status in enumerate(["optimal", "crashed", "error", "timeout", "invalid"]):
            store.write(_row("i", k, status))
        assert {k[-1] for k in store.done_keys()} == {0, 3, 4}
        assert {k[-1] for k in store.done_keys(retry=("crashed", "error", "timeout"))} == {0, 4}
        assert len(store.done_keys(retry=())) == 5


def test_dataframe_in_key_order_and_exports(tmp_path):
    with ResultsStore(tmp_path / "r.sqlite") as store:
        for inst in ("b", "a", "c"):
            store.write(_row(inst, 0))
        keys = [("s", i, "m", '{"time_limit":1.0}', 0) for i in ("c", "a")]
        assert list(store.dataframe(keys=keys).instance) == ["c", "a"]
        assert store.export_csv(tmp_path / "r.csv") == 3
        assert store.export_parquet(tmp_path / "r.parquet") == 3
    csv = pd.read_csv(tmp_path / "r.csv")
    pq = pd.read_parquet(tmp_path / "r.parquet")
    assert sorted(csv.instance) == sorted(pq.instance) == ["a", "b", "c"]
    assert set(KEY_COLUMNS) <= set(pq.columns) and "schedule" not in pq.columns


def test_rejects_rows_without_key_and_foreign_files(tmp_path):
    with ResultsStore(None) as store, pytest.raises(ValueError, match="key field"):
        store.write({"suite": "s", "status": "optimal"})
    import sqlite3

    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE runs (x INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(ValueError, match="not a schedopt bench results file"):
        ResultsStore(other)
