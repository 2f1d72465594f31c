"""roadmap-ci: templates and an evaluator for the deliverables of an ML learning roadmap.

The pipeline has four stages, each its own module and command:
collect (learner repo -> evidence) -> score (evidence + rubric -> scorecard)
-> report (scorecard -> markdown/html/junit/json) -> publish (GitHub, MLflow, files).
"""

__version__ = "0.1.0"
