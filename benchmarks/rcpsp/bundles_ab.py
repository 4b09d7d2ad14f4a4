"""A/B timing of the serial SGS kernel: bundled arguments (issue 19) against an older ``_kernels.py``.

Both versions run in one process on the same J30 instances and the same
regret-sampled activity lists, alternating block by block, so that the load
of a shared machine hits both alike. The old kernels take the arrays as
separate arguments (``serial_forward(order, dur, pred_ptr, ..., avail,
start)``); the new ones the bundle (``Arrays.prj``) built by
:func:`schedopt.families.rcpsp.heuristics.prepare`. Makespans must agree list
by list. Two figures per version, as in ``run.py --speed``: the pure kernel
(``serial_batch``, a numba loop over the lists) and a Python loop over
single-schedule kernel calls (``serial_forward`` called directly in both
versions, which adds the dispatch and argument unboxing of every call).

    git worktree add /tmp/old <commit before the change>
    python benchmarks/rcpsp/bundles_ab.py --old /tmp/old/schedopt/families/rcpsp/_kernels.py
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
import time
from pathlib import Path
from types import ModuleType

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run as bench

import schedopt
from schedopt.families.rcpsp import _kernels as K
from schedopt.families.rcpsp.heuristics import Decoder, prepare, priority_values

SERIAL_FIELDS = (
    "dur",
    "pred_ptr",
    "pred_idx",
    "pred_lag",
    "release",
    "deadline",
    "demand",
    "profile",
    "dis_ptr",
    "dis_idx",
)
"""Argument order of the old ``serial_forward``/``serial_batch`` (between the list and the work arrays)."""


def _load_old(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("old_rcpsp_kernels", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=Path, required=True, help="the old _kernels.py")
    ap.add_argument("--instances", type=int, default=48, help="J30 instances (evenly spread)")
    ap.add_argument("--lists", type=int, default=200, help="sampled lists per instance")
    ap.add_argument("--blocks", type=int, default=10, help="alternating timing blocks per version")
    ap.add_argument("--reps", type=int, default=5, help="serial_batch calls per block")
    args = ap.parse_args()
    old = _load_old(args.old)
    files = bench.instances("j30", 0, 1)[:: max(1, 480 // args.instances)]
    kernel = {"old": 0.0, "new": 0.0}
    loop = {"old": 0.0, "new": 0.0}
    n_kernel = n_loop = 0
    for i, path in enumerate(files):
        p = schedopt.read(path)
        a = prepare(p)
        dec = Decoder(a)
        serial = tuple(getattr(a, name) for name in SERIAL_FIELDS)
        K.seed_rng(0)
        lft = priority_values(p, "LFT")
        lists = np.array([dec.sample(lft, 1.0, 1.0, False) for _ in range(args.lists)])
        mk_old = np.empty(len(lists), np.int64)
        mk_new = np.empty(len(lists), np.int64)
        old.serial_batch(lists[:1], *serial, mk_old[:1])  # compile or load from the cache
        K.serial_batch(lists[:1], a.prj, mk_new[:1])
        avail, start = a.profile.copy(), np.empty(a.n, np.int64)
        for b in range(args.blocks):
            first = "old" if (b + i) % 2 == 0 else "new"
            for which in (first, "new" if first == "old" else "old"):
                t = time.perf_counter()
                for _ in range(args.reps):
                    if which == "old":
                        old.serial_batch(lists, *serial, mk_old)
                    else:
                        K.serial_batch(lists, a.prj, mk_new)
                kernel[which] += time.perf_counter() - t
                t = time.perf_counter()
                if which == "old":
                    for order in lists:
                        old.serial_forward(order, *serial, avail, start)
                else:
                    for order in lists:
                        K.serial_forward(order, a.prj, avail, start)
                loop[which] += time.perf_counter() - t
            n_kernel += args.reps * len(lists)
            n_loop += len(lists)
        if not np.array_equal(mk_old, mk_new):
            raise SystemExit(f"{path.stem}: makespans differ")
    print(
        f"# {platform.node()} {platform.machine()} python={platform.python_version()} "
        f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC"
    )
    print(
        f"{len(files)} J30 instances, {args.lists} lists each, {args.blocks} alternating blocks; "
        "makespans identical list by list"
    )
    for which in ("old", "new"):
        print(
            f"{which}: serial_batch {n_kernel / kernel[which]:,.0f} schedules/s; "
            f"python loop {n_loop / loop[which]:,.0f} schedules/s"
        )
    print(
        f"new/old: serial_batch {kernel['old'] / kernel['new']:.3f}, "
        f"python loop {loop['old'] / loop['new']:.3f}"
    )


if __name__ == "__main__":
    main()
