"""The one CP-SAT compiler of the unified model (:mod:`.compiler`) and the typed context
through which a family strengthens it (:mod:`.context`)."""
