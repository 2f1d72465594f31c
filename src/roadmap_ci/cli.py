"""The command line: parse, call one function, print. Heavy imports live in the functions."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from roadmap_ci import __version__
from roadmap_ci.errors import EXIT_CANNOT_RUN, EXIT_INVALID, InvalidInputs, RoadmapError
from roadmap_ci.report import FORMATS

app = typer.Typer(
    name="roadmap-ci",
    help="Templates and an evaluator for the deliverables of a 65-week ML roadmap.\n\n"
    "Stages: collect (learner repo -> evidence) -> score (+ rubric -> scorecard) -> report -> publish.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
rubric_app = typer.Typer(help="Lint, explain and export the schema of rubric files.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")
cohort_app = typer.Typer(help="The classroom: a cohort file on the roadmap's calendar (init), the roster from "
                         "GitHub Classroom's and the LMS's exports (roster), the repos on GitHub from cohort.yaml "
                         "(lint, plan, apply, status), and at the deadline collect, grade, progress, similar, report.",
                         no_args_is_help=True)
app.add_typer(cohort_app, name="cohort")


def _version(value: bool) -> None:
    if value:
        print(f"roadmap-ci {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """roadmap-ci"""


# ---------------------------------------------------------------- roadmap


@app.command("roadmap")
def roadmap_cmd(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False) -> None:
    """Print the curriculum: phases, weeks, topics and deliverables."""
    from roadmap_ci.roadmap import catalog

    data = catalog()
    if as_json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    from roadmap_ci.console import stdout

    table = Table(title="The 65-week ML roadmap", show_lines=True)
    for col in ("phase", "weeks", "deliverable", "produces", "template / rubric"):
        table.add_column(col, overflow="fold")
    for p in data["phases"]:  # type: ignore[index]
        for d in p["deliverables"]:
            have = ("template ✓" if d["template_available"] else "template —") + " · " + (
                "rubric ✓" if d["rubric_available"] else "rubric —")
            table.add_row(f"{p['phase']} · {p['title']}", f"{d['weeks'][0]}–{d['weeks'][1]}",
                          f"{d['id']}\n{d['title']}", "\n".join(d["produces"]), have)
    stdout().print(table)


@app.command("new")
def new_cmd(
    deliverable: Annotated[str, typer.Argument(help="A deliverable id (see `roadmap-ci roadmap`).")],
    output_dir: Annotated[Path, typer.Option("--output-dir", "-o", help="Where to create the repo.")] = Path("."),
    no_input: Annotated[bool, typer.Option("--no-input", help="Take every default; ask nothing.")] = False,
    no_git: Annotated[bool, typer.Option("--no-git", help="Skip `git init` and the first commit.")] = False,
    course_secret_file: Annotated[Path | None, typer.Option(
        "--course-secret-file", help="Mentor: the course secret; the repo gets the course's data, not the "
                                     "practice data.")] = None,
    labels_out: Annotated[Path | None, typer.Option(
        "--labels-out", help="Mentor: where the course's hidden labels go (outside the new repo).")] = None,
    learner: Annotated[str | None, typer.Option(
        "--learner", help="Mentor: the learner's GitHub login: their own rows and ids.")] = None,
) -> None:
    """Create a learner's starting repo from the deliverable's template."""
    from roadmap_ci.new import new

    secret = None
    if course_secret_file is not None:
        from roadmap_ci.seeding import read_secret

        secret = read_secret(course_secret_file)
    out = new(deliverable, output_dir, no_input=no_input, git=not no_git, secret=secret, labels_out=labels_out,
              learner=learner)
    if secret is not None:
        print(f"created {out} with the course's data" + (f" for {learner}" if learner else "")
              + f"\nhidden labels: {labels_out} (keep them out of the repo; `ci-report --labels` reads them)")
    else:
        print(f"created {out} (practice data: its labels are public)")
    import shlex

    # the evaluator runs the project's own code, so it belongs in the project's .venv: make installs it there
    print(f"next: cd {shlex.quote(str(out))} && make setup && make evaluate")


# ---------------------------------------------------------------- rubric


@rubric_app.command("lint")
def rubric_lint(files: Annotated[list[Path], typer.Argument(help="Rubric YAML files.")]) -> None:
    """Check rubric files; print every problem as file:line:column: what is wrong. Exit 1 when a file has
    problems, 2 when one cannot be read at all (as `score -r` does), the worse of the two; every file is checked."""
    from roadmap_ci.errors import CannotRun
    from roadmap_ci.safeio import plain
    from roadmap_ci.score.load import lint_rubric

    code = 0
    for f in files:
        try:
            errors = lint_rubric(f, could_not_run_is_a_problem=False)
        except CannotRun as exc:
            print(plain(str(exc)), file=sys.stderr)
            code = max(code, exc.exit_code)
            continue
        for e in errors:
            print(plain(str(e)), file=sys.stderr)
        if errors:
            code = max(code, EXIT_INVALID)
        else:
            print(f"{plain(str(f))}: ok")
    if code:
        raise typer.Exit(code)


@rubric_app.command("explain")
def rubric_explain(
    rubric: Annotated[str, typer.Argument(help="A rubric YAML file, or a bundled rubric id (tabular-classification).",
                                          metavar="RUBRIC")],
    fmt: Annotated[str, typer.Option("--format", help="table (terminal) or md (for a README).")] = "table",
) -> None:
    """The table a learner reads: what is scored, how, and for how many points."""
    from roadmap_ci.errors import InvalidInput
    from roadmap_ci.paths import rubric_path
    from roadmap_ci.score.explain import explain_markdown, explain_rows
    from roadmap_ci.score.load import load_rubric

    file = rubric_path(rubric)
    loaded = load_rubric(file)
    if fmt == "md":
        sys.stdout.write(explain_markdown(loaded))
        return
    if fmt != "table":
        raise InvalidInput(f"unknown format {fmt!r} (allowed: table, md)")
    from rich.table import Table

    from roadmap_ci.console import stdout
    from roadmap_ci.safeio import markup as escape

    r = loaded.rubric
    table = Table(title=f"{escape(r.title or r.deliverable or file.name)} — rubric v{escape(r.version)}",
                  caption=f"pass mark {r.pass_mark:g} of {r.max_points:g} · {loaded.hash[:19]}"
                  + (f" · due {r.due.isoformat()}" if r.due else ""))
    for col, justify in (("criterion", "left"), ("how it is scored", "left"), ("points", "right"),
                         ("shown", "left")):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for row in explain_rows(loaded):
        table.add_row(escape(row[0]), escape(row[1]), row[2], row[3])
    stdout().print(table)


@rubric_app.command("schema")
def rubric_schema_cmd(out: Annotated[Path | None, typer.Option("--out", help="Write to a file.")] = None) -> None:
    """Print the rubric JSON Schema (for `# yaml-language-server: $schema=…`)."""
    from roadmap_ci.score.model import rubric_schema

    _emit_json(rubric_schema(), out)


@app.command("schema")
def schema_cmd(
    name: Annotated[str, typer.Argument(help="evidence | rubric | scorecard | cohort")],
    out: Annotated[Path | None, typer.Option("--out", help="Write to a file.")] = None,
) -> None:
    """Print the JSON Schema of a contract."""
    from roadmap_ci.errors import InvalidInput

    if name == "rubric":
        from roadmap_ci.score.model import rubric_schema

        schema = rubric_schema()
    elif name == "evidence":
        from roadmap_ci.evidence import Evidence

        schema = Evidence.model_json_schema()
    elif name == "scorecard":
        from roadmap_ci.score.scoring import Scorecard

        schema = Scorecard.model_json_schema()
    elif name == "cohort":
        from roadmap_ci.cohort.model import cohort_schema

        schema = cohort_schema()
    else:
        raise InvalidInput(f"unknown schema {name!r} (allowed: evidence, rubric, scorecard, cohort)")
    _emit_json(schema, out)


def _emit_json(data: object, out: Path | None) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        from roadmap_ci.safeio import write_atomic

        write_atomic(out, text)


# ---------------------------------------------------------------- cohort (the classroom)

# Every `cohort` command takes the cohort file as -c/--cohort (default: cohort.yaml here); the deliverable, where
# a command needs one, is positional. The older form -- the cohort file first, positional -- still works.
CohortOpt = Annotated[Path | None, typer.Option("--cohort", "-c", help="The cohort file (default: cohort.yaml in "
                                                                      "the current directory).")]
OldCohortFile = Annotated[Path | None, typer.Argument(hidden=True, show_default=False)]


def _cohort_file(option: Path | None, positional: Path | str | None) -> Path:
    from roadmap_ci.errors import InvalidInput

    if option is not None and positional is not None:
        raise InvalidInput(f"the cohort file is given twice ({positional} and -c {option}): give it once, as -c FILE")
    return Path(option or positional or "cohort.yaml")


def _file_or_deliverable(option: Path | None, positional: Path | None, deliverable: str | None
                         ) -> tuple[Path, str | None]:
    """``[DELIVERABLE] [-c FILE]`` beside ``-d``, and the older ``FILE``: a positional that is not a file and does
    not look like one (``.yaml``/``.yml``) is the deliverable."""
    from roadmap_ci.errors import InvalidInput

    if positional is not None and not positional.exists() and positional.suffix not in (".yaml", ".yml") \
            and len(positional.parts) == 1:
        if deliverable is not None and deliverable != str(positional):
            raise InvalidInput(f"the deliverable is given twice ({positional} and -d {deliverable}): give it once")
        return _cohort_file(option, None), str(positional)
    return _cohort_file(option, positional), deliverable


def _file_and_deliverable(option: Path | None, args: list[str], command: str) -> tuple[Path, str]:
    """``DELIVERABLE [-c FILE]``, or the older ``FILE DELIVERABLE``."""
    from roadmap_ci.errors import InvalidInput

    if len(args) == 1:
        return _cohort_file(option, None), args[0]
    if len(args) == 2:
        return _cohort_file(option, args[0]), args[1]
    raise InvalidInput(f"cohort {command}: give one deliverable (cohort {command} DELIVERABLE -c cohort.yaml)")


StateOpt = Annotated[Path | None, typer.Option("--state", help="Journal and caches (default: .roadmap-ci/ beside "
                                                                 "the cohort file).")]


@cohort_app.command("init")
def cohort_init(
    organisation: Annotated[str, typer.Option("--organisation", "--org", help="The GitHub organisation.")],
    start: Annotated[str, typer.Option("--start", help="The cohort's first day (YYYY-MM-DD, a Monday).")],
    tz: Annotated[str, typer.Option("--tz", help="The mentors' time zone: Europe/Berlin, UTC, +01:00.")] = "UTC",
    deliverables: Annotated[str | None, typer.Option("--deliverables", help="Comma-separated deliverable ids "
                                                     "(default: all of the roadmap's).")] = None,
    mentors: Annotated[str, typer.Option("--mentors", help="The organisation's team of mentors.")] = "mentors",
    roster: Annotated[str, typer.Option("--roster", help="The roster CSV, relative to the cohort file.")] = (
        "roster.csv"),
    secret_file: Annotated[str | None, typer.Option("--secret-file", help="The course secret's file, relative to "
                                                    "the current directory; made if missing (default: "
                                                    "~/.config/roadmap-ci/ORG.key).")] = None,
    no_secret: Annotated[bool, typer.Option("--no-secret", help="No course secret: starters use the public "
                                                                 "practice data.")] = False,
    grace_days: Annotated[int, typer.Option("--grace-days", help="Days after due that late work is taken.")] = 7,
    out: Annotated[Path, typer.Option("--out", "-o", help="The cohort file to write.")] = Path("cohort.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
) -> None:
    """Write a cohort file for the roadmap's calendar: each deliverable opens on the Monday of its first week and
    is due on the Sunday of its last, rubrics pinned, a course secret made if there is none."""
    from roadmap_ci.cohort.init import command

    ids = [d.strip() for d in deliverables.split(",") if d.strip()] if deliverables is not None else None
    secret = None if no_secret else (secret_file or f"~/.config/roadmap-ci/{organisation}.key")
    raise typer.Exit(command(out, organisation=organisation, start=start, tz=tz, deliverables=ids, mentors=mentors,
                             roster=roster, secret_file=secret, grace_days=grace_days, force=force))


@cohort_app.command("roster")
def cohort_roster(
    files: Annotated[list[Path] | None, typer.Argument(help="GitHub Classroom's roster export (classroom_roster.csv), "
                                                            "the LMS's export (Canvas gradebook, Moodle grades or "
                                                            "participants CSV), an existing roster.")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="The roster to write.")] = Path("roster.csv"),
    force: Annotated[bool, typer.Option("--force", help="Replace --out if it exists.")] = False,
    canvas_course: Annotated[int | None, typer.Option("--canvas-course", help="Read this Canvas course's students "
                                                      "through its API (CANVAS_URL, CANVAS_TOKEN).")] = None,
) -> None:
    """Build the roster CSV (github, name, email, lms_id, section) from GitHub Classroom's and the LMS's exports.

    Rows naming the same person (an e-mail, an id or a name in common) are joined; anyone without a GitHub login,
    or whose rows cannot be told apart, is one line on stderr and left out; exit 1 then."""
    from roadmap_ci.cohort.roster_import import command

    raise typer.Exit(command(list(files or []), out, force, canvas_course))


@cohort_app.command("lint")
def cohort_lint(
    files: Annotated[list[Path] | None, typer.Argument(help="More cohort files to check.")] = None,
    file: CohortOpt = None,
) -> None:
    """Check cohort files and their rosters; print every problem as file:line:column: what is wrong."""
    from roadmap_ci.cohort.commands import lint

    chosen = ([file] if file is not None else []) + list(files or [])
    raise typer.Exit(lint(chosen or [Path("cohort.yaml")]))


@cohort_app.command("schema")
def cohort_schema_cmd(out: Annotated[Path | None, typer.Option("--out", help="Write to a file.")] = None) -> None:
    """Print the cohort file's JSON Schema."""
    from roadmap_ci.cohort.model import cohort_schema

    _emit_json(cohort_schema(), out)


