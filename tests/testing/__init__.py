"""The helpers the tests share (one package beside the test tree): ``common`` (the repository's paths, the real
command line), ``fakegithub`` (the loopback GitHub API), ``workflow_runner`` (the workflow files run as GitHub
runs them), ``ci_fixtures``, ``cohort_kit``, ``collect_util``, ``reportkit`` and ``servers``.

Imported by name (``from testing.common import ROOT``), never through ``conftest``: pytest loads several
``conftest.py`` files (``tests/`` and ``tests/templates/``), so ``import conftest`` would get whichever came last.
"""
