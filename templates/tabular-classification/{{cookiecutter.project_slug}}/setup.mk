# How this project installs itself: `make setup` (and the evaluator, `make evaluate`). Included by the Makefile,
# which sets what differs per project before the include: EXTRAS (the optional dependencies `make setup`
# installs) and, for a project on PyTorch, TORCH_VERSION. The same file in every roadmap-ci template.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
EXTRAS ?= dev
# uv: the one on PATH (CI's setup-uv step puts one there), else the one `make setup` puts into .venv
UV     := $(or $(shell command -v uv 2>/dev/null),$(BIN)/uv)
# PyTorch, when TORCH_VERSION is set: the CPU build, from PyTorch's index as an extra one when it answers (else
# the default index), installed before the project so nothing pulls a multi-GB CUDA build.
TORCH_INDEX   ?= https://download.pytorch.org/whl/cpu
# is the index answering within 5 s (DNS included)? pip and uv would retry an unreachable one for minutes.
# uv does not read pip's configuration: the wheel folders pip is told of (PIP_FIND_LINKS, pip.conf's find-links:
# an offline mirror, a CI cache) are handed to it.
export PROBE := import sys, threading, urllib.request as u; threading.excepthook = lambda a: None; ok = []; \
  t = threading.Thread(target=lambda: ok.append(u.urlopen(sys.argv[1], timeout=5).status), daemon=True); \
  t.start(); t.join(5); sys.exit(0 if ok == [200] else 1)
# The evaluator is not a dependency of this project (CI installs it at the workflow's ref); `make evaluate`
# installs it into .venv the first time. A mentor's fork: make evaluate ROADMAP_CI='roadmap-ci[collect] @ git+https://github.com/<owner>/roadmap-ci@<ref>'
ROADMAP_CI ?= roadmap-ci[collect] @ git+https://github.com/roadmap-ci/roadmap-ci@v0.1.0

.PHONY: setup evaluate

setup:
	test -x $(BIN)/python || if test -x '$(UV)'; then '$(UV)' venv --quiet --seed --python $(PYTHON) $(VENV); \
	else $(PYTHON) -m venv $(VENV); fi
	test -x '$(UV)' || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv
ifneq ($(TORCH_VERSION),)
	@if $(BIN)/python -c "$$PROBE" '$(TORCH_INDEX)/torch/'; then extra='--extra-index-url $(TORCH_INDEX)'; \
	else echo 'PyTorch CPU index unreachable: torch from the default index'; extra=''; fi; \
	links=$${PIP_FIND_LINKS:-$$($(BIN)/python -m pip config get global.find-links 2>/dev/null || true)}; \
	set -x; UV_HTTP_TIMEOUT=10 UV_HTTP_RETRIES=1 $(UV) pip install --quiet --python $(BIN)/python $$extra \
		$$(for l in $$links; do printf -- '--find-links %s ' "$$l"; done) torch==$(TORCH_VERSION)
endif
	$(UV) pip install --python $(BIN)/python -e '.[$(EXTRAS)]'

evaluate: $(BIN)/roadmap-ci
	PATH=$(BIN):$$PATH $(BIN)/roadmap-ci evaluate

$(BIN)/roadmap-ci:
	@test -x $(BIN)/python || { echo 'no .venv yet: run make setup first' >&2; exit 2; }
	$(UV) pip install --python $(BIN)/python '$(ROADMAP_CI)' || { echo "could not install $(ROADMAP_CI) \
	(offline, or that release out of reach?): name a copy you have, make evaluate \
	ROADMAP_CI='roadmap-ci[collect] @ file:///path/to/roadmap-ci' (README: Install the evaluator)" >&2; exit 2; }
