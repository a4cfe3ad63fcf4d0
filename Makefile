# The whole set-up on a fresh machine: `make run` and `make test`.
# Besides Python 3.11 the machine needs Pango for WeasyPrint (Debian: libpango-1.0-0
# libpangoft2-1.0-0) and, for the browser tests, Chromium (Debian: chromium).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# pytest processes for `make test` (pytest-xdist): one per core; 0 runs in this process.
PYTEST_WORKERS ?= auto
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint format install install-dev migrate demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Development server, Celery worker and Celery beat together (honcho); Ctrl-C stops
# all three. With no DATABASE_URL/REDIS_URL: SQLite and the filesystem broker in var/.
run: export DEBUG ?= 1
run: export PORT := $(PORT)
# honcho gives the worker and beat PORT+100 and PORT+200: the address in emails and PDFs
# is fixed here, once, for all three.
run: export SITE_URL ?= http://localhost:$(PORT)
run: $(VENV)/.installed
	mkdir -p var
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py make_signing_key
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  AUP Portal is starting at http://localhost:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo "  Emails (sign-in codes, invitations, PDFs) are kept at http://localhost:$(PORT)/dev/outbox/ unless EMAIL_URL is set"
	@echo ""
	$(BIN)/honcho -f Procfile.dev start

test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
