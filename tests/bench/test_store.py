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


# ----------------------------------------------------------- store safety
def _readonly(path, cleanup: list) -> None:
    """Make ``path`` read-only for this process (``chattr +i`` when running as root), or skip."""
    import os
    import shutil
    import subprocess

    path.chmod(0o444)
    if os.access(path, os.W_OK):  # root: permission bits do not bind
        chattr = shutil.which("chattr")
        if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
            pytest.skip("cannot make a file read-only for root here (no chattr +i)")
        cleanup.append(lambda: subprocess.run([chattr, "-i", str(path)], check=False))


@pytest.fixture
def readonly():
    cleanup: list = []
    yield lambda path: _readonly(path, cleanup)
    for undo in cleanup:
        undo()


def _stored(path, n: int = 2) -> None:
    with ResultsStore(path) as store:
        for k in range(n):
            store.write({**_row(f"i{k}", 0), "time_limit": 1.0})


def test_not_sqlite_and_directory_are_store_errors_naming_the_file(tmp_path):
    from schedopt.errors import StoreError

    text = tmp_path / "notes.sqlite"
    text.write_text("these are my notes, not a database\n" * 50)
    for ro in (False, True):
        with pytest.raises(StoreError, match="not an SQLite file") as err:
            ResultsStore(text, readonly=ro)
        assert str(text) in str(err.value) and err.value.path == str(text)
    assert text.read_text().startswith("these are my notes")
    for ro in (False, True):
        with pytest.raises(StoreError, match="is a directory") as err:
            ResultsStore(tmp_path, readonly=ro)
        assert str(tmp_path) in str(err.value)
    with pytest.raises(StoreError, match="does not exist") as err:
        ResultsStore(tmp_path / "no" / "r.sqlite")
    assert str(tmp_path / "no") in str(err.value)
    with pytest.raises(StoreError, match="no such bench results file"):
        ResultsStore(tmp_path / "absent.sqlite", readonly=True)
    assert not (tmp_path / "absent.sqlite").exists()


def test_foreign_sqlite_is_refused_and_left_untouched(tmp_path):
    import sqlite3

    from schedopt.errors import StoreError

    other = tmp_path / "app.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    con.execute("INSERT INTO users VALUES (1, 'ada')")
    con.commit()
    con.close()
    for ro in (False, True):
        with pytest.raises(StoreError, match="not a schedopt bench results file") as err:
            ResultsStore(other, readonly=ro)
        assert str(other) in str(err.value) and "users" in str(err.value)
    con = sqlite3.connect(other)
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    con.close()
    assert tables == {"users"}  # schedopt added nothing


def test_other_kind_and_newer_schema_are_refused(tmp_path):
    import sqlite3

    from schedopt.errors import StoreError
    from schedopt.llmeval.store import ResultsStore as LLMStore

    path = tmp_path / "llm.sqlite"
    LLMStore(path).close()
    with pytest.raises(
        StoreError, match="schedopt llmeval results file, not a schedopt bench results file"
    ) as err:
        ResultsStore(path)
    assert str(path) in str(err.value)
    newer = tmp_path / "newer.sqlite"
    _stored(newer)
    con = sqlite3.connect(newer)
    con.execute("UPDATE schedopt_meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="newer schedopt"):
        ResultsStore(newer, readonly=True)


def test_store_written_before_the_marker_is_adopted(tmp_path):
    import sqlite3

    from schedopt.bench.store import SCHEMA
    from schedopt.sqlite_store import META_TABLE

    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)  # exactly what the previous version created
    con.execute(SCHEMA.ddl[0])
    con.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '1')")
    con.execute(
        "INSERT INTO runs (suite, instance, method, params, seed, status, objective) "
        "VALUES ('s', 'a', 'm', '{\"time_limit\":1.0}', 0, 'optimal', 3)"
    )
    con.commit()
    con.close()
    with ResultsStore(old, readonly=True) as store:  # readable as it is, and left as it is
        assert store.count() == 1
    con = sqlite3.connect(old)
    assert META_TABLE not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    con.close()
    with ResultsStore(old) as store:  # opened writable: adopted, the marker is added
        assert store.count() == 1
        store.write(_row("b", 0))
    con = sqlite3.connect(old)
    meta = dict(con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
    con.close()
    assert meta == {"kind": "bench", "schema_version": "1"}
    with ResultsStore(old) as store:
        assert sorted(store.dataframe().instance) == ["a", "b"]


def test_read_only_file_cannot_be_written_but_reports_and_exports(tmp_path, readonly, capsys):
    from schedopt.bench.report import write_report
    from schedopt.cli import main
    from schedopt.errors import StoreError

    path = tmp_path / "r.sqlite"
    _stored(path, 3)
    before = path.read_bytes()
    readonly(path)
    with pytest.raises(StoreError, match="read-only") as err:
        ResultsStore(path)
    assert str(path) in str(err.value)
    text = write_report(path, tmp_path / "rep")
    assert "| m | 3 |" in text
    assert main(["bench", "export", str(path), "--csv", str(tmp_path / "r.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "r.csv")) == 3
    assert path.read_bytes() == before
    capsys.readouterr()
    code = main(["bench", "run", "smoke", "--methods", "cpsat", "--time-limit", "1", "--results", str(path)])
    err_text = capsys.readouterr().err
    assert code == 2 and str(path) in err_text and "read-only" in err_text


def test_sampled_labels_of_older_versions_are_read_as_one_key(tmp_path):
    """Rows an older version stored under ``suite:limit=K`` labels count once, under the unsampled suite."""
    path = tmp_path / "r.sqlite"
    with ResultsStore(path) as store:
        for label, status, objective, when, attempt in (
            ("gen-smtt:n=8,limit=3", "crashed", None, 1.0, 1),
            ("gen-smtt:n=8,limit=5", "optimal", 4, 2.0, 2),
        ):
            store.conn.execute(
                "INSERT INTO runs (suite, instance, method, params, seed, status, objective, finished_at, "
                "attempt) VALUES (?, 'a', 'm', '{\"time_limit\":1.0}', 0, ?, ?, ?, ?)",
                (label, status, objective, when, attempt),
            )
        key = ("gen-smtt:n=8", "a", "m", '{"time_limit":1.0}', 0)
        assert store.done_keys() == {key}
        df = store.dataframe(keys=[key])
        assert len(df) == 1 and df.status[0] == "optimal" and df.objective[0] == 4 and store.count() == 1
        store.write({**_row("a", 0, "optimal", 3), "suite": "gen-smtt:n=8,every=1"})  # a rerun of the key
        rows = store.conn.execute("SELECT suite, objective, attempt FROM runs").fetchall()
    assert rows == [("gen-smtt:n=8", 3, 3)]
