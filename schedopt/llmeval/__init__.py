"""R-ConstraintBench-style evaluation of LLMs on RCPSP feasibility (see docs/llmeval.md)."""