@cohort_app.command("plan")
def cohort_plan(
    old_file: OldCohortFile = None,
    file: CohortOpt = None,
    state: StateOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    now: Annotated[str | None, typer.Option("--now", help="Plan as apply would at this time (provision_ahead_days; "
                                                          "default: now).")] = None,
) -> None:
    """Print what `apply` would change, per learner and in total; change nothing (GITHUB_TOKEN, GITHUB_API_URL)."""
    from roadmap_ci.cohort.commands import plan

    raise typer.Exit(plan(_cohort_file(file, old_file), state, as_json, now=_when(now)))


@cohort_app.command("apply")
def cohort_apply(
    old_file: OldCohortFile = None,
    file: CohortOpt = None,
    state: StateOpt = None,
    pause: Annotated[float | None, typer.Option("--pause", help="Seconds between writes (GitHub asks ≥ 1).")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar.")] = False,
) -> None:
    """Make GitHub match the cohort file: repos, starters, invitations, rulesets, variables, secrets.

    Idempotent and resumable: a second run writes nothing; a killed run is finished by the next one.
    """
    from roadmap_ci.cohort.commands import apply

    raise typer.Exit(apply(_cohort_file(file, old_file), state, pause, quiet))


@cohort_app.command("status")
def cohort_status_cmd(
    old_file: OldCohortFile = None,
    file: CohortOpt = None,
    deliverable: Annotated[str | None, typer.Option("--deliverable", "-d", help="Only this deliverable.")] = None,
    state: StateOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write a CSV file.")] = None,
) -> None:
    """Per learner x deliverable: invitation, pushes, last push (late or not), last evaluation and score."""
    from roadmap_ci.cohort.commands import status

    path, deliverable = _file_or_deliverable(file, old_file, deliverable)
    raise typer.Exit(status(path, state, deliverable, as_json, csv_out))


@cohort_app.command("reinvite")
def cohort_reinvite(
    old_file: OldCohortFile = None,
    file: CohortOpt = None,
    deliverable: Annotated[str | None, typer.Option("--deliverable", "-d", help="Only this deliverable.")] = None,
    state: StateOpt = None,
    pause: Annotated[float | None, typer.Option("--pause", help="Seconds between writes (GitHub asks ≥ 1).")] = None,
) -> None:
    """Invite again every learner whose invitation expired (GitHub's expire after 7 days)."""
    from roadmap_ci.cohort.commands import reinvite

    path, deliverable = _file_or_deliverable(file, old_file, deliverable)
    raise typer.Exit(reinvite(path, state, deliverable, pause))


@cohort_app.command("close")
def cohort_close(
    args: Annotated[list[str], typer.Argument(metavar="DELIVERABLE",
                                              help="The deliverable whose repos close (at its cutoff).")],
    file: CohortOpt = None,
    state: StateOpt = None,
    pause: Annotated[float | None, typer.Option("--pause", help="Seconds between writes (GitHub asks ≥ 1).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Close before the cutoff, extensions included.")] = False,
) -> None:
    """Drop every learner of a deliverable to read permission; the repos stay (after its cutoff)."""
    from roadmap_ci.cohort.commands import close

    path, deliverable = _file_and_deliverable(file, args, "close")
    raise typer.Exit(close(path, state, deliverable, pause, force))


@cohort_app.command("update")
def cohort_update(
    args: Annotated[list[str], typer.Argument(metavar="DELIVERABLE", help="The deliverable whose template changed.")],
    file: CohortOpt = None,
    state: StateOpt = None,
    pause: Annotated[float | None, typer.Option("--pause", help="Seconds between writes (GitHub asks ≥ 1).")] = None,
) -> None:
    """Open a pull request in every learner repo with the template's changes since its starter (3-way)."""
    from roadmap_ci.cohort.commands import update

    path, deliverable = _file_and_deliverable(file, args, "update")
    raise typer.Exit(update(path, state, deliverable, pause))


StoreOpt = Annotated[Path | None, typer.Option("--store", help="The cohort folder of collected commits "
                                                               "(default: cohort/ beside the cohort file).")]


def _assignments(values: list[str], option: str = "--canvas-assignment", what: str = "ASSIGNMENT_ID",
                 example: str = "churn=4211") -> dict[str, int]:
    from roadmap_ci.errors import InvalidInput

    out = {}
    for v in values:
        name, _, aid = v.partition("=")
        if not name or not aid.isascii() or not aid.isdigit() or len(aid) > 18:
            raise InvalidInput(f"{option} {v[:60]!r}: give DELIVERABLE={what} (e.g. {example})")
        if name in out and out[name] != int(aid):
            raise InvalidInput(f"{option} {name[:60]!r} is given twice ({out[name]} and {aid}): give it once")
        out[name] = int(aid)
    return out


@cohort_app.command("collect")
def cohort_collect(
    deliverable: Annotated[str, typer.Argument(help="The deliverable id.")],
    file: CohortOpt = None,
    store: StoreOpt = None,
    state: StateOpt = None,
    branch: Annotated[str, typer.Option("--branch", help="The learners' default branch.")] = "main",
    workflow: Annotated[str, typer.Option("--workflow", help="The learner repo's evaluate workflow file.")] =
        ".github/workflows/roadmap-ci.yml",
    concurrency: Annotated[int, typer.Option("--concurrency", help="Requests at once (1-8).")] = 8,
    rerun: Annotated[bool, typer.Option("--rerun", help="Re-run the evaluation of graded commits whose artifact "
                                        "expired (then collect again).")] = False,
) -> None:
    """Download every learner's graded commit: the last push evaluated before due (GitHub's clock), late until the
    cutoff; validated as ci-report validates it; stored with its provenance (GITHUB_TOKEN, GITHUB_API_URL)."""
    from roadmap_ci.cohort.collect import command

    path = _cohort_file(file, None)
    raise typer.Exit(command(path, deliverable, store_dir=store, state=state, branch=branch, workflow=workflow,
                             concurrency=concurrency, rerun=rerun))


@cohort_app.command("grade")
def cohort_grade(
    deliverables: Annotated[list[str] | None, typer.Argument(help="Deliverable ids (default: every one).")] = None,
    file: CohortOpt = None,
    store: StoreOpt = None,
    state: StateOpt = None,
    labels: Annotated[Path | None, typer.Option("--labels", help="The mentor's labels: one CSV, or a folder of "
                                                "<learner>.csv (default: those `cohort apply` kept).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Where gradebook.csv and the LMS imports "
                                             "(canvas.csv, moodle.csv, brightspace.csv, blackboard.csv) go (default: "
                                             "grades/ beside the cohort file; with --rubric NEW, "
                                             "grades/trial-NEW/).")] = None,
    criteria: Annotated[bool, typer.Option("--criteria", help="Per-criterion columns in the gradebook.")] = False,
    rubric: Annotated[Path | None, typer.Option("--rubric", "-r", help="Re-grade with a tuned rubric; show flips "
                                                "against the pinned one.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="With --rubric: list every learner.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Processes (default: CPU count).")] = None,
    canvas_course: Annotated[int | None, typer.Option("--canvas-course", help="Send grades to this Canvas course "
                                                      "(CANVAS_URL, CANVAS_TOKEN).")] = None,
    canvas_assignment: Annotated[list[str] | None, typer.Option(
        "--canvas-assignment", help="DELIVERABLE=ASSIGNMENT_ID: passback, and canvas.csv's column for it "
        "(repeat).")] = None,
    blackboard_column: Annotated[list[str] | None, typer.Option(
        "--blackboard-column", help="DELIVERABLE=COLUMN_ID: blackboard.csv updates that Grade Center column "
        "(repeat).")] = None,
    timings: Annotated[bool, typer.Option("--timings", help="Print the per-file cost and each step's share.")] = False,
) -> None:
    """Grade every collected commit: pinned rubric, mentor's labels, late policy; gradebook and LMS import CSVs."""
    from roadmap_ci.cohort.grade import command

    path = _cohort_file(file, None)
    raise typer.Exit(command(path, deliverables or [], store_dir=store, state=state, labels=labels, out=out,
                             criteria=criteria, rubric=rubric, show_all=show_all, workers=workers,
                             canvas_course=canvas_course, canvas_assignments=_assignments(canvas_assignment or []),
                             blackboard_columns=_assignments(blackboard_column or [], "--blackboard-column",
                                                             "COLUMN_ID", "churn=123456"),
                             timings=timings))



LabelsOpt = Annotated[Path | None, typer.Option("--labels", help="The mentor's labels: one CSV, or a folder of "
                                                "<learner>.csv (default: those `cohort apply` kept).")]


def _when(value: str | None) -> object:
    from roadmap_ci.cohort.store import parse_time
    from roadmap_ci.errors import InvalidInput

    if value is None:
        return None
    t = parse_time(value)
    if t is None:
        raise InvalidInput(f"--now {value!r}: give an ISO 8601 time with a time zone (2027-03-01T09:00:00Z)")
    return t


@cohort_app.command("progress")
def cohort_progress(
    file: CohortOpt = None,
    store: StoreOpt = None,
    state: StateOpt = None,
    labels: LabelsOpt = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the table as CSV.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
    now: Annotated[str | None, typer.Option("--now", help="Place the calendar at this time (default: now).")] = None,
) -> None:
    """Learners x the roadmap's deliverables (passed / late / failed / not started) and where the calendar says
    each should be."""
    from roadmap_ci.cohort.progress import command

    path = _cohort_file(file, None)
    raise typer.Exit(command(path, store_dir=store, state=state, labels=labels, csv_out=csv_out, as_json=as_json,
                             now=_when(now)))  # type: ignore[arg-type]


@cohort_app.command("similar")
def cohort_similar(
    deliverable: Annotated[str, typer.Argument(help="The deliverable id.")],
    file: CohortOpt = None,
    store: StoreOpt = None,
    state: StateOpt = None,
    labels: LabelsOpt = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write the pairs as CSV.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for machines.")] = False,
) -> None:
    """Pairs of learners whose hidden-split predictions agree far beyond their accuracies: evidence, no verdicts."""
    from roadmap_ci.cohort.similar import command

    path = _cohort_file(file, None)
    raise typer.Exit(command(path, deliverable, store_dir=store, state=state, labels=labels, csv_out=csv_out,
                             as_json=as_json))


@cohort_app.command("report")
def cohort_report(
    html_out: Annotated[Path, typer.Option("--html", help="Write the dashboard (one self-contained HTML file).")],
    file: CohortOpt = None,
    store: StoreOpt = None,
    state: StateOpt = None,
    labels: LabelsOpt = None,
    now: Annotated[str | None, typer.Option("--now", help="Place the calendar at this time (default: now).")] = None,
) -> None:
    """The cohort on one page: rates, score distributions, the progress heatmap, late and missing, flagged pairs."""
    from roadmap_ci.cohort.dashboard import command

    path = _cohort_file(file, None)
    raise typer.Exit(command(path, html_out, store_dir=store, state=state, labels=labels,
                             now=_when(now)))  # type: ignore[arg-type]

# ---------------------------------------------------------------- score / rescore


@app.command("score")
def score_cmd(
    evidence: Annotated[Path, typer.Option("--evidence", "-e", help="evidence.json from `collect`.")],
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="The rubric: a YAML file or a bundled id.")],
    base: Annotated[Path | None, typer.Option("--base", help="The base branch's evidence.json.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write scorecard.json here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scorecard JSON instead of a table.")] = False,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show hidden criteria (mentors).")] = False,
) -> None:
    """Score evidence against a rubric (pure: runs no learner code). Exit 1 below the pass mark."""
    from roadmap_ci.evidence import dump_json, load_evidence, write_json
    from roadmap_ci.paths import rubric_path
    from roadmap_ci.score.load import load_rubric
    from roadmap_ci.score.scoring import score

    ev = load_evidence(evidence)
    loaded = load_rubric(rubric_path(rubric))
    base_ev = load_evidence(base) if base is not None else None
    card = score(ev, loaded, base=base_ev)
    if out is not None:
        write_json(card, out)
    if as_json:
        sys.stdout.write(dump_json(card))
    else:
        from roadmap_ci.console import scorecard_table, stdout

        stdout().print(scorecard_table(card, reveal=reveal))
    if not card.passed:
        raise typer.Exit(EXIT_INVALID)


@app.command("rescore")
def rescore_cmd(
    evidence: Annotated[list[Path], typer.Argument(help="evidence.json files or directories holding them.")],
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="The new rubric (a YAML file or a bundled id).")],
    baseline: Annotated[str | None, typer.Option("--baseline", help="The rubric in force, to compare.")] = None,
    csv_out: Annotated[Path | None, typer.Option("--csv", help="Write a gradebook CSV.")] = None,
    show_all: Annotated[bool, typer.Option("--all", help="List every learner, not only changes.")] = False,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Processes (default: CPU count).")] = None,
) -> None:
    """Re-score a cohort's stored evidence with a new rubric: totals, flips, distribution, gradebook.

    Every file or directory that could not be scored is one line on stderr and a row of the gradebook
    (its ``problems`` column); the others are scored. Exit 1 when any was skipped.
    """
    from roadmap_ci.cohort import expand, rescore, write_gradebook
    from roadmap_ci.cohort.rescore_view import print_outcome, print_rescore, print_skipped
    from roadmap_ci.paths import rubric_path
    from roadmap_ci.score.load import load_rubric

    new = load_rubric(rubric_path(rubric))
    old = load_rubric(rubric_path(baseline)) if baseline is not None else None
    problems: list[RoadmapError] = []
    files = expand(evidence, problems)
    result = rescore(new, files, old, workers=workers)
    result.errors[:0] = problems
    print_skipped(result)
    if csv_out is not None:
        write_gradebook(result, csv_out)
    print_rescore(result, rubric_path(rubric).name, has_old=old is not None, show_all=show_all)
    print_outcome(result, csv_out)
    if result.errors:
        raise typer.Exit(EXIT_INVALID)


