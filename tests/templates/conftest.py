"""Fixtures of the template contract tests (_contract.py): built once per template module, from its ``CASE``.

A module that defines its own ``baseline`` (a template not yet in ``_contract.CASES``) uses that one instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _kit import Result, commit, copy_of, evaluate, render, set_params


@pytest.fixture(scope="module")
def case(request):
    return request.module.CASE


@pytest.fixture(scope="module")
def baseline(case, tmp_path_factory) -> tuple[Path, Result]:
    repo = render(case.id, tmp_path_factory.mktemp(f"{case.id}-baseline"))
    return repo, evaluate(repo, case.id)


@pytest.fixture(scope="module")
def improved(case, baseline, tmp_path_factory) -> tuple[Path, Result]:
    repo = copy_of(baseline[0], tmp_path_factory.mktemp(f"{case.id}-improved"))
    if callable(case.improve):
        case.improve(repo)
    else:
        set_params(repo, case.improve)
    commit(repo, case.improve_message)
    return repo, evaluate(repo, case.id)


@pytest.fixture(scope="module")
def corrupted(case, request, tmp_path_factory) -> tuple[Path, Result, Result]:
    """(repo, its result, the result it was corrupted from)."""
    start, before = request.getfixturevalue(case.corrupt_from)
    repo = copy_of(start, tmp_path_factory.mktemp(f"{case.id}-corrupted"))
    case.corrupt(repo)
    commit(repo, "New export")
    return repo, evaluate(repo, case.id), before
