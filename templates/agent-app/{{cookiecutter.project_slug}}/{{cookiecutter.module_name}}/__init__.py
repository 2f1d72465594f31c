"""{{ cookiecutter.project_name }}: a tool-using agent over a small shop (roadmap-ci deliverable agent-app)."""
