"""{{ cookiecutter.project_name }}: imbalanced fraud classification with resampling, tuning and SHAP."""
