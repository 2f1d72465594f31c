"""{{ cookiecutter.project_name }}: an automated ML pipeline (ingest → validate → train → register → serve → drift)."""
