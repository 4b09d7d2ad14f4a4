"""Heterogeneous GPU clusters serving multi-stage Text-to-SQL workflows (HEXGEN-TEXT2SQL).

Workflows and arrivals (:mod:`.workflows`), the per-(GPU, stage) cost table and its engine cost
model (:mod:`.costtable`), global dispatchers (:mod:`.dispatch`), local queue policies and the
per-stage deadline split (:mod:`.queues`), the cluster simulator over the serving engine
(:mod:`.sim`), simulation-based tuning (:mod:`.tuning`) and the offline CP-SAT reference
(:mod:`.offline`).
See ``shared/docs/llm_serving.md`` §2.
"""

from __future__ import annotations

from .costtable import HEXGEN_TABLE as HEXGEN_TABLE
from .costtable import HEXGEN_TPOT as HEXGEN_TPOT
from .costtable import TABLE_GPUS as TABLE_GPUS
from .costtable import TYPICAL_IO as TYPICAL_IO
from .costtable import StageTableCost as StageTableCost
from .costtable import cluster_costs as cluster_costs
from .costtable import derived_tpot as derived_tpot
from .costtable import mean_latency as mean_latency
from .costtable import query_slo as query_slo
from .costtable import stage_latency as stage_latency
from .costtable import standard_latency as standard_latency
from .dispatch import DISPATCHERS as DISPATCHERS
from .dispatch import Dispatcher as Dispatcher
from .dispatch import InstanceState as InstanceState
from .dispatch import LeastLoaded as LeastLoaded
from .dispatch import RoundRobin as RoundRobin
from .dispatch import WorkloadBalanced as WorkloadBalanced
from .dispatch import dispatcher as dispatcher
from .offline import OfflineInstance as OfflineInstance
from .offline import OfflineSchedule as OfflineSchedule
from .offline import greedy_schedule as greedy_schedule
from .offline import offline_problem as offline_problem
from .offline import on_time_upper_bound as on_time_upper_bound
from .offline import solve_offline as solve_offline
from .queues import LeastSlackFirst as LeastSlackFirst
from .queues import RemainingWorkflow as RemainingWorkflow
from .queues import StageDeadlines as StageDeadlines
from .queues import stage_budget as stage_budget
from .sim import ClusterResult as ClusterResult
from .sim import InstanceSpec as InstanceSpec
from .sim import cluster as cluster
from .sim import simulate_cluster as simulate_cluster
from .tuning import HEXGEN_ALPHAS as HEXGEN_ALPHAS
from .tuning import TuningResult as TuningResult
from .tuning import tune as tune
from .workflows import STAGES as STAGES
from .workflows import STANDARD_WORKFLOW as STANDARD_WORKFLOW
from .workflows import Call as Call
from .workflows import Query as Query
from .workflows import sample_query as sample_query
from .workflows import stage_requests as stage_requests
from .workflows import standard_query as standard_query
from .workflows import text2sql_queries as text2sql_queries
