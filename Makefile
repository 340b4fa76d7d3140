# Entry points for people and CI. Only Python 3.11 and pip are assumed: uv itself is installed into
# .tools, and the project venv (.venv) is made by `uv sync --locked` from uv.lock.

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
# Re-sync only when the lock or the project metadata changed since the last sync.
STAMP := $(VENV)/.gongkai-synced

.PHONY: install system-packages demo test test-slow fuzz lint check dev clean-venv

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(STAMP): uv.lock pyproject.toml | $(UV)
	UV_COMPILE_BYTECODE=1 $(UV) sync --locked
	touch $@

demo: install
	$(VENV)/bin/gongkai run --inbox data/samples --warehouse data/warehouse.duckdb

test: install
	$(VENV)/bin/pytest -m "not slow" -q

# End-to-end kill test, 100k-report benchmarks, longer fuzzing (~5 min); CI runs them too.
test-slow: install
	$(VENV)/bin/pytest -m slow -q -s

# Explore with fresh seeds (CI's fuzzing is derandomized); FUZZ_SCALE multiplies the examples.
FUZZ_SCALE ?= 3
fuzz: install
	GONGKAI_FUZZ_EXPLORE=1 GONGKAI_FUZZ_SCALE=$(FUZZ_SCALE) $(VENV)/bin/pytest -m slow -q tests/test_fuzz.py

# Chromium, a CJK font and LibreOffice Writer (Debian packages; needs root).
system-packages:
	bash scripts/install-system-packages.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/sqlfluff lint sql/ --disable-progress-bar
	$(VENV)/bin/python scripts/lint_rule_sql.py
	$(VENV)/bin/mypy

check: lint test

# The Dagster UI and daemon (schedule, sensor) on the project's definitions; state in .dagster_home.
# Stopped as a whole within seconds by SIGTERM or Ctrl-C (pipelines/orchestration/dev.py).
dev: install
	mkdir -p .dagster_home
	DAGSTER_HOME=$(CURDIR)/.dagster_home exec $(VENV)/bin/python -m pipelines.orchestration.dev

clean-venv:
	rm -rf $(VENV) $(TOOLS)
