"""{{ cookiecutter.project_name }}: a production-shaped recommendation engine (roadmap-ci deliverable capstone-recsys)."""
