"""Run this project's GitHub Actions workflow files locally, the way a GitHub-hosted runner runs them.

Small and strict: it executes what our workflow files use and fails on anything else (an unknown action, an
unknown expression, a context it does not have), so a workflow that would fail on GitHub fails here.

* A caller job ``uses: <owner>/roadmap-ci/.github/workflows/<file>@<ref>`` runs ``<file>`` from this working
  tree with the caller's ``with:`` / ``secrets:`` evaluated in the caller's context, the reusable workflow's
  input defaults and types applied, and its job permissions checked against the caller's (GitHub refuses a
  called job that asks for more).
* ``run:`` steps run as GitHub runs them on Linux (``bash --noprofile --norc -eo pipefail``), in the
  workspace, with the job's and the step's ``env:`` evaluated, the default variables (``GITHUB_*``,
  ``RUNNER_TEMP``, ``CI``) and nothing of this process's environment but ``HOME``, ``PATH``, ``LANG`` and
  uv's cache location. Workflow commands (``::error ...::``) are collected as annotations.
* ``uses:`` steps are mapped to their local effect: ``actions/checkout`` = a clean clone of
  ``<server_url>/<repository>`` at the commit; ``actions/setup-python`` = this machine's interpreter (the
  requested version must match) on ``PATH``, without any package of ours; ``astral-sh/setup-uv`` = uv on
  ``PATH``; ``actions/upload-artifact`` / ``download-artifact`` = a zip on disk.
* ``github.server_url`` is a ``file://`` folder holding the repositories as git repositories (the learner's,
  and roadmap-ci itself at its release tag), so ``git+${server_url}/...`` installs and ``git ls-remote``
  work as they do against github.com; the API (``github.api_url``) is the loopback fake GitHub.
* ``environments``: each environment's secrets; a job with ``environment: <name>`` sees them in ``secrets``
  (over what the caller passed, as on GitHub). ``private``: repository -> the one token that may check it
  out (any other is GitHub's "repository not found").
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
REUSABLE = re.compile(r"^[\w.-]+/roadmap-ci/\.github/workflows/([\w.-]+\.ya?ml)@(\S+)$")
PASS_ENV = ("HOME", "LANG", "LC_ALL", "UV_CACHE_DIR", "XDG_CACHE_HOME", "TMPDIR", "SSL_CERT_FILE")


class WorkflowError(AssertionError):
    """The workflow would fail on GitHub (or uses something this runner does not know)."""


def load(path: Path) -> dict[str, Any]:
    data = YAML(typ="safe").load(path.read_text())
    if True in data:  # YAML 1.1 reads a bare `on` as True
        data["on"] = data.pop(True)
    return data


# ---------------------------------------------------------------- expressions

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>\d+(?:\.\d+)?)|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
                    r"|(?P<name>[A-Za-z_][\w-]*(?:\.[A-Za-z_*][\w-]*)*))")
_FUNCS = ("always", "cancelled", "success", "failure")


class Expr:
    """GitHub's expression language, the part our workflow files use: context lookups (``inputs.x``,
    ``github.event.workflow_run.conclusion``), string/number/boolean literals, ``== != && || !``, parentheses
    and the status functions. Anything else raises WorkflowError."""

    def __init__(self, contexts: dict[str, Any], status: Callable[[str], bool]) -> None:
        self.contexts, self.status = contexts, status

    def tokens(self, text: str) -> list[tuple[str, str]]:
        out, pos = [], 0
        text = text.strip()
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise WorkflowError(f"cannot read the expression {text!r} at {text[pos:]!r}")
            kind = m.lastgroup
            out.append((kind, m.group(kind)))
            pos = m.end()
            while pos < len(text) and text[pos] == " ":
                pos += 1
        return out

    def evaluate(self, text: str) -> Any:
        self._toks, self._i = self.tokens(text), 0
        value = self._or()
        if self._i != len(self._toks):
            raise WorkflowError(f"unexpected {self._toks[self._i][1]!r} in the expression {text!r}")
        return value

    def _peek(self) -> str | None:
        return self._toks[self._i][1] if self._i < len(self._toks) else None

    def _take(self) -> tuple[str, str]:
        tok = self._toks[self._i]
        self._i += 1
        return tok

    def _or(self) -> Any:
        left = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            left = left if truthy(left) else right
        return left

    def _and(self) -> Any:
        left = self._cmp()
        while self._peek() == "&&":
            self._take()
            right = self._cmp()
            left = right if truthy(left) else left
        return left

    def _cmp(self) -> Any:
        left = self._unary()
        while self._peek() in ("==", "!="):
            op = self._take()[1]
            right = self._unary()
            left = loose_eq(left, right) if op == "==" else not loose_eq(left, right)
        return left

    def _unary(self) -> Any:
        if self._peek() == "!":
            self._take()
            return not truthy(self._unary())
        return self._atom()

    def _atom(self) -> Any:
        kind, value = self._take()
        if value == "(" and kind == "op":
            inner = self._or()
            if self._take()[1] != ")":
                raise WorkflowError("missing ')' in an expression")
            return inner
        if kind == "str":
            return value[1:-1].replace("''", "'")
        if kind == "num":
            return float(value) if "." in value else int(value)
        if kind == "name":
            if value in ("true", "false"):
                return value == "true"
            if value == "null":
                return None
            if self._peek() == "(" and value.lower() == "fromjson":
                self._take()
                arg = self._or()
                if self._take()[1] != ")":
                    raise WorkflowError("fromJSON() takes one argument")
                try:
                    return json.loads(to_str(arg))  # as GitHub: the string must be JSON ('7' is the number 7)
                except ValueError:
                    raise WorkflowError(f"fromJSON({to_str(arg)!r}): not JSON") from None
            if self._peek() == "(":
                if value not in _FUNCS:
                    raise WorkflowError(f"unknown function {value}() (this runner knows fromJSON, {', '.join(_FUNCS)})")
                self._take()
                if self._take()[1] != ")":
                    raise WorkflowError(f"{value}() takes no arguments here")
                return self.status(value)
            return self.lookup(value)
        raise WorkflowError(f"unexpected {value!r} in an expression")

    def lookup(self, path: str) -> Any:
        head, *rest = path.split(".")
        if head not in self.contexts:
            raise WorkflowError(f"unknown context {head!r} in ${{{{ {path} }}}}")
        obj = self.contexts[head]
        for part in rest:
            if isinstance(obj, dict):
                obj = obj.get(part)  # GitHub: a missing property is null
            elif obj is None:
                return None
            else:
                raise WorkflowError(f"${{{{ {path} }}}}: {part!r} of a {type(obj).__name__}")
        return obj

    def render(self, value: Any) -> Any:
        """A YAML value with ``${{ }}`` in it: one whole expression keeps its type, otherwise a string."""
        if isinstance(value, dict):
            return {k: self.render(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.render(v) for v in value]
        if not isinstance(value, str) or "${{" not in value:
            return value
        whole = re.fullmatch(r"\$\{\{(.*?)\}\}", value.strip(), re.S)
        if whole and "${{" not in whole.group(1):
            return self.evaluate(whole.group(1))
        return re.sub(r"\$\{\{(.*?)\}\}", lambda m: to_str(self.evaluate(m.group(1))), value, flags=re.S)

    def condition(self, text: Any) -> bool:
        """An ``if:``: without a status function, ``success() && (...)`` is implied."""
        if text is None:
            return self.status("success")
        if isinstance(text, bool):
            return text
        text = str(text).strip()
        if text.startswith("${{") and text.endswith("}}"):
            text = text[3:-2]
        result = truthy(self.evaluate(text))
        if not any(re.search(rf"\b{f}\(", text) for f in _FUNCS):
            result = result and self.status("success")
        return result


def truthy(v: Any) -> bool:
    return v not in (None, False, 0, "", 0.0)


def loose_eq(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()  # GitHub compares strings ignoring case
    return a == b


def to_str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, dict | list):
        return json.dumps(v)
    return str(v)


# ---------------------------------------------------------------- jobs


@dataclass
class StepResult:
    name: str
    outcome: str  # success | failure | skipped
    seconds: float
    output: str = ""


@dataclass
class JobResult:
    workflow: str
    job: str
    result: str = "success"
    steps: list[StepResult] = field(default_factory=list)
    annotations: list[str] = field(default_factory=list)
    workspace: Path | None = None
    runner_temp: Path | None = None

    def step(self, name: str) -> StepResult:
        (found,) = [s for s in self.steps if s.name == name]
        return found

    def log(self) -> str:
        return "\n".join(f"--- {s.name}: {s.outcome} ({s.seconds:.1f} s)\n{s.output}" for s in self.steps)


PERMISSION_LEVEL = {"none": 0, "read": 1, "write": 2}


class Runner:
    """One machine: a server folder of git repositories, a place for artifacts, and the tools on it."""

    def __init__(self, base: Path, *, server: Path, api_url: str, token: str, python: str | None = None,
                 environments: dict[str, dict[str, str]] | None = None,
                 private: dict[str, str] | None = None) -> None:
        self.base, self.server, self.api_url, self.token = base, server, api_url, token
        self.environments = environments or {}
        self.private = private or {}
        self.artifacts = base / "artifacts"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        self.python = python or _base_python()
        self.uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
        self.jobs = 0

    @property
    def server_url(self) -> str:
        return self.server.resolve().as_uri()

    # ------------------------------------------------------------ a caller workflow

    def run_caller(self, caller: Path, *, event_name: str, event: dict[str, Any], repository: str, sha: str,
                   ref: str, head_ref: str = "", vars: dict[str, str] | None = None,
                   secrets: dict[str, str] | None = None) -> list[JobResult]:
        wf = load(caller)
        if event_name not in (wf.get("on") or {}):
            raise WorkflowError(f"{caller.name} does not run on {event_name}")
        github = self._github(event_name, event, repository, sha, ref, head_ref)
        ctx = {"github": github, "vars": dict(vars or {}), "secrets": {"GITHUB_TOKEN": self.token, **(secrets or {})},
               "inputs": {}, "env": {}}
        results = []
        wf_perms = wf.get("permissions")
        for job_id, job in wf["jobs"].items():
            expr = Expr(ctx, lambda f: f != "failure" and f != "cancelled")
            if not expr.condition(job.get("if")):
                continue
            m = REUSABLE.match(job.get("uses", ""))
            if not m:
                raise WorkflowError(f"{caller.name}: job {job_id} is not a call of this project's reusable workflows")
            called = WORKFLOWS / m.group(1)
            if not called.is_file():
                raise WorkflowError(f"{caller.name}: {called.name} does not exist in .github/workflows")
            granted = job.get("permissions", wf_perms)
            inputs = expr.render(job.get("with") or {})
            passed = expr.render(job.get("secrets") or {})
            results += self.run_reusable(called, github, inputs, passed, granted, vars=ctx["vars"])
        return results

    def _github(self, event_name: str, event: dict[str, Any], repository: str, sha: str, ref: str,
                head_ref: str) -> dict[str, Any]:
        return {"event_name": event_name, "event": event, "repository": repository, "sha": sha, "ref": ref,
                "ref_name": ref.rsplit("/", 1)[-1], "head_ref": head_ref, "server_url": self.server_url,
                "api_url": self.api_url, "token": self.token, "repository_owner": repository.split("/")[0],
                "run_id": str(8000 + self.jobs), "run_attempt": "1", "actor": repository.split("/")[0],
                "workflow": "", "workspace": ""}

    def run_reusable(self, path: Path, github: dict[str, Any], inputs: dict[str, Any], secrets: dict[str, Any],
                     granted: Any, vars: dict[str, str]) -> list[JobResult]:
        wf = load(path)
        call = (wf.get("on") or {}).get("workflow_call")
        if call is None:
            raise WorkflowError(f"{path.name} is not a reusable workflow (no on.workflow_call)")
        declared = call.get("inputs") or {}
        for name in inputs:
            if name not in declared:
                raise WorkflowError(f"{path.name}: the caller passes input {name!r}, which it does not declare")
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            if name in inputs:
                value = inputs[name]
            elif spec.get("required"):
                raise WorkflowError(f"{path.name}: required input {name!r} not given")
            else:
                value = spec.get("default", "" if spec.get("type") == "string" else None)
            kind = spec.get("type", "string")
            if kind == "number":
                try:
                    value = float(value) if "." in str(value) else int(value)
                except (TypeError, ValueError):
                    raise WorkflowError(f"{path.name}: input {name!r} is not a number: {value!r}") from None
            elif kind == "boolean":
                value = value if isinstance(value, bool) else str(value).lower() == "true"
            else:
                value = to_str(value)
            values[name] = value
        declared_secrets = call.get("secrets") or {}
        for name in secrets:
            if name not in declared_secrets:
                raise WorkflowError(f"{path.name}: the caller passes secret {name!r}, which it does not declare")
        sec = {"GITHUB_TOKEN": self.token, **{k: to_str(secrets.get(k)) for k in declared_secrets}}
        results = []
        for job_id, job in wf["jobs"].items():
            self._check_permissions(path.name, job_id, job.get("permissions", wf.get("permissions")), granted)
            results.append(self.run_job(path.name, job_id, job, github, values, sec, vars))
        return results

    @staticmethod
    def _check_permissions(wf: str, job_id: str, wanted: Any, granted: Any) -> None:
        """A called job may not ask for more than the calling job grants (GitHub fails the run at start)."""
        def level(perms: Any, scope: str) -> int:
            if perms is None:
                return 2  # not set: the repository default, which the test repository leaves at write
            if isinstance(perms, str):
                return {"read-all": 1, "write-all": 2}.get(perms, 0)
            return PERMISSION_LEVEL.get(perms.get(scope, "none"), 0)

        scopes = set((wanted or {}) if isinstance(wanted, dict) else []) | {"contents"}
        for scope in scopes:
            if level(wanted, scope) > level(granted, scope):
                raise WorkflowError(f"{wf}: job {job_id} asks for {scope}: {wanted.get(scope)!r}, but the calling "
                                    f"job grants only {level(granted, scope)} ({granted!r})")

    # ------------------------------------------------------------ one job

    def run_job(self, wf_name: str, job_id: str, job: dict[str, Any], github: dict[str, Any],
                inputs: dict[str, Any], secrets: dict[str, str], vars: dict[str, str]) -> JobResult:
        self.jobs += 1
        home = self.base / f"job{self.jobs}-{job_id}"
        workspace, temp, tools = home / "work", home / "temp", home / "tools"
        for d in (workspace, temp, tools):
            d.mkdir(parents=True)
        github = {**github, "workspace": str(workspace), "job": job_id, "run_id": str(8000 + self.jobs)}
        event_path = temp / "event.json"
        event_path.write_text(json.dumps(github["event"]))
        result = JobResult(wf_name, job_id, workspace=workspace, runner_temp=temp)
        state = {"failed": False}
        ctx = {"github": github, "inputs": inputs, "secrets": secrets, "vars": vars,
               "runner": {"temp": str(temp), "os": "Linux", "arch": "X64", "tool_cache": str(tools)}, "env": {},
               "steps": {}}

        def status(f: str) -> bool:
            return {"always": True, "cancelled": False, "success": not state["failed"],
                    "failure": state["failed"]}[f]

        expr = Expr(ctx, status)
        if not expr.condition(job.get("if")):
            result.result = "skipped"
            return result
        environment = to_str(expr.render(job.get("environment") or ""))
        if environment:  # the environment's secrets resolve in this job, over the caller's
            ctx["secrets"] = {**secrets, **self.environments.get(environment, {})}
        if "timeout-minutes" in job:
            minutes = expr.render(job["timeout-minutes"])
            if not isinstance(minutes, int | float) or minutes <= 0:
                raise WorkflowError(f"{wf_name}: job {job_id}: timeout-minutes is {minutes!r}, not a number")
        path = [str(tools), "/usr/local/bin", "/usr/bin", "/bin"]
        base_env = {k: os.environ[k] for k in PASS_ENV if k in os.environ}
        base_env.update({
            "CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_EVENT_PATH": str(event_path), "GITHUB_EVENT_NAME": github["event_name"],
            "GITHUB_REPOSITORY": github["repository"], "GITHUB_REPOSITORY_OWNER": github["repository_owner"],
            "GITHUB_SHA": github["sha"], "GITHUB_REF": github["ref"], "GITHUB_REF_NAME": github["ref_name"],
            "GITHUB_HEAD_REF": github["head_ref"], "GITHUB_SERVER_URL": github["server_url"],
            "GITHUB_API_URL": github["api_url"], "GITHUB_RUN_ID": github["run_id"], "GITHUB_RUN_ATTEMPT": "1",
            "GITHUB_JOB": job_id, "GITHUB_STEP_SUMMARY": str(temp / "step_summary.md"),
            "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux", "RUNNER_TOOL_CACHE": str(tools),
        })
        job_env = expr.render(job.get("env") or {})
        for i, step in enumerate(job.get("steps") or []):
            name = step.get("name") or step.get("uses") or f"step {i + 1}"
            step_env_raw = step.get("env") or {}
            ctx["env"] = {**job_env}
            if not expr.condition(step.get("if")):
                result.steps.append(StepResult(name, "skipped", 0.0))
                if step.get("id"):
                    ctx["steps"][step["id"]] = {"outcome": "skipped", "conclusion": "skipped", "outputs": {}}
                continue
            t0 = time.perf_counter()
            env = {**base_env, **{k: to_str(v) for k, v in job_env.items()},
                   **{k: to_str(v) for k, v in expr.render(step_env_raw).items()}, "PATH": os.pathsep.join(path)}
            try:
                if "uses" in step:
                    output = self._action(step["uses"], expr.render(step.get("with") or {}), env, workspace,
                                          github, tools, path)
                    outcome = "success"
                else:
                    proc = self._shell(step["run"], env, workspace, temp)
                    output = proc.stdout
                    outcome = "success" if proc.returncode == 0 else "failure"
                    if proc.returncode:
                        output += f"\nError: Process completed with exit code {proc.returncode}."
            except StepFailed as exc:
                output, outcome = str(exc), "failure"
            result.annotations += [line for line in output.splitlines() if line.startswith("::error")]
            result.steps.append(StepResult(name, outcome, time.perf_counter() - t0, output))
            if step.get("id"):
                ctx["steps"][step["id"]] = {"outcome": outcome, "outputs": {},
                                            "conclusion": "success" if step.get("continue-on-error") else outcome}
            if outcome == "failure" and not step.get("continue-on-error"):
                state["failed"] = True
                result.result = "failure"
        return result

    def _shell(self, script: str, env: dict[str, str], cwd: Path, temp: Path) -> subprocess.CompletedProcess:
        path = temp / f"step-{time.monotonic_ns()}.sh"
        path.write_text(script)
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)], cwd=cwd, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    # ------------------------------------------------------------ actions

    def _action(self, uses: str, with_: dict[str, Any], env: dict[str, str], workspace: Path,
                github: dict[str, Any], tools: Path, path: list[str]) -> str:
        action = uses.split("@", 1)[0]
        if action == "actions/checkout":
            return self._checkout(with_, workspace, github)
        if action == "actions/setup-python":
            want = to_str(with_.get("python-version"))
            have = subprocess.run([self.python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                  capture_output=True, text=True, check=True).stdout.strip()
            if not want or not (have == want or have.startswith(want + ".")):
                raise StepFailed(f"setup-python: python-version {want!r} requested; this runner has {have}")
            for alias in ("python", "python3", f"python{have}"):
                (tools / alias).symlink_to(self.python)
            return f"Python {have}: {self.python}"
        if action == "astral-sh/setup-uv":
            if self.uv is None:
                raise StepFailed("setup-uv: uv is not installed on this machine")
            for exe in ("uv", "uvx"):
                src = Path(self.uv).with_name(exe)
                if src.exists():
                    (tools / exe).symlink_to(src)
            return f"uv: {self.uv}"
        if action == "actions/upload-artifact":
            return self._upload(with_, workspace)
        if action == "actions/download-artifact":
            name = with_["name"]
            src = self.artifacts / f"{name}.zip"
            if not src.is_file():
                raise StepFailed(f"download-artifact: no artifact named {name!r}")
            dest = workspace / (with_.get("path") or ".")
            with zipfile.ZipFile(src) as zf:
                zf.extractall(dest)
            return f"downloaded {name}"
        raise WorkflowError(f"this runner does not know the action {uses!r}")

    def _checkout(self, with_: dict[str, Any], workspace: Path, github: dict[str, Any]) -> str:
        repo = with_.get("repository") or github["repository"]
        ref = with_.get("ref") or github["sha"]
        dest = workspace / with_["path"] if with_.get("path") else workspace
        if with_.get("persist-credentials", True) is not False:
            raise StepFailed("checkout: persist-credentials must be false in this project's workflows")
        src = self.server / repo
        if not src.is_dir() or (repo in self.private and with_.get("token") != self.private[repo]):
            raise StepFailed(f"checkout: repository {repo!r} not found")
        dest.mkdir(parents=True, exist_ok=True)
        git = ["git", "-c", "init.defaultBranch=main", "-c", "advice.detachedHead=false"]
        for cmd in (["init", "-q", str(dest)], ["-C", str(dest), "fetch", "-q", "--depth=1", src.as_uri(), ref],
                    ["-C", str(dest), "checkout", "-q", "--detach", "FETCH_HEAD"]):
            proc = subprocess.run([*git, *cmd], capture_output=True, text=True)
            if proc.returncode:
                raise StepFailed(f"checkout of {repo}@{ref}: {proc.stderr.strip()}")
        return f"checked out {repo}@{ref}"

    def _upload(self, with_: dict[str, Any], workspace: Path) -> str:
        name, found = with_["name"], []
        for line in str(with_["path"]).splitlines():
            line = line.strip()
            if not line:
                continue
            p = Path(line) if Path(line).is_absolute() else workspace / line
            if p.is_dir():
                found += [(f, f.relative_to(p)) for f in sorted(p.rglob("*")) if f.is_file()]
            elif p.is_file():
                found.append((p, Path(p.name)))
        if not found:
            how = with_.get("if-no-files-found", "warn")
            if how == "error":
                raise StepFailed(f"upload-artifact: no files were found with the provided path: {with_['path']}")
            return f"upload-artifact: no files for {name} ({how})"
        dest = self.artifacts / f"{name}.zip"
        if dest.exists():
            raise StepFailed(f"upload-artifact: an artifact named {name!r} already exists in this run")
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            for f, arc in found:
                zf.write(f, arc.as_posix())
        return f"uploaded {len(found)} files as {name}"


class StepFailed(Exception):
    pass


def _base_python() -> str:
    """The interpreter under this venv: a runner's Python has none of our packages installed."""
    base = Path(getattr(sys, "_base_executable", sys.executable))
    if base.parent == Path(sys.executable).parent:  # not a venv, or one created with --copies
        base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}"
    return str(base)


