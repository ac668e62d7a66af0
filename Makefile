# The two commands of the README: `make run` and `make test`. Everything else is their plumbing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test install install-test packages runtime-packages translations benchmark clean

# The portal and its worker (mail, periodic jobs) together; Ctrl-C stops both. `flask run` reads
# FLASK_RUN_HOST and FLASK_RUN_PORT, and so does cyclades/config.py: the links of the mails (the
# demo data's included) point at this server unless CYCLADES_BASE_URL says otherwise.
run: export FLASK_RUN_HOST = $(HOST)
run: export FLASK_RUN_PORT = $(PORT)
run: install runtime-packages
	$(FLASK) init-db
	$(FLASK) demo-data
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# The production set-up on this machine: gunicorn's gevent workers (gunicorn.conf.py) and the
# worker, on the environment's CYCLADES_* settings (README, « Running it for real »).
serve: install runtime-packages
	$(FLASK) init-db
	@$(FLASK) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn -c gunicorn.conf.py app:app

# The whole suite on each database, one run after the other: SQLite (a file per test), then
# PostgreSQL (a throw-away server the tests start and stop: tests/postgres.py). Both run even
# when the first fails. `make test TEST_DATABASES=sqlite` for one of them.
TEST_DATABASES ?= sqlite postgresql
test: install-test packages
	@status=0; for engine in $(TEST_DATABASES); do \
	  echo "CYCLADES_TEST_DATABASE=$$engine $(BIN)/python -m pytest $(PYTEST_ARGS)"; \
	  CYCLADES_TEST_DATABASE=$$engine $(BIN)/python -m pytest $(PYTEST_ARGS) || status=1; \
	done; exit $$status

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

# Debian's Pango for the PDFs; and for the tests chromium, redis-server and postgresql
# (installed with apt-get when we are root).
packages:
	@sh scripts/ensure-packages.sh tests

runtime-packages:
	@sh scripts/ensure-packages.sh

# Extract the French source strings, update the English catalogue, compile it.
translations: install-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ --ignore-dirs '.* __pycache__' --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d translations --statistics

benchmark: install-test
	$(BIN)/python benchmarks/page_weight.py
	$(BIN)/python benchmarks/first_paint.py
	$(BIN)/python benchmarks/confirmation_pdf.py
	$(BIN)/python benchmarks/upload.py
	$(BIN)/python benchmarks/hostile_files.py
	$(BIN)/python benchmarks/enumeration.py
	$(BIN)/python benchmarks/request_costs.py
	$(BIN)/python benchmarks/backoffice.py
	$(BIN)/python benchmarks/deadline_day.py

clean:
	rm -rf $(VENV) .pytest_cache
