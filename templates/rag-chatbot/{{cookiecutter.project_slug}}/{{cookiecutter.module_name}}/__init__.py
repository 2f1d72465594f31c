"""{{ cookiecutter.project_name }}: retrieval-augmented answers with citations over a product knowledge base."""
