"""The publish stage: where a scorecard goes after `score`.

- :mod:`.files` — the reports on disk (always first: nothing is posted before they are written);
- :mod:`.sinks` — the :class:`~.sinks.Sink` protocol, the :data:`~.sinks.SINKS` registry and the one loop
  ``publish`` (:mod:`.run`) and ``ci-report`` (:mod:`roadmap_ci.ci.publisher`) post through;
- the sinks: :mod:`.summary` (the GitHub Actions job summary), :mod:`.github` (PR comment, commit status and
  check run, through :mod:`.client` and the retry policy of :mod:`.retry`), :mod:`.mlflow` (one MLflow run);
- :mod:`.env` — the token, the API URL, this run's page and the PR, read from the Actions environment.

Heavy libraries (github3, mlflow) are imported inside the functions that use them.
"""
