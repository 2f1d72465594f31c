"""The DVC stages: one small experiment per problem set (``python -m {{ cookiecutter.module_name }}.stages.<topic>``),
each writing ``reports/<topic>.json``; ``evaluate`` merges them into ``metrics.json``."""
