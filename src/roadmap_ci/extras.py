"""Optional dependencies: which extra of ``roadmap-ci`` brings which library, and the one-line error when it is missing.

The core package (CLI, contracts, scorer, reports) installs light; each job installs the extra it runs::

    pip install 'roadmap-ci[collect]'   # collect / evaluate: dvc, great-expectations, pytest, ruff, nbclient
    pip install 'roadmap-ci[github]'    # ci-report, publish --github: github3.py
    pip install 'roadmap-ci[mlflow]'    # publish --mlflow
    pip install 'roadmap-ci[scaffold]'  # new: cookiecutter, cruft
    pip install 'roadmap-ci[course]'    # new --course-secret-file: scaffold + numpy, pandas, SciPy, scikit-learn
    pip install 'roadmap-ci[cohort]'    # cohort ...: github + course + PyNaCl (Actions secrets)

Every import of one of these libraries goes through :func:`imports` (a ``with`` block around the import
statements), and a command that will run one as a tool checks first with :func:`need`; both raise
:class:`~roadmap_ci.errors.CannotRun` (exit 2) naming the extra. Neither imports anything itself.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager

from roadmap_ci.errors import CannotRun

# extra -> the top-level modules it provides (import names, not distribution names)
EXTRAS: dict[str, tuple[str, ...]] = {
    "collect": ("dvc", "great_expectations", "pytest", "ruff", "nbclient", "nbformat", "ipykernel", "pandas",
                "pyarrow"),
    "github": ("github3", "requests"),
    "mlflow": ("mlflow", "sqlalchemy", "alembic"),
    "scaffold": ("cookiecutter", "cruft"),
    # with scaffold: `new --course-secret-file` (and `cohort apply`) run the templates' data generators
    "course": ("numpy", "pandas", "scipy", "sklearn"),
    "cohort": ("nacl",),  # with github + course: the classroom commands
}
_EXTRA_OF = {module: extra for extra, modules in EXTRAS.items() for module in modules}


def install_hint(extra: str) -> str:
    return f"pip install 'roadmap-ci[{extra}]'"


def missing(extra: str, module: str, what: str | None = None) -> CannotRun:
    """The error for ``module`` (of ``extra``) not being importable."""
    need_for = f" ({what})" if what else ""
    return CannotRun(f"the {module} library is not installed{need_for}: it comes with the '{extra}' extra, "
                     f"{install_hint(extra)} (or `uv pip install ...`, or `roadmap-ci[all]`)")


def _top(name: str | None) -> str:
    return (name or "").partition(".")[0]


def need(extra: str, *modules: str, what: str | None = None) -> None:
    """Raise the one-line CannotRun when a module of ``extra`` cannot be found (without importing it)."""
    for module in modules or EXTRAS[extra]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):  # a broken parent package, or a module with no spec
            found = False
        if not found:
            raise missing(extra, module, what)


@contextmanager
def imports(extra: str, what: str | None = None) -> Iterator[None]:
    """``with imports("github"): import github3`` -- a ModuleNotFoundError of one of the extra's libraries
    becomes the one-line CannotRun naming the extra; any other import error is left as it is (a bug, or a
    broken install that the library's own message explains better)."""
    try:
        yield
    except ModuleNotFoundError as exc:
        top = _top(exc.name)
        if top in EXTRAS[extra] or _EXTRA_OF.get(top) == extra:
            raise missing(extra, top, what) from None
        raise
