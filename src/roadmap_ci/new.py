"""`roadmap-ci new`: render a deliverable's starting repo from its cookiecutter template.

The same as ``cookiecutter <roadmap-ci repo> --directory templates/<id>``, but found by deliverable
id in a checkout or an installed wheel, followed by ``git init`` and a first commit so DVC and
``roadmap-ci evaluate`` work at once.

With a course secret (the mentor's side: ``--course-secret-file FILE --labels-out PATH [--learner LOGIN]``)
the template's own generator (``templates/<id>/generate_data.py``, docs/templates.md) rewrites the rendered
repo's data from that secret, and the hidden labels go to PATH, outside the repo; without one the repo keeps
the template's practice data, whose labels are public.
"""

from __future__ import annotations

import importlib.util
import inspect
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import ModuleType

from roadmap_ci.errors import CannotRun, InvalidInput, Place
from roadmap_ci.paths import template_ids, templates_dir

PROJECT_DIR = "{{cookiecutter.project_slug}}"


def available(root: Path | None = None) -> list[str]:
    return template_ids(root)


def new(deliverable: str, output_dir: Path, *, no_input: bool = False, extra: dict[str, str] | None = None,
        git: bool = True, root: Path | None = None, secret: bytes | None = None, labels_out: Path | None = None,
        learner: str | None = None) -> Path:
    """Render the template; return the new repo's path.

    With ``secret``, the data is the course's (for ``learner``, if given) and its hidden labels are written
    to ``labels_out``, which must lie outside the new repo.
    """
    from roadmap_ci.roadmap import deliverable as find

    if labels_out is not None and secret is None:
        raise InvalidInput("--labels-out needs --course-secret-file: without a course secret the repo gets the "
                           "practice data, whose labels are public (labels/)")
    if secret is not None and labels_out is None:
        raise InvalidInput("--course-secret-file needs --labels-out PATH: where the course's hidden labels go "
                           "(outside the new repo)")
    if learner is not None and secret is None:
        raise InvalidInput("--learner needs --course-secret-file: the practice data is the same for every learner")
    if learner is not None and not learner.strip():
        raise InvalidInput("--learner: empty login")

    root = root or templates_dir()
    if find(deliverable) is None and not (root / deliverable / "cookiecutter.json").is_file():
        raise InvalidInput(f"unknown deliverable {deliverable!r} (see `roadmap-ci roadmap`)")
    template = root / deliverable
    if not (template / "cookiecutter.json").is_file():
        have = ", ".join(available(root)) or "none yet"
        raise CannotRun(f"no template for {deliverable!r} yet (templates: {have})")
    gen = _secret_generator(deliverable, template) if secret is not None else None
    from roadmap_ci.extras import imports

    with imports("scaffold", "roadmap-ci new renders the template with it"):
        from cookiecutter.exceptions import CookiecutterException, OutputDirExistsException
        from cookiecutter.main import cookiecutter
    from click.exceptions import Abort  # cookiecutter's own prompts (it depends on click)

    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise InvalidInput("is a file, not a folder: -o names the folder the new repo goes into",
                           Place(str(output_dir))) from None
    except OSError as exc:
        raise CannotRun(f"cannot make the output folder: {exc.strerror or exc}", Place(str(output_dir))) from None
    try:
        out = Path(cookiecutter(str(template), no_input=no_input, extra_context=extra or {},
                                output_dir=str(output_dir)))
    except (EOFError, Abort):  # a prompt on a closed standard input (click says Abort)
        raise InvalidInput("no answer to the template's questions (standard input is closed): run it in a "
                           "terminal, or add --no-input to take every default") from None
    except OutputDirExistsException as exc:
        # cookiecutter's own text starts 'Error: "<dir>" directory already exists'
        text = str(exc).removeprefix("Error: ").strip()
        raise CannotRun(f"{text} — choose another project name or output directory") from None
    except CookiecutterException as exc:
        raise CannotRun(f"cookiecutter failed: {exc}") from None
    if gen is not None and labels_out is not None:
        try:
            _course_data(deliverable, template, gen, out, secret, labels_out, learner)
        except BaseException:
            shutil.rmtree(out, ignore_errors=True)  # rendered a moment ago: never leave it with practice data
            raise
    if git and not (out / ".git").exists():
        _git_init(out)
    return out


