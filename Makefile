# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make app    installs everything into .venv and starts the planner on Leicestershire
#   make test   installs everything (incl. Debian chromium for browser tests), lints (ruff), type-checks (mypy)
#               and runs the whole suite
#   make lint   ruff + mypy only
#   make stress runs the suite 5 times in a row under CPU contention and logs pass/fail and wall time per run
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8501
# 127.0.0.1: the single-user app, for this machine only. A shared server (ADDRESS=0.0.0.0) needs ZONEPLAN_USERS
# or OIDC sign-in, otherwise its editing pages refuse: see README "Shared deployment"
ADDRESS ?= 127.0.0.1

# constraints.txt pins every package to the versions last run green (a new upstream release cannot break a clean
# install); pip itself is not pinned
$(BIN)/zoneplan: pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e ".[test,postgres]"   # postgres: psycopg, for the PostgreSQL store tests
	touch $(BIN)/zoneplan

install: $(BIN)/zoneplan

app: install
	$(BIN)/zoneplan units leicestershire --progress > /dev/null
	$(BIN)/zoneplan travel leicestershire > /dev/null
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true

# after a deliberate upgrade (pip install -U ... in .venv) and a green `make test`: record the versions
lock:
	{ sed -n '1,3p' constraints.txt; $(BIN)/pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

system-deps:
	bash .ci/system-deps

# axe-core for the accessibility browser tests (tests/browser/test_axe.py), pinned in package-lock.json
node_modules/axe-core/axe.min.js: package.json package-lock.json
	command -v npm >/dev/null || (apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends npm >/dev/null)
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

js-deps: node_modules/axe-core/axe.min.js

lint: install
	$(BIN)/ruff check geodata travel zones pages app.py tests bench
	$(BIN)/ruff format --check geodata travel zones pages app.py tests bench
	$(BIN)/mypy

test: install system-deps js-deps lint
	$(BIN)/python -m pytest tests -n 2; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

# Stress check (issue 22): the suite RUNS times in a row under `stress-ng --cpu 2` (apt-get install stress-ng; else
# Python busy loops), pass/fail and wall time per run logged under artifacts/stress/.
# E.g. make stress RUNS=3 TARGETS="tests/browser tests/security"
RUNS ?= 5
TARGETS ?= tests
stress: install system-deps
	PYTHON=$(BIN)/python bash bench/stress_suite.sh $(RUNS) $(TARGETS)

.PHONY: install app lint test system-deps js-deps stress lock
