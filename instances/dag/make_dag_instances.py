"""Regenerate the small DAG instances of this folder (deterministic; no third-party data).

    python instances/dag/make_dag_instances.py

* ``topcuoglu20.json``  a 20-task random DAG of Topcuoglu et al. (2002) on 4 machines
                        (alpha 1, out-degree 2, CCR 1, beta 0.5, seed 0)
* ``fft4.json``         the 15-task FFT graph of 4 points on 3 machines (CCR 0.5, beta 1, seed 1)
* ``stream3.json``      3 jobs of 8-task Topcuoglu DAGs arriving as a Poisson stream on 3 machines
* ``diamond_saga.json`` hand-written saga/DAGBench ``graph.json`` layout: 5 tasks on 3 nodes
                        (written by hand for the reader tests, not generated)
"""

from __future__ import annotations

from pathlib import Path

import schedopt
from schedopt.families.dag.generators import dag_stream, fft, topcuoglu_dag

HERE = Path(__file__).resolve().parent

INSTANCES = {
    "topcuoglu20.json": lambda: topcuoglu_dag(20, seed=0, name="topcuoglu20"),
    "fft4.json": lambda: fft(4, ccr=0.5, beta=1.0, machines=3, seed=1, name="fft4"),
    "stream3.json": lambda: dag_stream(3, mean_interarrival=150.0, v=8, machines=3, seed=2, name="stream3"),
}


def main() -> None:
    for file, build in INSTANCES.items():
        schedopt.write(HERE / file, build())


if __name__ == "__main__":
    main()
