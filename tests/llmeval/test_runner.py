"""End to end: generate -> run (offline and over HTTP) -> report; resume after a kill asks nothing twice."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import schedopt
from schedopt.cli import main
from schedopt.llmeval.models import answer_text
from schedopt.llmeval.prompts import user_prompt
from schedopt.llmeval.runner import load_manifest, make_model, run
from schedopt.llmeval.store import ResultsStore
from schedopt.llmeval.verify import VIOLATION_TYPES

from .stub_server import Reply, StubServer, chat_reply, user_text

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def suite(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("suite")
    assert (
        main(["llmeval", "generate", "--out", str(out), "--levels", "3", "--per-level", "2", "--seed", "7"])
        == 0
    )
    return out


def _answers(directory: Path) -> dict[str, str]:
    """Scripted answers: the witness of each instance, keyed by its user prompt."""
    out = {}
    for e in load_manifest(directory):
        p = schedopt.read(directory / e["file"])
        out[user_prompt(p)] = answer_text(p, p.meta["witness"])
    return out


def summary_rows(results: Path) -> list[dict]:
    with ResultsStore(results) as store:
        return store.samples()


def test_generate_writes_readable_instances_and_manifest(suite):
    manifest = json.loads((suite / "manifest.json").read_text())
    assert len(manifest["instances"]) == 3 * 2 * 5
    assert Counter(e["variant"] for e in manifest["instances"]) == {v: 6 for v in manifest["variants"]}
    for e in manifest["instances"]:
        p = schedopt.read(suite / e["file"])
        assert p.objective == "feasibility" and len(p.precedence) == e["level"]
        assert e["cpsat"] in ("optimal", "feasible")


def test_offline_models_and_report(suite, tmp_path, capsys):
    results = tmp_path / "r.sqlite"
    for model in ("heuristic", "naive", "corrupt:precedence", "garbage"):
        assert (
            main(["llmeval", "run", str(suite), "--model", model, "--results", str(results), "--quiet"]) == 0
        )
    capsys.readouterr()
    assert main(["llmeval", "report", str(results), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    fam = {(f["model"], f["variant"]): f for f in summary["families"]}
    for variant in ("precedence", "downtime", "windows", "disjunctive", "all"):
        assert fam[("heuristic", variant)]["rate"] == 1.0
        assert fam[("heuristic", variant)]["threshold"] is None and fam[("heuristic", variant)]["wauc"] == 1.0
        bad = fam[("corrupt:precedence", variant)]  # instances where no single move is pure are skipped
        assert bad["n"] >= 1 and bad["feasible"] == 0
        assert bad["answers_with_violation"] == {
            t: bad["n"] if t == "precedence" else 0 for t in VIOLATION_TYPES
        }
        assert fam[("garbage", variant)]["parse_failure_total"] == 6
        assert fam[("naive", variant)]["parse_failure_total"] == 0
    rows = [r for r in summary["levels"] if r["model"] == "heuristic"]
    assert len(rows) == 15 and all(r["n"] == 2 and r["ci_low"] < 1.0 == r["ci_high"] for r in rows)
    assert sum(summary["parse_failures"]["garbage"].values()) == 30
    # files, plots and a JSONL line per sample
    out = tmp_path / "rep"
    assert main(["llmeval", "report", str(results), "--out", str(out)]) == 0
    lines = (out / "samples.jsonl").read_text().splitlines()
    assert len(lines) == len(summary_rows(results)) and {
        "instance",
        "feasible",
        "violations",
        "content",
    } <= set(json.loads(lines[0]))
    assert (out / "report.md").read_text().startswith("# LLM feasibility evaluation")
    assert (out / "taxonomy.png").stat().st_size > 0 and list(out.glob("feasibility-heuristic-*.png"))
    # a rerun asks nothing
    capsys.readouterr()
    assert (
        main(["llmeval", "run", str(suite), "--model", "heuristic", "--results", str(results), "--quiet"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["skipped"] == 30


def test_http_run_with_429_and_500_then_cached_rerun(suite, tmp_path):
    answers = _answers(suite)
    errors = {3: Reply(429, {"error": "rate"}, {"Retry-After": "0.1"}), 5: Reply(500, {"error": "oops"})}

    def script(body, n):
        if n in errors:
            return errors[n]
        return chat_reply("Sure!\n```json\n" + answers[user_text(body)] + "\n```")

    results = tmp_path / "r.sqlite"
    with StubServer(script) as srv:
        with ResultsStore(results) as store:
            model = make_model("stub", base_url=srv.base_url, store=store, concurrency=3, backoff_base=0.01)
            stats = run(suite, model, store, concurrency=3)
            assert stats.asked + stats.cached == 30 and stats.feasible + stats.cached == 30
            assert all(s["feasible"] for s in store.samples())
            n_first = len(srv.requests)
            unique = len({json.dumps(b["messages"]) for b in srv.requests})
            assert n_first == unique + 2  # every question asked once, plus the two retried errors
            again = run(suite, model, store, concurrency=3)
            assert again.skipped == 30 and len(srv.requests) == n_first
        # a new results file with the same cache rows is another story: different file, new questions
        with ResultsStore(tmp_path / "other.sqlite") as store:
            model = make_model("stub", base_url=srv.base_url, store=store, concurrency=2, backoff_base=0.01)
            run(suite, model, store, concurrency=2, limit=3)
            assert len(srv.requests) == n_first + 3


def test_http_failures_are_recorded_not_fatal_and_retried_next_run(suite, tmp_path):
    answers = _answers(suite)
    broken = {"on": True}

    def script(body, n):
        if broken["on"]:
            return Reply(401, {"error": "bad key"})
        return chat_reply(answers[user_text(body)])

    with StubServer(script) as srv, ResultsStore(tmp_path / "r.sqlite") as store:
        model = make_model("stub", base_url=srv.base_url, store=store, concurrency=2, backoff_base=0.01)
        stats = run(suite, model, store, concurrency=2, limit=4)
        assert stats.api_errors == 4
        assert {s["parse_error"] for s in store.samples()} == {"api_error"}
        broken["on"] = False
        stats = run(suite, model, store, concurrency=2, limit=4)
        assert stats.api_errors == 0 and all(s["feasible"] for s in store.samples())


def test_any_model_output_is_classified(suite, tmp_path):
    outputs = ["", "```", "[", "{]", "null", "[[[[", '{"T1": 1}', "\x00\xff", "]" * 1000, "ñ" * 5000]

    def script(body, n):
        return chat_reply(outputs[n % len(outputs)])

    with StubServer(script) as srv, ResultsStore(tmp_path / "r.sqlite") as store:
        model = make_model("stub", base_url=srv.base_url, store=store, concurrency=2, backoff_base=0.01)
        stats = run(suite, model, store, concurrency=2, limit=12)
        samples = store.samples()
    assert stats.outcomes["infeasible"] + stats.outcomes["cached"] == 12
    assert all(s["parse_error"] for s in samples)


def test_unknown_model_without_base_url(suite, tmp_path):
    with pytest.raises(ValueError, match="--base-url"):
        make_model("gpt-x")
    assert (
        main(["llmeval", "run", str(suite), "--model", "gpt-x", "--results", str(tmp_path / "r.sqlite")]) == 2
    )


def test_killed_run_resumes_without_asking_any_answered_question_twice(suite, tmp_path):
    answers = _answers(suite)
    stop_after = 8

    def script(body, n):
        r = chat_reply(answers[user_text(body)])
        if n > stop_after and not resumed["on"]:
            r.delay = 30.0  # hang: the client waits while we kill it
        return r

    resumed = {"on": False}
    results = tmp_path / "r.sqlite"
    with StubServer(script) as srv:
        cmd = [
            sys.executable, "-m", "schedopt.cli", "llmeval", "run", str(suite), "--model", "stub",
            "--base-url", srv.base_url, "--results", str(results), "--concurrency", "1", "--quiet",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while len(srv.requests) <= stop_after and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)  # let the 8th answer be stored
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        first = [json.dumps(b["messages"]) for b in srv.answered]
        assert len(first) == stop_after
        with sqlite3.connect(results) as db:
            assert db.execute("SELECT COUNT(*) FROM responses").fetchone()[0] == stop_after
        resumed["on"] = True
        srv.answered.clear()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        second = [json.dumps(b["messages"]) for b in srv.answered]
    assert not set(first) & set(second)  # nothing answered before is asked again
    assert len(set(first) | set(second)) == len(answers)
    with ResultsStore(results) as store:
        samples = store.samples()
    assert len(samples) == 30 and all(s["feasible"] for s in samples)
