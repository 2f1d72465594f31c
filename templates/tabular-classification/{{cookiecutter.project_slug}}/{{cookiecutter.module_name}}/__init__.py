"""{{ cookiecutter.project_name }}: predict which customers will churn (roadmap-ci deliverable tabular-classification)."""
