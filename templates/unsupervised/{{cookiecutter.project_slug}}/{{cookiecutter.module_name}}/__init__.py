"""{{ cookiecutter.project_name }}: customer segments (clustering) and abusive accounts (anomaly detection)."""