# ---------------------------------------------------------------- repositories


def git(repo: Path, *args: str) -> str:
    # fixed names and dates: the same files give the same commit, so a second run installs the same
    # roadmap-ci commit (uv's cache holds its built wheel, as it does on GitHub for a release tag)
    env = {**os.environ, "GIT_AUTHOR_NAME": "Learner", "GIT_AUTHOR_EMAIL": "learner@example.test",
           "GIT_COMMITTER_NAME": "Learner", "GIT_COMMITTER_EMAIL": "learner@example.test",
           "GIT_AUTHOR_DATE": "2026-12-01T08:00:00Z", "GIT_COMMITTER_DATE": "2026-12-01T08:00:00Z"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def publish_this_tree(server: Path, owner_repo: str, tag: str) -> Path:
    """This working tree (tracked and untracked files that git does not ignore) as the repository
    ``owner_repo`` on the server, committed and tagged ``tag`` -- what `git+<server>/<owner_repo>@<tag>` gets."""
    dest = server / owner_repo
    dest.mkdir(parents=True)
    files = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "-co", "--exclude-standard"], check=True,
                           capture_output=True).stdout.decode().split("\0")
    for rel in filter(None, files):
        src = ROOT / rel
        if src.is_file() and not src.is_symlink():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "release")
    git(dest, "tag", tag)
    return dest


