"""{{ cookiecutter.project_name }}: a PyTorch text classifier run as a DVC pipeline.

Stages (each is ``python -m {{ cookiecutter.module_name }}.<stage>``, see dvc.yaml):
prepare → embed → train → evaluate → predict.
"""
