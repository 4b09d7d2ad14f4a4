"""The optional inspect-ai export, run offline with inspect's ``mockllm`` provider (skipped without it)."""

from __future__ import annotations

import pytest

import schedopt
from schedopt.cli import main
from schedopt.llmeval.models import answer_text
from schedopt.llmeval.runner import load_manifest

inspect_ai = pytest.importorskip("inspect_ai")


def test_inspect_task_scores_with_schedopt_check(tmp_path):
    from inspect_ai import eval as inspect_eval
    from inspect_ai.model import ModelOutput, ModelUsage, get_model

    from schedopt.llmeval.inspect_task import build_task

    out = tmp_path / "suite"
    assert (
        main(["llmeval", "generate", "--out", str(out), "--levels", "2", "--per-level", "1", "--no-cpsat"])
        == 0
    )
    entries = load_manifest(out)
    problems = [schedopt.read(out / e["file"]) for e in entries]
    # feasible witness answers for all but the last instance, which gets prose
    outputs = [answer_text(p, p.meta["witness"]) for p in problems[:-1]] + ["no idea"]
    scripted = []
    for c in outputs:
        o = ModelOutput.from_content(model="mockllm/model", content=c)
        o.usage = ModelUsage(
            input_tokens=1, output_tokens=1, total_tokens=2
        )  # else mockllm runs tiktoken (network)
        scripted.append(o)
    model = get_model("mockllm/model", custom_outputs=scripted)
    task = build_task(out)
    (log,) = inspect_eval(task, model=model, log_dir=str(tmp_path / "logs"), display="none", max_samples=1)
    assert log.status == "success", log.error
    metrics = log.results.scores[0].metrics
    assert metrics["accuracy"].value == pytest.approx((len(problems) - 1) / len(problems))
    assert metrics["variant precedence"].value == 1.0 and "level 2" in metrics
    scores = [s.scores["schedopt_check"] for s in log.samples]
    assert sum(s.value == "I" for s in scores) == 1
    assert any(s.metadata["parse_error"] == "no_json" for s in scores)


def test_entry_point_is_an_inspect_task(tmp_path):
    from inspect_ai import Task

    from schedopt.llmeval.inspect_task import schedopt_feasibility

    out = tmp_path / "suite"
    assert (
        main(["llmeval", "generate", "--out", str(out), "--levels", "1", "--per-level", "1", "--no-cpsat"])
        == 0
    )
    t = schedopt_feasibility(str(out), limit=3)
    assert isinstance(t, Task) and len(t.dataset) == 3
