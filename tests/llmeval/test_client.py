"""The real HTTP client against a stub OpenAI-compatible server: retries, Retry-After, cache, concurrency."""

from __future__ import annotations

import threading
import time

import pytest

from schedopt.llmeval.client import ChatClient, ModelError, _retry_after
from schedopt.llmeval.store import ResultsStore

from .stub_server import Reply, StubServer, chat_reply

MSGS = [{"role": "system", "content": "sys"}, {"role": "user", "content": "hello"}]


def client(server: StubServer, store: ResultsStore | None = None, **kw) -> ChatClient:
    kw.setdefault("backoff_base", 0.01)
    kw.setdefault("timeout", 5.0)
    return ChatClient("stub-model", server.base_url, store=store, **kw)


def test_request_shape_and_api_key(monkeypatch):
    monkeypatch.setenv("STUB_KEY", "sk-test-123")
    with StubServer(lambda body, n: chat_reply("answer")) as srv:
        c = client(srv, api_key_env="STUB_KEY", temperature=0.3, seed=7, max_tokens=99)
        out = c.complete(MSGS)
    assert out.content == "answer" and out.attempts == 1 and not out.cached
    assert out.finish_reason == "stop" and out.usage["total_tokens"] == 15
    body = srv.requests[0]
    assert body["model"] == "stub-model" and body["messages"] == MSGS
    assert body["temperature"] == 0.3 and body["seed"] == 7 and body["max_tokens"] == 99
    assert srv.headers[0]["Authorization"] == "Bearer sk-test-123"


def test_missing_api_key_env_is_a_clear_error(monkeypatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    with pytest.raises(ModelError, match="NO_SUCH_KEY_VAR"):
        ChatClient("m", "http://127.0.0.1:9/v1", api_key_env="NO_SUCH_KEY_VAR")


def test_429_honours_retry_after():
    def script(body, n):
        return Reply(429, {"error": "slow down"}, {"Retry-After": "0.4"}) if n == 1 else chat_reply("ok")

    with StubServer(script) as srv:
        t0 = time.perf_counter()
        out = client(srv, backoff_base=0.0).complete(MSGS)
        elapsed = time.perf_counter() - t0
    assert out.content == "ok" and out.attempts == 2
    assert elapsed >= 0.4  # waited as told, not the (zero) exponential backoff


def test_retry_after_ms_and_http_date():
    assert _retry_after({"retry-after-ms": "250"}) == pytest.approx(0.25)
    assert _retry_after({"retry-after": "3"}) == 3.0
    assert _retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0  # in the past
    assert _retry_after({"retry-after": "soon"}) is None
    assert _retry_after({}) is None


def test_5xx_retried_with_backoff_then_success():
    with StubServer(lambda body, n: Reply(500 if n <= 2 else 200, chat_reply("fine").body)) as srv:
        out = client(srv).complete(MSGS)
    assert out.content == "fine" and out.attempts == 3 and len(srv.requests) == 3


def test_timeout_is_retried():
    def script(body, n):
        r = chat_reply("late" if n == 1 else "on time")
        r.delay = 1.5 if n == 1 else 0.0
        return r

    with StubServer(script) as srv:
        out = client(srv, timeout=0.3).complete(MSGS)
    assert out.content == "on time" and out.attempts == 2


def test_non_retryable_error_raises_at_once_and_is_not_cached(tmp_path):
    with (
        StubServer(lambda body, n: Reply(400, {"error": "bad request"})) as srv,
        ResultsStore(tmp_path / "r.sqlite") as store,
    ):
        with pytest.raises(ModelError, match="HTTP 400"):
            client(srv, store=store).complete(MSGS)
        assert len(srv.requests) == 1 and store.n_responses() == 0


def test_retries_exhausted():
    with (
        StubServer(lambda body, n: Reply(503, {"error": "down"})) as srv,
        pytest.raises(ModelError, match="giving up after 3 attempts"),
    ):
        client(srv, max_retries=2).complete(MSGS)
    assert len(srv.requests) == 3


def test_malformed_success_reply():
    with (
        StubServer(lambda body, n: Reply(200, {"unexpected": True})) as srv,
        pytest.raises(ModelError, match="malformed"),
    ):
        client(srv).complete(MSGS)
    with (
        StubServer(lambda body, n: Reply(200, "not json at all")) as srv,
        pytest.raises(ModelError, match="JSON"),
    ):
        client(srv).complete(MSGS)


def test_null_content_becomes_empty_text():
    with StubServer(lambda body, n: chat_reply(None, "length")) as srv:
        out = client(srv).complete(MSGS)
    assert out.content == "" and out.finish_reason == "length"


def test_cache_hit_costs_no_request(tmp_path):
    path = tmp_path / "r.sqlite"
    with StubServer(lambda body, n: chat_reply(f"answer {n}")) as srv:
        with ResultsStore(path) as store:
            c = client(srv, store=store)
            first = c.complete(MSGS)
            again = c.complete(MSGS)
            assert again.cached and again.content == first.content == "answer 1"
            other = c.complete([*MSGS[:1], {"role": "user", "content": "something else"}])
            assert other.content == "answer 2"
        assert len(srv.requests) == 2
        with ResultsStore(path) as store:  # a new process / run: still cached
            assert client(srv, store=store).complete(MSGS).cached
            # another parameter is another question
            assert client(srv, store=store, temperature=0.7).complete(MSGS).content == "answer 3"
    assert len(srv.requests) == 3


def test_concurrency_limit():
    def script(body, n):
        r = chat_reply("x")
        r.delay = 0.25
        return r

    with StubServer(script) as srv:
        c = client(srv, concurrency=2)
        threads = [
            threading.Thread(target=c.complete, args=([{"role": "user", "content": f"q{i}"}],))
            for i in range(6)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert len(srv.requests) == 6
    assert 1 <= srv.max_in_flight <= 2