def _load_generator(deliverable: str, path: Path) -> ModuleType:
    """The template's generate_data.py, by file path (it is not a package module)."""
    spec = importlib.util.spec_from_file_location(f"roadmap_ci_generate_{deliverable.replace('-', '_')}", path)
    if spec is None or spec.loader is None:
        raise CannotRun(f"{path}: cannot load the data generator")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as exc:
        raise _needs(deliverable, exc) from None
    except Exception as exc:  # the generator's own code; report it, never a traceback
        raise CannotRun(f"{path}: the data generator failed to load: {type(exc).__name__}: {_line(exc)}") from None
    return module


def _needs(deliverable: str, exc: ImportError) -> CannotRun:
    """A library the generator imports is missing: the numeric stack comes with the 'course' extra."""
    from roadmap_ci.extras import EXTRAS, missing

    module = (exc.name or "").partition(".")[0]
    if module in EXTRAS["course"]:
        return missing("course", module, f"{deliverable}'s data generator draws a course's data with it")
    return CannotRun(f"{deliverable}: its data generator needs {module or _line(exc)!r}, which this environment "
                     "lacks; install it and run again")


def _line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text if len(text) <= 200 else text[:199] + "…"


def _secret_generator(deliverable: str, template: Path) -> ModuleType:
    path = template / "generate_data.py"
    if not path.is_file():
        raise CannotRun(f"{deliverable}: the template has no data generator (generate_data.py), so it cannot make "
                        "a course's hidden data; render it without --course-secret-file")
    gen = _load_generator(deliverable, path)
    generate = getattr(gen, "generate", None)
    params = inspect.signature(generate).parameters if callable(generate) else {}
    if "secret" not in params or "learner" not in params:
        raise CannotRun(f"{path}: generate() takes no course secret yet (secret=, learner=; docs/templates.md); "
                        "render it without --course-secret-file")
    if not hasattr(gen, "LABELS") or not hasattr(gen, "RAW"):
        raise InvalidInput(f"{deliverable} has no hidden labels (its data is the same for every course); "
                           "render it without --course-secret-file")
    return gen


def _course_data(deliverable: str, template: Path, gen: ModuleType, repo: Path, secret: bytes,
                 labels_out: Path, learner: str | None) -> None:
    """Rewrite the rendered repo's raw data from the course secret; the hidden labels go to ``labels_out``."""
    labels_out = labels_out.resolve()
    if labels_out.is_relative_to(repo.resolve()):
        raise InvalidInput(f"{labels_out}: --labels-out lies inside the new repo {repo}; the hidden labels must "
                           "stay outside it")
    if labels_out.is_dir():
        raise InvalidInput(f"{labels_out}: --labels-out is a directory; give a file path (e.g. labels.csv)")
    try:
        rel = Path(gen.RAW).resolve().relative_to((template / PROJECT_DIR).resolve())
    except ValueError:
        raise CannotRun(f"{template / 'generate_data.py'}: RAW is not inside the template's {PROJECT_DIR}") from None
    raw = repo / rel
    shutil.rmtree(raw, ignore_errors=True)  # only the course's files, none of the practice ones
    try:
        labels_out.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=labels_out.parent, prefix=".roadmap-ci-labels-") as tmp:
            staged = Path(tmp) / labels_out.name
            try:
                gen.generate(raw, staged, secret=secret, learner=learner)
            except ImportError as exc:
                raise _needs(deliverable, exc) from None
            except Exception as exc:  # the generator's own code; one line, never a traceback
                raise CannotRun(f"{deliverable}: the data generator failed: {type(exc).__name__}: {_line(exc)}"
                                ) from None
            if not staged.is_file():
                raise CannotRun(f"{deliverable}: the data generator wrote no hidden labels")
            staged.replace(labels_out)
    except OSError as exc:
        raise CannotRun(f"{labels_out}: cannot write the hidden labels: {exc.strerror or exc}") from None


def _git_init(repo: Path) -> None:
    env_cmds = [
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=roadmap-ci", "-c", "user.email=roadmap-ci@localhost", "commit", "-q", "-m",
         "Start from the roadmap-ci template"],
    ]
    for cmd in env_cmds:
        try:
            res = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CannotRun(f"{repo}: `{' '.join(cmd[:2])}` failed: {exc}") from None
        if res.returncode != 0:
            raise CannotRun(f"{repo}: `{' '.join(cmd[:2])}` failed: {res.stderr.strip().splitlines()[-1:]}")
