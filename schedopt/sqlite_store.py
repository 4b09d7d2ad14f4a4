"""SQLite plumbing shared by schedopt's results files (``bench`` and ``llmeval`` stores).

A results file is an SQLite database holding one *kind* of store. Its kind and
schema version are recorded in a marker table::

    CREATE TABLE schedopt_meta (key TEXT PRIMARY KEY, value TEXT);
    -- rows ('kind', 'bench' | 'llmeval') and ('schema_version', '<int>')

:class:`SQLiteStore` opens such a file and refuses anything else with a
:class:`~schedopt.errors.StoreError` that names the file:

* a directory, a missing folder, a file that is not SQLite;
* another application's SQLite database (schedopt never adds its tables to it);
* a schedopt store of the other kind, or of a newer schema version;
* a read-only file opened for writing.

An empty file (or a new one) becomes a store of the requested kind. A store
written before the marker existed is recognised by its exact set of tables and
columns and *adopted*: opened writable, the marker is added.

Read-only opens (``readonly=True``; reports and exports) use SQLite's
``mode=ro`` URI, so they work on files the user may not write, and never
change the file. Writable opens use the WAL journal (readers never block the
writer), ``synchronous=NORMAL`` and a busy timeout; every write runs in an
explicit transaction (:meth:`SQLiteStore.transaction`).

This module is part of the core: it imports no family and no pandas.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .errors import StoreError

META_TABLE = "schedopt_meta"
_META_DDL = f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)"


@dataclass(frozen=True)
class StoreSchema:
    """What one kind of results file holds.

    Attributes
    ----------
    kind
        ``"bench"`` or ``"llmeval"``: the value of the marker's ``kind`` row.
    version
        Schema version written into new stores; stores with a larger version are refused.
    ddl
        ``CREATE TABLE IF NOT EXISTS ...`` statements of the kind's tables.
    columns
        The kind's tables and the columns each must have. A file without the
        marker whose tables are exactly these (with these columns) is an older
        schedopt store of this kind and is adopted.
    legacy_tables
        Further tables an older store of this kind may hold (e.g. an old ``meta`` table).
    how
        How such a file is made, for error messages (e.g. ``"schedopt bench run --results FILE"``).
    """

    kind: str
    version: int
    ddl: tuple[str, ...]
    columns: dict[str, tuple[str, ...]]
    legacy_tables: tuple[str, ...] = ()
    how: str = ""


def _describe(exc: sqlite3.Error) -> str:
    return f"{type(exc).__name__}: {exc}"


class SQLiteStore:
    """One open results file (or an in-memory database with ``path=None``).

    Parameters
    ----------
    path
        The SQLite file; ``None`` opens a private in-memory database.
    schema
        The kind of store expected (see :class:`StoreSchema`).
    readonly
        Open with ``mode=ro``: nothing is created or written (reports, exports).
    timeout
        Seconds to wait for another process's write lock.
    threads
        Allow the connection to be used from several threads; callers then
        serialise access with :attr:`lock`.

    Raises
    ------
    StoreError
        The file cannot be used (see the module docstring); the message names it.

    Attributes
    ----------
    conn
        The ``sqlite3`` connection (autocommit; use :meth:`transaction` to write).
    adopted
        ``True`` when the file was an older schedopt store without the marker.
    """

    def __init__(
        self,
        path: str | Path | None,
        schema: StoreSchema,
        *,
        readonly: bool = False,
        timeout: float = 60.0,
        threads: bool = False,
    ) -> None:
        self.path = None if path is None else Path(path)
        self.schema = schema
        self.readonly = readonly
        self.adopted = False
        self.lock = threading.RLock()
        if self.path is None:
            if readonly:
                raise StoreError(f"an in-memory {schema.kind} store cannot be opened read-only")
            self.conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=not threads)
            self._initialise(set())
            return
        self._check_path()
        conn: sqlite3.Connection | None = None
        try:
            conn = self.conn = self._connect(timeout, threads)
            self._initialise(self._tables())
        except StoreError:
            if conn is not None:
                conn.close()
            raise
        except sqlite3.Error as exc:
            if conn is not None:
                conn.close()
            if "not a database" in str(exc) or "malformed" in str(exc):
                raise StoreError(
                    f"not an SQLite file ({exc}), so not a schedopt {schema.kind} results file; "
                    "give a new file name",
                    self.path,
                ) from None
            raise StoreError(self._sqlite_message(exc), self.path) from None

    # ------------------------------------------------------------ opening
    def _check_path(self) -> None:
        p = self.path
        assert p is not None
        kind = self.schema.kind
        if p.is_dir():
            raise StoreError(
                f"is a directory, not a {kind} results file; give a file name such as {p / 'results.sqlite'}",
                p,
            )
        if self.readonly:
            if not p.exists():
                raise StoreError(f"no such {kind} results file", p)
            if not os.access(p, os.R_OK):
                raise StoreError("cannot be read (permission denied)", p)
            return
        parent = p.parent if str(p.parent) else Path(".")
        if not parent.is_dir():
            raise StoreError(f"folder {parent} does not exist (create it first)", p)
        if p.exists() and not os.access(p, os.W_OK):
            raise StoreError(
                f"is read-only, but this command writes {kind} results into it; "
                "reports and exports can read it, a run needs a writable file (or a new file name)",
                p,
            )
        if not p.exists() and not os.access(parent, os.W_OK):
            raise StoreError(f"cannot be created: folder {parent} is not writable", p)

    def _connect(self, timeout: float, threads: bool) -> sqlite3.Connection:
        assert self.path is not None
        kw: dict[str, Any] = {"timeout": timeout, "isolation_level": None, "check_same_thread": not threads}
        if not self.readonly:
            return sqlite3.connect(str(self.path), **kw)
        uri = "file:" + quote(str(self.path.resolve()))
        conn = sqlite3.connect(uri + "?mode=ro", uri=True, **kw)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            # A WAL file in a folder we may not write (no -shm can be made): read it as immutable.
            conn.close()
            conn = sqlite3.connect(uri + "?mode=ro&immutable=1", uri=True, **kw)
        except sqlite3.Error:
            conn.close()
            raise
        return conn

    def _tables(self) -> set[str]:
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        return {r[0] for r in rows}

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}

    def _initialise(self, tables: set[str]) -> None:
        s = self.schema
        if META_TABLE in tables:
            meta = dict(self.conn.execute(f"SELECT key, value FROM {META_TABLE}").fetchall())
            kind, version = meta.get("kind"), meta.get("schema_version")
            if kind != s.kind:
                raise StoreError(
                    f"is a schedopt {kind or 'unknown-kind'} results file, "
                    f"not a schedopt {s.kind} results file"
                    + (f"; {s.kind} results are made by {s.how}" if s.how else ""),
                    self.path,
                )
            try:
                v = int(version or 0)
            except ValueError:
                raise StoreError(f"bad schema_version {version!r} in table {META_TABLE}", self.path) from None
            if v > s.version:
                raise StoreError(
                    f"was written by a newer schedopt ({s.kind} schema version {v}; this one reads "
                    f"up to {s.version}): upgrade schedopt",
                    self.path,
                )
            self._check_columns()
            if not self.readonly:
                self._setup_writable()
            return
        if not tables:
            if self.readonly:
                raise StoreError(f"is empty: no {s.kind} results in it (yet)", self.path)
            self._create()
            return
        own = set(s.columns)
        if own <= tables and tables <= own | set(s.legacy_tables):
            self._check_columns()
            self.adopted = True
            if not self.readonly:
                self._create()  # adds the marker (and nothing else: the tables exist)
            return
        where = "" if self.path is None else " (another application's database?)"
        raise StoreError(
            f"is an SQLite file but not a schedopt {s.kind} results file{where}: it has table(s) "
            f"{', '.join(sorted(tables))}; refusing to add schedopt's tables to it. Give a new file name",
            self.path,
        )

    def _check_columns(self) -> None:
        for table, cols in self.schema.columns.items():
            have = self._columns(table)
            missing = [c for c in cols if c not in have]
            if missing:
                raise StoreError(
                    f"not a schedopt {self.schema.kind} results file: table {table} lacks column(s) "
                    f"{', '.join(missing)}",
                    self.path,
                )

    def _setup_writable(self) -> None:
        if self.path is not None:
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")

    def _create(self) -> None:
        self._setup_writable()
        s = self.schema
        with self.transaction():
            for stmt in (*s.ddl, _META_DDL):
                self.conn.execute(stmt)
            self.conn.execute(f"INSERT OR IGNORE INTO {META_TABLE} VALUES ('kind', ?)", (s.kind,))
            self.conn.execute(
                f"INSERT OR IGNORE INTO {META_TABLE} VALUES ('schema_version', ?)", (str(s.version),)
            )

    # ------------------------------------------------------------- access
    def _sqlite_message(self, exc: sqlite3.Error) -> str:
        text = str(exc)
        if "readonly" in text or "read-only" in text:
            return f"cannot write: the file is read-only ({text})"
        if "locked" in text or "busy" in text:
            return f"another process holds the write lock and did not release it in time ({text})"
        return f"SQLite error ({_describe(exc)})"

    @contextmanager
    def errors(self) -> Iterator[None]:
        """Turn ``sqlite3`` errors raised inside the block into :class:`StoreError` naming the file."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StoreError(self._sqlite_message(exc), self.path) from exc

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (``ROLLBACK`` on error), under :attr:`lock`."""
        if self.readonly:
            raise StoreError("opened read-only: cannot write", self.path)
        with self.lock, self.errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """All rows of a read query (under :attr:`lock`, errors naming the file)."""
        with self.lock, self.errors():
            return self.conn.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self.lock:
            self.conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
