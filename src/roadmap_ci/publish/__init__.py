"""Publish sinks: where a scorecard goes after `score`.

- :mod:`.files` — the reports on disk (always first: nothing is posted before they are written);
- :mod:`.summary` — the GitHub Actions job summary (``$GITHUB_STEP_SUMMARY``);
- :mod:`.github` — PR comment, commit status and check run through github3.py;
- :mod:`.mlflow` — one MLflow run per evaluation.

Each sink is its own module with plain functions; heavy libraries (github3, mlflow) are imported inside them.
"""
