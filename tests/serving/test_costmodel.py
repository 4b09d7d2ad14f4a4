"""Step-latency models: the calibrated roofline and the fitted table."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.errors import OptionError, ParseError
from schedopt.gpus import gpu
from schedopt.serving import costmodel as cm
from schedopt.serving.costmodel import RooflineCost, TableCost, cost_model
from schedopt.serving.models import llm
from schedopt.serving.policies import CostModel, StepWork
from schedopt.serving.request import Request

EMPTY = np.zeros(0, dtype=np.int64)


def decode_work(contexts) -> StepWork:
    return StepWork(EMPTY, EMPTY, (), np.asarray(contexts, dtype=np.int64))


def mixed_work(chunks, prefixes, contexts) -> StepWork:
    reqs = tuple(
        Request(i, 0.0, max(1, int(c) + int(p)), 1, 1) for i, (c, p) in enumerate(zip(chunks, prefixes))
    )
    return StepWork(
        np.asarray(chunks, dtype=np.int64),
        np.asarray(prefixes, dtype=np.int64),
        reqs,
        np.asarray(contexts, np.int64),
    )


def by_formula(c: np.ndarray, n: int, s: float) -> float:
    a = c[1] + c[2] * n + c[3] * s
    b = c[4] + c[5] * n + c[6] * s
    return float(c[0] + (a if a > b else b))


# ---------------------------------------------------------------------------------------------- calibration


def test_the_default_constants_are_the_calibration_output():
    fitted = cm.calibrate()
    assert set(fitted) == set(cm.DEFAULT_ROOFLINE)
    for key, value in fitted.items():
        assert value == pytest.approx(cm.DEFAULT_ROOFLINE[key], rel=1e-3), key


def test_the_8b_anchors_are_reproduced_within_5_percent():
    errors = cm.anchor_errors(cm.ANCHORS)
    assert len(errors) == 4
    for name, err in errors.items():
        assert abs(err) < 0.05, (name, err)
    # and directly: TPOT 12.0 / 7.6 ms, TTFT 127 / 62 ms (shared/docs/llm_serving.md §5)
    decode = cm.ANCHORS[0].work
    assert RooflineCost("llama-3-8b", "A100-80").step_time(decode) == pytest.approx(0.0120, rel=0.05)
    assert RooflineCost("llama-3-8b", "H100").step_time(decode) == pytest.approx(0.0076, rel=0.05)
    assert decode.decode_context.sum() == 1369 + 10 * 100  # the stated context of the TPOT anchors


def test_the_70b_tp4_check_errors_are_as_documented():
    errors = cm.anchor_errors(cm.ANCHORS_70B)
    # documented in RooflineCost's docstring: -10 %, -18 %, -6 %, -21 %; the model underestimates TP4
    expected = [-0.104, -0.177, -0.063, -0.213]
    assert list(errors.values()) == pytest.approx(expected, abs=0.005)


def test_calibration_recovers_known_constants_from_synthetic_anchors():
    truth = {"eta_bw": 0.55, "eta_c": 0.4, "t0": 0.002, "t_prefill": 0.005}
    synthetic = [
        cm.Anchor(
            a.name,
            a.model,
            a.gpu,
            a.tp,
            a.work,
            RooflineCost(a.model, a.gpu, a.tp, **truth).step_time(a.work),
            "",
        )
        for a in cm.ANCHORS
    ]
    fitted = cm.calibrate(synthetic)
    for key, value in truth.items():
        assert fitted[key] == pytest.approx(value, rel=1e-4), key
    with pytest.raises(ValueError, match="at least 4 anchors"):
        cm.calibrate(synthetic[:3])


# ---------------------------------------------------------------------------------------------- roofline


def test_roofline_terms_by_hand():
    m, g = llm("llama-3-8b"), gpu("A100-80")
    cost = RooflineCost(m, g, eta_bw=0.5, eta_c=0.5, t0=0.001, t_prefill=0.01)
    assert isinstance(cost, CostModel)
    bw, fl = 0.5 * 2039e9, 0.5 * 312e12
    # one decode with 1000 tokens of context: memory-bound
    expected = 0.001 + (m.weight_bytes + 1000 * m.kv_bytes_per_token) / bw
    assert cost.step_time(decode_work([1000])) == pytest.approx(expected, rel=1e-12)
    # one 4096-token chunk after a 1000-token prefix: compute-bound; a continuing chunk pays no
    # t_prefill (it is charged once per prefill, on its first chunk)
    pairs = 4096 * 1000 + 4096 * 4097 / 2
    expected = 0.001 + (2 * m.parameters * 4096 + m.attention_flops_per_pair * pairs) / fl
    assert cost.step_time(mixed_work([4096], [1000], [])) == pytest.approx(expected, rel=1e-12)
    # the first chunk of a prefill pays t_prefill
    pairs = 4096 * 4097 / 2
    expected = 0.001 + (2 * m.parameters * 4096 + m.attention_flops_per_pair * pairs) / fl + 0.01
    assert cost.step_time(mixed_work([4096], [0], [])) == pytest.approx(expected, rel=1e-12)
    # a small first chunk with decodes: memory-bound, reading both requests' KV
    kv = 300 + 20
    expected = 0.001 + (m.weight_bytes + kv * m.kv_bytes_per_token) / bw + 0.01
    assert cost.step_time(mixed_work([20], [0], [300])) == pytest.approx(expected, rel=1e-12)


def test_prefill_overhead_does_not_depend_on_chunking():
    cost = RooflineCost("llama-3-8b", "A100-80")
    whole = cost.step_time(mixed_work([8192], [0], []))
    chunks = [cost.step_time(mixed_work([512], [512 * i], [])) for i in range(16)]
    overhead = cost.t0 * 15  # 15 more steps, each with its own per-step overhead
    # chunking only adds per-step overheads (and memory-bound chunks may cost a little more)
    assert sum(chunks) - whole < overhead + 0.02 * whole


def test_tensor_parallelism_splits_weights_and_adds_all_reduces():
    m, g = llm("llama-3-70b"), gpu("H100")
    one = RooflineCost(m, g, tp=1, t0=0.0)
    four = RooflineCost(m, g, tp=4, t0=0.0, allreduce_latency=1e-5)
    work = decode_work([500] * 8)
    per_token = 2 * 80 * (2 * 3 / 4 * 8192 * 2 / 450e9)
    memory = (m.weight_bytes / 4 + 4000 * m.kv_bytes_per_token / 4) / (four.eta_bw * 3350e9)
    assert four.step_time(work) == pytest.approx(2 * 80 * 1e-5 + 8 * per_token + memory, rel=1e-12)
    assert four.step_time(work) < one.step_time(work) / 3
    c = four.decode_coefficients()
    assert c[2] == pytest.approx(per_token) and c[5] > per_token and c[4] == 0.0


@settings(max_examples=60, deadline=None)
@given(
    model=st.sampled_from(["llama-2-7b", "llama-2-13b", "llama-3-8b", "llama-3-70b"]),
    device=st.sampled_from(["A100-80", "H100", "L40S", "L4", "A800"]),
    tp=st.sampled_from([1, 2, 4, 8]),
    contexts=st.lists(st.integers(1, 40_000), min_size=0, max_size=300),
)
def test_decode_coefficients_agree_exactly_with_step_time(model, device, tp, contexts):
    cost = RooflineCost(model, device, tp=tp)
    c = cost.decode_coefficients()
    assert c.shape == (7,) and c.dtype == np.float64
    s = float(np.sum(contexts)) if contexts else 0.0
    assert cost.step_time(decode_work(contexts)) == by_formula(c, len(contexts), s)


@settings(max_examples=40, deadline=None)
@given(
    chunks=st.lists(st.tuples(st.integers(1, 4096), st.integers(0, 8000)), min_size=0, max_size=8),
    contexts=st.lists(st.integers(1, 8000), min_size=0, max_size=64),
    extra=st.integers(1, 5000),
)
def test_more_context_or_tokens_never_takes_less_time(chunks, contexts, extra):
    cost = RooflineCost("llama-3-8b", "H100")
    c, p = [x for x, _ in chunks], [y for _, y in chunks]
    base = cost.step_time(mixed_work(c, p, contexts))
    assert cost.step_time(mixed_work(c, p, [*contexts, extra])) >= base
    if chunks:
        assert cost.step_time(mixed_work([c[0] + extra, *c[1:]], p, contexts)) >= base
        assert base >= cost.t0 + cost.t_prefill


def test_swap_time_uses_the_host_link():
    m = llm("llama-3-8b")
    assert RooflineCost(m, "A100-80").swap_time(1000) == pytest.approx(
        1000 * m.kv_bytes_per_token / (0.8 * 32e9)
    )
    assert RooflineCost(m, "H100", tp=2).swap_time(1000) == pytest.approx(
        1000 * m.kv_bytes_per_token / 2 / (0.8 * 64e9)
    )
    assert RooflineCost(m, "H100").swap_time(0) == 0.0
    with pytest.raises(ValueError, match="tokens must be >= 0"):
        RooflineCost(m, "H100").swap_time(-1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"eta_bw": 0}, "eta_bw"), ({"eta_c": 1.5}, "eta_c"), ({"t0": -1}, "t0"), ({"tp": 0}, "tp must be")],
)
def test_roofline_rejects_bad_constants(kwargs, match):
    with pytest.raises(ValueError, match=match):
        RooflineCost("llama-3-8b", "H100", **kwargs)


# ---------------------------------------------------------------------------------------------- table


def synthetic_table(rng, rows=30, coef=(0.004, 2e-5, 1e-4, 3e-8)):
    p = rng.integers(0, 4000, rows).astype(float)
    n = rng.integers(0, 128, rows).astype(float)
    s = n * rng.integers(100, 3000, rows)
    t = coef[0] + coef[1] * p + coef[2] * n + coef[3] * s
    return p, n, s, t


def test_table_fit_recovers_a_linear_model_and_agrees_with_its_coefficients():
    rng = np.random.default_rng(0)
    p, n, s, t = synthetic_table(rng)
    cost = TableCost(p, n, s, t)
    assert isinstance(cost, CostModel)
    assert (cost.a, cost.b, cost.c, cost.d) == pytest.approx((0.004, 2e-5, 1e-4, 3e-8), rel=1e-6)
    assert not cost.info["nonnegative"] and cost.info["rmse"] < 1e-12
    ctx = [1000, 2000, 3000]
    assert cost.step_time(decode_work(ctx)) == by_formula(cost.decode_coefficients(), 3, 6000.0)
    assert cost.step_time(mixed_work([500], [0], ctx)) == pytest.approx(
        0.004 + 2e-5 * 500 + 3e-4 + 3e-8 * 6000
    )


@settings(max_examples=30, deadline=None)
@given(contexts=st.lists(st.integers(1, 40_000), max_size=200), seed=st.integers(0, 1000))
def test_table_decode_coefficients_agree_exactly(contexts, seed):
    rng = np.random.default_rng(seed)
    p, n, s, t = synthetic_table(rng)
    cost = TableCost(p, n, s, t * rng.uniform(0.9, 1.1, len(t)))
    s_total = float(np.sum(contexts)) if contexts else 0.0
    assert cost.step_time(decode_work(contexts)) == by_formula(
        cost.decode_coefficients(), len(contexts), s_total
    )


def test_a_fit_with_a_negative_coefficient_falls_back_to_nonnegative_least_squares():
    p = np.array([0, 100, 200, 300, 0, 0.0])
    n = np.array([1, 1, 1, 1, 8, 16.0])
    s = np.array([100, 100, 100, 100, 800, 4000.0])
    t = np.array([0.010, 0.009, 0.008, 0.007, 0.012, 0.015])  # more prefill, less time: noise
    cost = TableCost(p, n, s, t)
    assert cost.info["nonnegative"] and min(cost.a, cost.b, cost.c, cost.d) >= 0


def test_table_rejects_too_few_rows_and_degenerate_tables():
    with pytest.raises(ValueError, match="3 rows; need at least 4"):
        TableCost([0, 1, 2], [1, 1, 1], [10, 10, 10], [1, 2, 3])
    with pytest.raises(ValueError, match="rank-deficient"):
        TableCost([0, 0, 0, 0, 0], [1, 2, 3, 4, 5], [10, 20, 30, 40, 50], [1, 2, 3, 4, 5])
    with pytest.raises(ValueError, match="seconds of row 1 is -1"):
        TableCost([0, 1, 2, 3], [1, 2, 3, 4], [1, 2, 3, 4], [1, -1, 2, 3])
    with pytest.raises(ValueError, match="swap_time needs model= and gpu="):
        TableCost(*synthetic_table(np.random.default_rng(1))).swap_time(10)
    with_model = TableCost(*synthetic_table(np.random.default_rng(1)), model="llama-3-8b", gpu="A100")
    assert with_model.swap_time(10) == RooflineCost("llama-3-8b", "A100").swap_time(10)


def write_csv(tmp_path, text, name="steps.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_table_from_csv(tmp_path):
    p, n, s, t = synthetic_table(np.random.default_rng(2), rows=8)
    lines = ["seconds,decode_context,decode_requests,prefill_tokens,note"]
    lines += [f"{float(ti)!r},{si:g},{ni:g},{pi:g},x" for pi, ni, si, ti in zip(p, n, s, t)]
    path = write_csv(tmp_path, "\n".join(lines) + "\n\n")
    cost = TableCost.from_csv(path)
    assert (cost.a, cost.b, cost.c, cost.d) == pytest.approx((0.004, 2e-5, 1e-4, 3e-8), rel=1e-6)
    assert cost.info["rows"] == 8 and cost.info["source"] == str(path)
    via_factory = cost_model("table", path=path, model="llama-3-8b", gpu="H100")
    assert via_factory.decode_coefficients().tolist() == cost.decode_coefficients().tolist()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            "prefill_tokens,decode_requests,seconds\n1,2,3\n",
            r"steps.csv, line 1: missing column\(s\) decode_context",
        ),
        (
            "prefill_tokens,decode_requests,decode_context,seconds\n1,2,30,0.1\n1,-2,30,0.1\n",
            r"steps.csv, line 3: decode_requests is -2; need a finite value >= 0",
        ),
        (
            "prefill_tokens,decode_requests,decode_context,seconds\n\n1,2,30,0.1\nx,2,30,0.1\n",
            r"steps.csv, line 4: prefill_tokens is 'x', not a number",
        ),
        ("prefill_tokens,decode_requests,decode_context,seconds\n1,2,30,nan\n", r"line 2: seconds is nan"),
        (
            "prefill_tokens,decode_requests,decode_context,seconds\n1,2,30\n",
            r"line 2: 3 fields, the header has 4",
        ),
        ("", r"steps.csv: empty file"),
        (
            "prefill_tokens,decode_requests,decode_context,seconds\n1,2,30,0.1\n",
            r"steps.csv: .*1 rows; need at least 4",
        ),
    ],
)
def test_bad_csv_tables_name_the_file_and_line(tmp_path, text, match):
    with pytest.raises(ParseError, match=match):
        TableCost.from_csv(write_csv(tmp_path, text))


def test_a_missing_csv_is_a_parse_error(tmp_path):
    with pytest.raises(ParseError, match="nope.csv: cannot read"):
        TableCost.from_csv(tmp_path / "nope.csv")


# ---------------------------------------------------------------------------------------------- factory


def test_factory_builds_and_rejects_unknown_options():
    cost = cost_model(model="llama-3-8b", gpu="H100", tp=2, eta_bw=0.6)
    assert isinstance(cost, RooflineCost) and cost.tp == 2 and cost.eta_bw == 0.6
    with pytest.raises(OptionError, match=r"no option 'eta_b'; did you mean 'eta_bw'"):
        cost_model("roofline", model="llama-3-8b", gpu="H100", eta_b=0.6)
    with pytest.raises(OptionError, match="needs model=, gpu="):
        cost_model("roofline")
    with pytest.raises(OptionError, match="give path="):
        cost_model("table", seconds=[1, 2])
    with pytest.raises(ValueError, match="unknown cost model 'rooflin'; did you mean 'roofline'"):
        cost_model("rooflin")
    arrays = dict(zip(cm.TABLE_COLUMNS, synthetic_table(np.random.default_rng(3))))
    assert isinstance(cost_model("table", **arrays), TableCost)


def test_engine_kernel_agrees_with_step_time():
    kernels = pytest.importorskip("schedopt.serving._engine_kernels")
    cost = RooflineCost("llama-3-70b", "A100-80", tp=4)
    contexts = [1234, 56, 7890, 4321]
    expected = cost.step_time(decode_work(contexts))
    assert kernels.decode_step_time(cost.decode_coefficients(), 4, float(sum(contexts))) == expected


def test_the_prefill_overhead_is_charged_per_chunk():
    cost = RooflineCost("llama-3-8b", "H100", t_prefill=0.002)
    bare = RooflineCost("llama-3-8b", "H100", t_prefill=0.0)
    one = mixed_work([16], [0], [500] * 4)
    three = mixed_work([16, 16, 16], [0, 0, 0], [500] * 4)
    assert cost.step_time(one) - bare.step_time(one) == pytest.approx(0.002)
    assert cost.step_time(three) - bare.step_time(three) == pytest.approx(0.006)
