"""{{ cookiecutter.project_name }}: predict house sale prices (roadmap-ci deliverable tabular-regression)."""
