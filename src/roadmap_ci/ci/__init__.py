"""`roadmap-ci ci-report`: the privileged half of the two-stage GitHub Actions evaluation.

Runs in the ``report`` reusable workflow (``workflow_run``), which holds a token that can write comments,
statuses and check runs, so it trusts nothing the learner's job produced:

1. the event (``GITHUB_EVENT_PATH``) says which run finished, for which commit, branch and head repo;
2. the artifact of that run is downloaded as a zip (or given with ``--artifact``) and validated entry by
   entry (no ``..``, no absolute paths, no symlinks, bounded sizes and counts) before anything is
   extracted into the work directory; ``evidence.json`` must be schema-valid;
3. the target is found through the API, never taken from the artifact: for a pull request, the open PR
   whose head is ``head_owner:head_branch`` *and* whose head SHA is still the run's SHA (a moved head --
   a force-push -- means this run is stale: nothing is posted); for a push, the commit itself;
4. the rubric is the mentor's, named by the workflow (a bundled id or a path in a mentor-controlled
   checkout) and pinned by ``version:`` -- a different version refuses to score;
5. ``evidence.hidden`` is recomputed from the learner's predictions and the hidden labels
   (:mod:`roadmap_ci.score.hidden`); whatever the learner's job claimed there is discarded, and so are its
   claims about the commit, repo and deliverable;
6. score, write every report to disk (``--workdir``/out), then publish through
   :mod:`roadmap_ci.publish`: the job summary; for a pull request the one PR comment (found again by its
   marker and edited), a commit status and a check run; for a push a commit status and a check run, no
   comment. Just before posting the PR's head SHA is checked once more.

Every read (pulls, artifacts, runs, statuses) and every write goes through github3.py's session and the
publish module's retry policy (:class:`roadmap_ci.publish.retry.Retrying`): ``Retry-After`` /
``x-ratelimit-reset`` on 403/429, backoff on 5xx and timeouts, bounded tries; a permission 403 fails at once.

One module per job: :mod:`.event` (the ``workflow_run`` payload), :mod:`.reader` (the GET requests, with the
publish retries), :mod:`.artifact` (download, validation, extraction, :func:`~.artifact.load_bundle`),
:mod:`.target` (the PR or commit to post to), :mod:`.quota` (the daily-limit ledger), :mod:`.publisher` (the
default :class:`~.step.Publisher`: the ``summary`` and ``github`` sinks) and :mod:`.step` (the whole step,
:func:`~.step.ci_report`).

See ``docs/security.md`` for the threat model.
"""
