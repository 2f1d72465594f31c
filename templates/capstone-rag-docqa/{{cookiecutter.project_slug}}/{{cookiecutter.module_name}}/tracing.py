"""MLflow tracing of each answer (the offline counterpart of LangSmith): spans for retrieval and generation.

Traces go to the local tracking store named by ``service.tracking_uri`` (``sqlite:///mlflow.db``);
``mlflow ui --backend-store-uri sqlite:///mlflow.db`` shows them under the experiment
``service.experiment``, Traces tab. Each trace records the question, every retrieval hit with its score,
the answer, its citations and the time each step took. MLflow is imported only when tracing is on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


class Tracer:
    def __init__(self, params: dict[str, Any]) -> None:
        cfg = params.get("service", {})
        self.enabled = bool(cfg.get("trace"))
        self.mlflow: Any = None
        if self.enabled:
            import mlflow

            mlflow.set_tracking_uri(cfg.get("tracking_uri", "sqlite:///mlflow.db"))
            mlflow.set_experiment(cfg.get("experiment", "docqa-service"))
            self.mlflow = mlflow

    @contextlib.contextmanager
    def span(self, name: str, inputs: dict[str, Any], span_type: str = "CHAIN") -> Iterator[Any]:
        """A span (nested under the current one); ``set_outputs`` on the yielded object records the result."""
        if not self.enabled:
            yield _NoSpan()
            return
        with self.mlflow.start_span(name=name, span_type=span_type) as span:
            span.set_inputs(inputs)
            yield span


class _NoSpan:
    def set_outputs(self, outputs: Any) -> None:
        pass

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        pass