# ---------------------------------------------------------------- collect / evaluate


def _cannot_evaluate(exc: RoadmapError) -> typer.Exit:
    """collect/evaluate: any error before a result exists means 'could not evaluate' (exit 2)."""
    from roadmap_ci.safeio import plain

    for line in map(plain, str(exc).splitlines() or ["could not evaluate"]):
        print(line if exc.place is not None or isinstance(exc, InvalidInputs) else f"error: {line}", file=sys.stderr)
    return typer.Exit(EXIT_CANNOT_RUN)


@app.command("collect")
def collect_cmd(
    path: Annotated[Path, typer.Argument(help="The learner repo.")] = Path("."),
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Evidence bundle directory "
                                             "(default: PATH/.roadmap-ci).")] = None,
    rubric: Annotated[str | None, typer.Option("--rubric", "-r", help="Override the rubric "
                                               ".roadmap-ci.yml names (a YAML file or a bundled id).")] = None,
    base: Annotated[str | None, typer.Option("--base", help="A git revision: its metrics become base_metrics.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print evidence.json on stdout.")] = False,
) -> None:
    """Run the learner's repo as CI does and write evidence.json (+ declared outputs). Exit 2 if it cannot."""
    from roadmap_ci.collect.run import Progress, collect

    try:
        ev = collect(path, out, rubric, base, progress=Progress(quiet=quiet or as_json))
    except RoadmapError as exc:
        raise _cannot_evaluate(exc) from None
    if as_json:
        from roadmap_ci.evidence import dump_json

        sys.stdout.write(dump_json(ev))
    elif not quiet:
        print(f"evidence written to {(out or path / '.roadmap-ci') / 'evidence.json'}")


