"""{{ cookiecutter.project_name }}: 28-day store×item sales forecasts (roadmap-ci deliverable time-series)."""
