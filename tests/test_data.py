"""The data directory and ``schedopt data fetch`` (against a local HTTP server)."""

from __future__ import annotations

import functools
import http.server
import io
import threading
import zipfile

import pytest

from schedopt import data
from schedopt.cli import main


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("j30/j301_1.sm", "fake instance\n")
    for s in ("j30", "j60", "j90", "j120"):
        (root / f"{s}.sm.zip").write_bytes(buf.getvalue())
    for name in ("j30opt.sm", "j60hrs.sm", "j90hrs.sm", "j120hrs.sm"):
        (root / name).write_text("values\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def test_data_dir_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path))
    assert data.data_dir() == tmp_path
    assert not data.has_dataset("psplib")
    with pytest.raises(FileNotFoundError, match="SCHEDOPT_DATA"):
        data.require_dataset("psplib")
    monkeypatch.delenv(data.ENV_VAR)
    assert "schedopt" in str(data.data_dir())


def test_fetch_unpacks_and_resumes(monkeypatch, tmp_path, server):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "d"))
    written = data.fetch("psplib", base_urls={data.PSPLIB_URL: server})
    assert (tmp_path / "d" / "psplib" / "j30" / "j301_1.sm").read_text() == "fake instance\n"
    assert (tmp_path / "d" / "psplib" / "values" / "psplib_hrs" / "j60hrs.sm").exists()
    assert len(written) == 8
    assert data.fetch("psplib", base_urls={data.PSPLIB_URL: server}) == []  # nothing twice


def test_fetch_errors(monkeypatch, tmp_path, server, capsys):
    monkeypatch.setenv(data.ENV_VAR, str(tmp_path / "d"))
    with pytest.raises(ValueError, match="unknown data set"):
        data.fetch("nope")
    with pytest.raises(OSError, match="could not download"):
        data.fetch("orlib_wt", base_urls={data.ORLIB_URL: server})  # 404
    monkeypatch.setattr(data, "fetch", lambda name: (_ for _ in ()).throw(OSError("offline")))
    assert main(["data", "fetch", "psplib"]) == 2
    assert "offline" in capsys.readouterr().err
