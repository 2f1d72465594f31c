"""{{ cookiecutter.project_name }}: document question answering with cited answers (roadmap-ci capstone-rag-docqa)."""
