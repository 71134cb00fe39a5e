# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make app    installs everything into .venv and starts the planner on Leicestershire
#   make test   installs everything (incl. Debian chromium for browser tests), lints (ruff), type-checks (mypy)
#               and runs the whole suite
#   make lint   ruff + mypy only
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
PORT ?= 8501
# 127.0.0.1: the single-user app, for this machine only. A shared server (ADDRESS=0.0.0.0) needs ZONEPLAN_USERS
# or OIDC sign-in, otherwise its editing pages refuse: see README "Shared deployment"
ADDRESS ?= 127.0.0.1

$(BIN)/zoneplan: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test,postgres]"   # postgres: psycopg, for the PostgreSQL store tests
	touch $(BIN)/zoneplan

install: $(BIN)/zoneplan

app: install
	$(BIN)/zoneplan units leicestershire --progress > /dev/null
	$(BIN)/zoneplan travel leicestershire > /dev/null
	$(BIN)/streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true

system-deps:
	bash .ci/system-deps

lint: install
	$(BIN)/ruff check geodata travel zones pages
	$(BIN)/mypy

test: install system-deps lint
	$(BIN)/python -m pytest tests -n 2; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 1; fi; exit $$rc

.PHONY: install app lint test system-deps
