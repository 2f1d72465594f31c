"""The collect stage: a learner repo -> ``evidence.json``, by running it as CI will."""