@app.command("evaluate")
def evaluate_cmd(
    path: Annotated[Path, typer.Argument(help="The learner repo.")] = Path("."),
    rubric: Annotated[str | None, typer.Option("--rubric", "-r", help="Override the rubric "
                                               ".roadmap-ci.yml names (a YAML file or a bundled id).")] = None,
    base: Annotated[str | None, typer.Option("--base", help="A git revision, or the base branch's "
                                             "evidence.json, for base-relative criteria.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Default: PATH/.roadmap-ci.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print scorecard.json instead of the table.")] = False,
) -> None:
    """collect -> score -> report, as CI does. Exit 0 pass, 1 below the pass mark, 2 could not evaluate."""
    from roadmap_ci.collect.run import Progress
    from roadmap_ci.evaluate import evaluate

    try:
        result = evaluate(path, rubric, base, out, progress=Progress(quiet=quiet or as_json))
    except RoadmapError as exc:
        raise _cannot_evaluate(exc) from None
    if as_json:
        from roadmap_ci.evidence import dump_json

        sys.stdout.write(dump_json(result.scorecard))
    else:
        from rich.markup import escape

        from roadmap_ci.console import improvements, scorecard_table, stdout

        con = stdout()
        con.print(scorecard_table(result.scorecard))
        hints = improvements(result.scorecard)
        if hints:
            con.print("[bold]to earn more[/]")
            for line in hints:
                con.print(f"  💡 {escape(line)}", highlight=False)
        if not quiet:
            print(f"evidence, scorecard and report.md written to {result.out_dir}")
    if not result.passed:
        raise typer.Exit(EXIT_INVALID)