# ---------------------------------------------------------------- the learner's first push, end to end

SHARED = ROOT / "templates" / "_shared" / "workflows"
LEARNER = "learner/churn"


@dataclass
class FirstPush:
    """What one push -> PR comment left behind: each job, and the fake GitHub it posted to."""

    evaluate: JobResult
    report: JobResult | None
    fake: Any
    head_sha: str
    seconds: dict[str, float]
    repo: Path | None = None  # the learner's repository on the server
    evidence_zip: bytes | None = None  # the evaluate run's artifact, as uploaded


def render(template: str, out: Path, **context: str) -> Path:
    from cookiecutter.main import cookiecutter

    return Path(cookiecutter(str(ROOT / "templates" / template), no_input=True, output_dir=str(out),
                             extra_context=context))


def first_push(base: Path, fake: Any, *, template: str = "tabular-classification", tag: str = "v0.1.0",
               vars: dict[str, str] | None = None, secrets: dict[str, str] | None = None,
               edit: Callable[[Path], None] | None = None) -> FirstPush:
    """Render ``template``, push it as a pull request, and run both caller workflows from their YAML files:
    the evaluate run on ``pull_request``, then the report run on that run's ``workflow_run`` event."""
    server = base / "server"
    publish_this_tree(server, "roadmap-ci/roadmap-ci", tag)
    project = render(template, base / "render")
    repo = server / LEARNER
    shutil.copytree(project, repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Start from the template")
    git(repo, "checkout", "-q", "-b", "feature")
    (edit or (lambda r: (r / "NOTES.md").write_text("First change.\n")))(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "A first change")
    head = git(repo, "rev-parse", "HEAD")
    runner = Runner(base / "runner", server=server, api_url=fake.url, token=fake.installation_token)
    seconds: dict[str, float] = {}

    fake.add_pull(LEARNER, 1, head_sha=head, head_branch="feature")
    pr_event = {"action": "synchronize", "number": 1, "repository": {"full_name": LEARNER},
                "pull_request": {"number": 1, "head": {"sha": head, "ref": "feature"}}}
    t0 = time.perf_counter()
    (evaluate,) = runner.run_caller(repo / ".github" / "workflows" / "roadmap-ci.yml", event_name="pull_request",
                                    event=pr_event, repository=LEARNER, sha=head, ref="refs/pull/1/merge",
                                    head_ref="feature", vars=vars)
    seconds["evaluate job"] = time.perf_counter() - t0
    if evaluate.result != "success":
        return FirstPush(evaluate, None, fake, head, seconds, repo)
    push = FirstPush(evaluate, None, fake, head, seconds, repo,
                     (runner.artifacts / "roadmap-ci-evidence.zip").read_bytes())
    push.report = report_run(push, runner, fake, vars=vars, secrets=secrets)
    return push


def report_run(push: FirstPush, runner: Runner, fake: Any, *, vars: dict[str, str] | None = None,
               secrets: dict[str, str] | None = None) -> JobResult:
    """The report caller on the ``workflow_run`` event of ``push``'s finished evaluate run: GitHub (``fake``) now
    holds that run and its artifact. A second call, with other settings, is the same run re-run by the mentor."""
    assert push.repo is not None and push.evidence_zip is not None, "the evaluate run did not succeed"
    t0 = time.perf_counter()
    run_id = 4242
    head = push.head_sha
    if not any(p["number"] == 1 for p in fake.pulls.get(LEARNER, [])):
        fake.add_pull(LEARNER, 1, head_sha=head, head_branch="feature")
    fake.add_workflow_run(LEARNER, run_id, head_sha=head, event="pull_request", head_branch="feature")
    fake.add_artifact(LEARNER, run_id, "roadmap-ci-evidence", push.evidence_zip, head_sha=head)
    owner = {"login": LEARNER.split("/")[0]}
    wr_event = {"action": "completed", "repository": {"full_name": LEARNER, "owner": owner},
                "workflow_run": {"id": run_id, "name": "roadmap-ci", "event": "pull_request", "status": "completed",
                                 "conclusion": push.evaluate.result, "head_sha": head, "head_branch": "feature",
                                 "pull_requests": [],
                                 "head_repository": {"full_name": LEARNER, "owner": owner}}}
    push.seconds["artifact handover"] = time.perf_counter() - t0
    main_sha = git(push.repo, "rev-parse", "main")
    t0 = time.perf_counter()
    (report,) = runner.run_caller(push.repo / ".github" / "workflows" / "roadmap-ci-report.yml",
                                  event_name="workflow_run", event=wr_event, repository=LEARNER, sha=main_sha,
                                  ref="refs/heads/main", vars=vars, secrets=secrets)
    push.seconds["report job"] = time.perf_counter() - t0
    return report
