# ichub: `make run` to use it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-postgres test-all lint bench

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_shipped_reviews
	$(PY) manage.py runserver 127.0.0.1:8000

test: install
	$(PY) -m pytest

test-postgres: install
	scripts/with_postgres.sh $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .

# Benchmarks (BENCHMARKS.md): PostgreSQL at scale 10 with the gunicorn load run,
# then SQLite at scale 1; then merge both into bench/results/latest.json.
bench: install
	mkdir -p bench/results
	scripts/with_postgres.sh $(PY) bench/run.py --scale 10
	rm -f bench/results/bench.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/bench/results/bench.sqlite3 $(PY) bench/run.py --scale 1 --skip-load
	$(PY) bench/report.py
