"""LLM serving: an iteration-level simulator of one instance and the policies that plug into it.

The engine (:mod:`.engine`) simulates continuous batching over a paged KV cache with chunked
prefill and preemption; a cost model (:mod:`.costmodel`) gives each step's latency from the
model (:mod:`.models`) and the GPU (:mod:`schedopt.gpus`); admission planners (:mod:`.planners`:
aggressive, conservative, past-future, oracle) decide who joins the batch; workloads
(:mod:`.workloads`, :mod:`.traces`) send requests; :mod:`.metrics` and :mod:`.plots` report.
The cluster simulator of heterogeneous instances (:mod:`.cluster`) reuses the same engine.

>>> from schedopt.serving import serve, summarize
>>> result = serve("batch", workload_options={"lengths": "dist-3", "n": 20}, planner="past-future")
>>> summarize(result).finished
20
"""

from .costmodel import ANCHORS as ANCHORS
from .costmodel import RooflineCost as RooflineCost
from .costmodel import TableCost as TableCost
from .costmodel import calibrate as calibrate
from .costmodel import cost_model as cost_model
from .engine import Engine as Engine
from .engine import EngineConfig as EngineConfig
from .metrics import SLA as SLA
from .metrics import SLA_70B as SLA_70B
from .metrics import ServingMetrics as ServingMetrics
from .metrics import compare as compare
from .metrics import records_frame as records_frame
from .metrics import summarize as summarize
from .models import LLM as LLM
from .models import MODELS as MODELS
from .models import kv_capacity_tokens as kv_capacity_tokens
from .models import llm as llm
from .planners import PLANNERS as PLANNERS
from .planners import Aggressive as Aggressive
from .planners import Conservative as Conservative
from .planners import Oracle as Oracle
from .planners import PastFuture as PastFuture
from .planners import planner as planner
from .plots import plot_goodput as plot_goodput
from .plots import plot_kv as plot_kv
from .plots import plot_latency_cdf as plot_latency_cdf
from .policies import FCFS as FCFS
from .policies import AdmissionPlanner as AdmissionPlanner
from .policies import BatchView as BatchView
from .policies import CostModel as CostModel
from .policies import QueuePolicy as QueuePolicy
from .policies import StepWork as StepWork
from .policies import Workload as Workload
from .request import Request as Request
from .request import RequestRecord as RequestRecord
from .result import SimResult as SimResult
from .result import StepTrace as StepTrace
from .scenario import serve as serve
from .simulate import simulate as simulate
from .traces import TRACES as TRACES
from .traces import read_trace as read_trace
from .traces import trace_path as trace_path
from .workloads import Batch as Batch
from .workloads import ClosedLoop as ClosedLoop
from .workloads import Poisson as Poisson
from .workloads import TraceReplay as TraceReplay
from .workloads import dist1 as dist1
from .workloads import dist2 as dist2
from .workloads import dist3 as dist3
from .workloads import empirical_lengths as empirical_lengths
from .workloads import lengths as lengths
from .workloads import uniform_lengths as uniform_lengths
from .workloads import workload as workload