# ---------------------------------------------------------------- ci-report (the privileged CI step)


@app.command("ci-report")
def ci_report_cmd(
    rubric: Annotated[str, typer.Option("--rubric", help="The mentor's rubric: a bundled id or a YAML path. "
                                        "Empty: the bundled rubric of the evidence's deliverable (feedback).")] = "",
    rubric_version: Annotated[str, typer.Option("--rubric-version", help="The pinned rubric version.")] = "",
    labels: Annotated[Path | None, typer.Option("--labels", help="Hidden labels CSV (overrides the rubric's "
                                                "hidden_labels.source).")] = None,
    labels_path: Annotated[str, typer.Option("--labels-path", help="Hidden labels CSV as a relative path inside "
                                             "--labels-root (the mentor's rubrics checkout), instead of --labels."
                                             )] = "",
    labels_root: Annotated[Path | None, typer.Option("--labels-root", help="The rubrics checkout --labels-path is "
                                                     "in. Default: $GITHUB_WORKSPACE/roadmap-ci-rubrics.")] = None,
    artifact: Annotated[Path | None, typer.Option("--artifact", help="An artifact zip already downloaded "
                                                  "(default: download it from the run).")] = None,
    workdir: Annotated[Path | None, typer.Option("--workdir", help="Default: $RUNNER_TEMP/roadmap-ci-report.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Score and write files; post nothing.")] = False,
) -> None:
    """Score a finished evaluate run and post the result (report workflow; reads GITHUB_EVENT_PATH)."""
    from roadmap_ci.ci.step import ci_report

    out = ci_report(rubric=rubric, rubric_version=rubric_version, labels=labels, artifact=artifact,
                    workdir=workdir, dry_run=dry_run, labels_path=labels_path or None, labels_root=labels_root)
    if out.scorecard is not None:
        print(f"{out.scorecard.deliverable}: {out.scorecard.total:g}/{out.scorecard.max:g} "
              f"({'pass' if out.scorecard.passed else 'below the pass mark'})")
    from roadmap_ci.safeio import plain

    print(plain(f"posted: {out.posted}" + (f" ({out.reason})" if out.reason else "")))
    if out.posted == "error":
        raise typer.Exit(EXIT_INVALID)


