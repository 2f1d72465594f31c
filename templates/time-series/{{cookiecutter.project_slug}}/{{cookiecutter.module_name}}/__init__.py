"""{{ cookiecutter.project_name }}: forecast daily store×item sales 28 days ahead (roadmap-ci deliverable time-series)."""
