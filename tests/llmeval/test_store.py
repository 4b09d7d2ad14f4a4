"""The llmeval results file: refused files name themselves, read-only reports, adoption of old files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess

import pytest

from schedopt.cli import main
from schedopt.errors import StoreError
from schedopt.llmeval.store import SCHEMA, ResultsStore
from schedopt.sqlite_store import META_TABLE

SAMPLE = {
    "key": "k1",
    "model": "m",
    "base_url": "offline",
    "instance": "synthetic-precedence-L01-i000-s0",
    "domain": "synthetic",
    "variant": "precedence",
    "level": 1,
    "idx": 0,
    "feasible": 1,
    "violations": {},
    "created": 0.0,
}


@pytest.fixture
def readonly():
    """Make a file read-only for this process (``chattr +i`` as root), undone afterwards; or skip."""
    undo: list = []

    def apply(path) -> None:
        path.chmod(0o444)
        if os.access(path, os.W_OK):  # root: permission bits do not bind
            chattr = shutil.which("chattr")
            if chattr is None or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode:
                pytest.skip("cannot make a file read-only for root here (no chattr +i)")
            undo.append(lambda: subprocess.run([chattr, "-i", str(path)], check=False))

    yield apply
    for u in undo:
        u()


def _tables(path) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        con.close()


def test_not_sqlite_directory_and_foreign_files_are_refused_by_name(tmp_path, capsys):
    text = tmp_path / "answers.sqlite"
    text.write_text("not a database at all\n" * 40)
    with pytest.raises(StoreError, match="not an SQLite file") as err:
        ResultsStore(text)
    assert str(text) in str(err.value)
    with pytest.raises(StoreError, match="is a directory") as err:
        ResultsStore(tmp_path)
    assert str(tmp_path) in str(err.value)
    other = tmp_path / "app.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE samples (id INTEGER)")  # a name clash, but not ours
    con.execute("CREATE TABLE customers (id INTEGER)")
    con.commit()
    con.close()
    with pytest.raises(StoreError, match="not a schedopt llmeval results file") as err:
        ResultsStore(other)
    assert str(other) in str(err.value)
    assert _tables(other) == {"samples", "customers"}  # nothing added
    # the CLI: one line naming the file, exit 2 (no traceback)
    for path, what in ((text, "not an SQLite file"), (tmp_path, "is a directory"), (other, "not a schedopt")):
        assert main(["llmeval", "report", str(path)]) == 2
        err_text = capsys.readouterr().err
        assert err_text.startswith(f"error: {path}: ") and what in err_text and err_text.count("\n") == 1


def test_bench_file_is_not_an_llmeval_file(tmp_path):
    from schedopt.bench.store import ResultsStore as BenchStore

    path = tmp_path / "bench.sqlite"
    BenchStore(path).close()
    with pytest.raises(StoreError, match="schedopt bench results file, not a schedopt llmeval results file"):
        ResultsStore(path)


def test_file_written_before_the_marker_is_adopted(tmp_path):
    old = tmp_path / "old.sqlite"
    con = sqlite3.connect(old)  # what the previous version created: the two tables, no marker
    for stmt in SCHEMA.ddl:
        con.execute(stmt)
    con.commit()
    con.close()
    with ResultsStore(old, readonly=True) as store:
        assert store.samples() == []
    assert META_TABLE not in _tables(old)
    with ResultsStore(old) as store:
        store.put_sample(SAMPLE)
    con = sqlite3.connect(old)
    meta = dict(con.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
    con.close()
    assert meta == {"kind": "llmeval", "schema_version": "1"}
    with ResultsStore(old) as store:
        assert [s["key"] for s in store.samples()] == ["k1"]


def test_read_only_file_reports_but_refuses_a_run(tmp_path, readonly, capsys):
    path = tmp_path / "r.sqlite"
    with ResultsStore(path) as store:
        store.put_sample(SAMPLE)
    before = path.read_bytes()
    readonly(path)
    with pytest.raises(StoreError, match="read-only") as err:
        ResultsStore(path)
    assert str(path) in str(err.value)
    capsys.readouterr()
    assert main(["llmeval", "report", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_samples"] == 1
    assert main(["llmeval", "report", str(path), "--out", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "samples.jsonl").read_text().count("\n") == 1
    assert path.read_bytes() == before
    capsys.readouterr()
    code = main(["llmeval", "run", str(tmp_path), "--model", "heuristic", "--results", str(path)])
    err_text = capsys.readouterr().err
    assert code == 2 and str(path) in err_text and "read-only" in err_text