# ---------------------------------------------------------------- report / publish


@app.command("report")
def report_cmd(
    scorecard: Annotated[Path, typer.Option("--scorecard", "-s", help="scorecard.json from `score`.")],
    evidence: Annotated[Path | None, typer.Option("--evidence", "-e", help="The evidence.json it scored.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=" | ".join(FORMATS))] = "md",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")] = None,
    rubric: Annotated[str | None, typer.Option("--rubric", "-r", help="The rubric (a YAML file or a bundled id), "
                                               "for threshold charts.")] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show hidden criteria (mentors).")] = False,
    max_chars: Annotated[int | None, typer.Option("--max-chars", help="Shorten Markdown to fit.")] = None,
) -> None:
    """Render a scorecard (+ its evidence) as Markdown, standalone HTML, JUnit XML or JSON."""
    from roadmap_ci.paths import rubric_path
    from roadmap_ci.report.run import report

    text = report(scorecard, evidence, fmt, reveal=reveal, rubric=rubric_path(rubric) if rubric else None,
                  max_chars=max_chars)
    if out is None:
        sys.stdout.write(text)
        return
    from roadmap_ci.publish.files import write_text

    write_text(out, text)
    print(f"{fmt} report written to {out}", file=sys.stderr)


@app.command("publish")
def publish_cmd(
    scorecard: Annotated[Path, typer.Option("--scorecard", "-s", help="scorecard.json from `score`.")],
    evidence: Annotated[Path | None, typer.Option("--evidence", "-e", help="The evidence.json it scored.")] = None,
    out_dir: Annotated[Path, typer.Option("--out-dir", help="Where every report is written first.")]
    = Path("roadmap-ci-report"),
    github: Annotated[bool, typer.Option("--github", help="PR comment, commit status, check run "
                                         "(GITHUB_TOKEN, GITHUB_API_URL).")] = False,
    repo: Annotated[str | None, typer.Option("--repo", help="OWNER/NAME (default: GITHUB_REPOSITORY).")] = None,
    pr: Annotated[int | None, typer.Option("--pr", help="Pull request number (default: from GITHUB_REF).")] = None,
    sha: Annotated[str | None, typer.Option("--sha", help="Commit for the status and check run "
                                            "(default: the scorecard's commit).")] = None,
    mlflow: Annotated[bool, typer.Option("--mlflow", help="One MLflow run (MLFLOW_TRACKING_URI, default "
                                         "sqlite:///mlflow.db).")] = False,
    summary: Annotated[bool, typer.Option("--summary", help="Append to $GITHUB_STEP_SUMMARY.")] = False,
    rubric: Annotated[str | None, typer.Option("--rubric", "-r", help="The rubric (a YAML file or a bundled id), "
                                               "for threshold charts.")] = None,
    artifact_url: Annotated[str | None, typer.Option("--artifact-url", help="Where the full report is "
                                                     "(default: this Actions run).")] = None,
) -> None:
    """Write the reports to disk, then post them: job summary, GitHub, MLflow. Exit 2 if a sink failed."""
    from roadmap_ci.paths import rubric_path
    from roadmap_ci.publish.run import publish

    asked = {"summary": summary, "github": github, "mlflow": mlflow}  # one flag per publish.sinks.SINKS entry
    result = publish(scorecard, evidence, out_dir=out_dir, sinks=[name for name, on in asked.items() if on],
                     repo=repo, pr=pr, sha=sha, rubric=rubric_path(rubric) if rubric else None,
                     artifact_url=artifact_url)
    for line in result.done:
        print(line)
    for line in result.errors:
        print(f"error: {line}", file=sys.stderr)
    if result.errors:
        raise typer.Exit(EXIT_CANNOT_RUN)


