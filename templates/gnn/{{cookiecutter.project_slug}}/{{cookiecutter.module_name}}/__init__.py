"""{{ cookiecutter.project_name }}: topics of papers in a citation graph (roadmap-ci deliverable gnn)."""
