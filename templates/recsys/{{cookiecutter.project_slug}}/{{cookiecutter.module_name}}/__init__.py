"""{{ cookiecutter.project_name }}: film recommendations from implicit feedback (roadmap-ci deliverable recsys)."""