# ---------------------------------------------------------------- entry point


def _app_for(args: list[str]) -> typer.Typer:
    """The app, or -- when the first argument names a command -- a copy holding only that command.

    Typer turns every registered function into a click command on each run, and a process runs one
    command: building the other dozen only costs start-up time (about 25 ms of `score`'s budget).
    Usage lines, help and errors of the command are the same either way.
    """
    name = args[0] if args else None
    commands = [c for c in app.registered_commands if c.name == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app  # --help, --version, or a typo: the full app answers (and suggests a command)
    lean = copy.copy(app)
    lean.registered_commands, lean.registered_groups = commands, groups
    return lean


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; RoadmapErrors become one line on stderr and an exit code, never a traceback."""
    args = sys.argv[1:] if argv is None else argv
    try:
        _app_for(args)(args=args, prog_name="roadmap-ci", standalone_mode=True)
    except InvalidInputs as exc:
        from roadmap_ci.safeio import plain

        for e in exc.errors:
            print(plain(str(e)), file=sys.stderr)
        sys.exit(exc.exit_code)
    except RoadmapError as exc:
        from roadmap_ci.safeio import plain

        print(plain(f"error: {exc}" if exc.place is None else str(exc)), file=sys.stderr)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a bug of ours: one line, and how to see more
        import os

        if os.environ.get("ROADMAP_CI_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set ROADMAP_CI_DEBUG=1 for a traceback)",
              file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)


if __name__ == "__main__":  # pragma: no cover
    main()
