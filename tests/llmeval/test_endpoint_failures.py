"""Honest exits: no server, every request failing, missing API key, secrets echoed by the server."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from schedopt.cli import main
from schedopt.llmeval.client import ChatClient, EndpointUnreachable
from schedopt.llmeval.runner import make_model, run
from schedopt.llmeval.store import ResultsStore

from .stub_server import Reply, StubServer, chat_reply

SECRET = "sk-live-THIS-IS-THE-KEY-0123456789"


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("suite")
    args = ["llmeval", "generate", "--out", str(out), "--levels", "2", "--per-level", "1", "--no-cpsat"]
    assert main(args) == 0
    return out  # 2 levels x 1 index x 5 variants = 10 instances


@pytest.fixture
def closed_port() -> int:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_client_raises_endpoint_unreachable_after_few_retries(closed_port):
    c = ChatClient("m", f"http://127.0.0.1:{closed_port}/v1", backoff_base=0.01, max_connect_retries=1)
    with pytest.raises(EndpointUnreachable, match=f"127.0.0.1:{closed_port}.*cannot connect") as err:
        c.complete([{"role": "user", "content": "hi"}])
    assert "after 2 attempt(s)" in str(err.value)


def test_run_stops_after_consecutive_connection_failures(suite, tmp_path, closed_port):
    with ResultsStore(tmp_path / "r.sqlite") as store:
        model = make_model("m", base_url=f"http://127.0.0.1:{closed_port}/v1", store=store, backoff_base=0.01)
        stats = run(suite, model, store, concurrency=1, max_connect_failures=3)
        assert store.samples() == []  # nothing was answered: no fake "infeasible" rows
        assert stats.unreachable == 3 and stats.not_asked == 7 and stats.api_errors == 0
        assert stats.stopped is not None and "3 requests in a row could not connect" in stats.stopped
        assert stats.all_failed and "cannot connect" in stats.first_error
        whole = run(suite, model, store, concurrency=2, max_connect_failures=None)
        assert whole.unreachable == 10 and whole.stopped is None and whole.all_failed


def test_cli_run_without_server_exits_non_zero_and_says_so(suite, tmp_path, closed_port, capsys):
    results = tmp_path / "r.sqlite"
    args = ["llmeval", "run", str(suite), "--model", "m", "--results", str(results), "--quiet"]
    args += ["--base-url", f"http://127.0.0.1:{closed_port}/v1", "--max-retries", "0", "--concurrency", "1"]
    assert main([*args, "--max-connect-failures", "4"]) == 1
    captured = capsys.readouterr()
    stats = json.loads(captured.out)
    assert stats["unreachable"] == 4 and stats["not_asked"] == 6 and stats["outcomes"].get("feasible", 0) == 0
    assert "4 requests in a row could not connect" in captured.err
    assert "rerun the same command to resume" in captured.err and "Kept: 0 answer(s)" in captured.err
    assert main([*args, "--max-connect-failures", "0"]) == 1  # never stop: all ten fail, still an error
    assert "every one of the 10 request(s) failed (10 could not connect" in capsys.readouterr().err
    with ResultsStore(results) as store:
        assert store.samples() == []


def test_cli_run_whose_every_request_fails_exits_non_zero(suite, tmp_path, capsys):
    with StubServer(lambda body, n: Reply(401, {"error": "invalid key"})) as srv:
        args = ["llmeval", "run", str(suite), "--model", "m", "--base-url", srv.base_url, "--quiet"]
        assert main([*args, "--results", str(tmp_path / "r.sqlite"), "--limit", "3"]) == 1
    err = capsys.readouterr().err
    assert "every one of the 3 request(s) failed (0 could not connect, 3 API error(s))" in err
    assert "HTTP 401" in err


def test_stopped_run_resumes_when_the_server_is_back(suite, tmp_path, capsys):
    results = tmp_path / "r.sqlite"
    with StubServer(lambda body, n: chat_reply("[]")) as srv:
        base = srv.base_url
        args = ["llmeval", "run", str(suite), "--model", "m", "--base-url", base, "--quiet"]
        args += ["--results", str(results), "--max-retries", "0", "--concurrency", "1"]
        assert main([*args, "--limit", "4"]) == 0
    capsys.readouterr()
    assert main([*args, "--max-connect-failures", "2"]) == 1  # the server is gone
    err = capsys.readouterr().err
    assert "Kept: 4 answer(s)" in err and "(0 new this run)" in err
    with StubServer(lambda body, n: chat_reply("[]")) as srv2:
        args[args.index(base)] = srv2.base_url  # same questions, new port: a new cache key, asked again
        assert main(args) == 0
    with ResultsStore(results) as store:
        assert len(store.samples()) == 14


def test_missing_api_key_variable_is_a_one_line_usage_error(suite, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR_X", raising=False)
    results = tmp_path / "r.sqlite"
    code = main(
        ["llmeval", "run", str(suite), "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
         "--api-key-env", "NO_SUCH_KEY_VAR_X", "--results", str(results)]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("error: environment variable NO_SUCH_KEY_VAR_X") and err.count("\n") == 1
    assert not results.exists()  # nothing created


def test_secrets_echoed_by_the_server_are_never_stored_or_printed(suite, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STUB_SECRET_KEY", SECRET)
    seen: list[dict[str, str]] = []

    def script(body, n):
        auth = seen[n - 1].get("Authorization", "")
        if n % 2:  # an error body echoing the request headers, the token, and the bare key
            return Reply(400, {"error": f"bad request; headers: {{'Authorization': '{auth}'}}; key={SECRET}"})
        reply = chat_reply(f"[] -- debug: Authorization: {auth}")
        reply.body["debug"] = {"authorization": auth, "echo": f"token {auth}"}
        return reply

    results = tmp_path / "r.sqlite"
    with StubServer(script) as srv:
        seen = srv.headers  # the stub records each request's headers before calling the script
        args = ["llmeval", "run", str(suite), "--model", "m", "--base-url", srv.base_url, "--quiet"]
        args += ["--api-key-env", "STUB_SECRET_KEY", "--results", str(results), "--concurrency", "1"]
        code = main(args)
        assert srv.headers[0]["Authorization"] == f"Bearer {SECRET}"  # the key was really sent
    printed = capsys.readouterr()
    assert code == 0
    assert main(["llmeval", "report", str(results), "--out", str(tmp_path / "rep")]) == 0
    printed_report = capsys.readouterr()
    with ResultsStore(results) as store:
        samples = store.samples()
    assert {s["parse_error"] for s in samples} >= {"api_error"}
    assert any("[REDACTED]" in (s["detail"] or "") for s in samples)
    blobs = [printed.out, printed.err, printed_report.out, printed_report.err]
    blobs += [p.read_bytes().decode("latin-1") for p in tmp_path.rglob("*") if p.is_file()]
    for blob in blobs:
        assert SECRET not in blob
        assert SECRET[8:] not in blob  # no part of the key either


def test_escaped_and_url_encoded_keys_are_redacted_too():
    """Found by review: a key with '/', '+' or '=' leaked when echoed JSON-escaped or URL-encoded."""
    from schedopt.llmeval.redact import redact, register_secret

    key = "sk-AbC/dEf+GhI=="
    register_secret(key)
    for text in (
        '{"echo": "Bearer sk-AbC\\/dEf+GhI=="}',
        '{"auth": "sk-AbC\\/dEf+GhI=="}',
        "token=sk-AbC%2FdEf%2BGhI%3D%3D",
    ):
        out = redact(text)
        assert "dEf" not in out and "GhI" not in out, (text, out)
