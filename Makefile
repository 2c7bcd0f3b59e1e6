# ichub: `make run` to use it, `make test` to test it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run test test-postgres suite lint bench bench-screening bench-screening-tuning serve backup restore loadtest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_shipped_reviews
	@# The task worker runs beside the server and stops with it (Ctrl+C).
	$(PY) manage.py worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

# The suite runs on two workers (pytest-xdist, one per core, each with its own
# test database), except the schemathesis tests: xdist silently drops the tests
# schemathesis generates, so those run after, in one process.
SCHEMATHESIS_TESTS := tests/api/test_schemathesis.py tests/security/test_schemathesis_editor.py

test: install
	$(MAKE) --no-print-directory suite

test-postgres: install
	scripts/with_postgres.sh $(MAKE) --no-print-directory suite

suite:
	$(PY) -m pytest -n 2 --dist loadfile $(addprefix --ignore=,$(SCHEMATHESIS_TESTS))
	$(PY) -m pytest $(SCHEMATHESIS_TESTS)

# ruff, and no model change without its migration.
lint: install
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

# Production-like: gunicorn + whitenoise, debug off (scripts/serve.sh says which variables).
serve: install
	scripts/serve.sh

# make backup [FILE=...]: pg_dump -Fc on PostgreSQL, SQLite's online backup otherwise.
BACKUP_FILE ?= backups/ichub-$(shell date -u +%Y%m%dT%H%M%SZ).$(if $(findstring postgres,$(DATABASE_URL)),dump,sqlite3)
backup: install
	$(PY) scripts/backup.py backup $(or $(FILE),$(BACKUP_FILE))

# make restore FILE=backups/...: pg_restore / SQLite backup into DATABASE_URL's database.
restore: install
	@test -n "$(FILE)" || { echo "make restore FILE=path/to/backup"; exit 2; }
	$(PY) scripts/backup.py restore $(FILE)

# 50 users for 60 s against `make serve` on a throwaway PostgreSQL, then reconcile.
loadtest: install
	scripts/with_postgres.sh loadtest/run.sh $(or $(USERS),50) $(or $(DURATION),60)

# Scale-out on one machine (BENCHMARKS.md): PostgreSQL, Redis, two gunicorn app servers,
# one RQ worker; a bounded mixed load across both servers, then reconcile the database.
scaletest: install
	scripts/with_redis.sh scripts/with_postgres.sh scripts/scaletest.sh

# Benchmarks (BENCHMARKS.md): PostgreSQL at scale 10 with the gunicorn + wrk load run,
# then SQLite at scale 1; then merge both into bench/results/latest.json.
bench: install
	mkdir -p bench/results
	@# the load run's client (scenario 6): wrk, from Debian, if the machine lacks it
	command -v wrk >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	scripts/with_postgres.sh $(PY) bench/run.py --scale 10
	rm -f bench/results/bench.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/bench/results/bench.sqlite3 $(PY) bench/run.py --scale 1 --skip-load
	$(PY) bench/report.py
	$(MAKE) --no-print-directory bench-screening

# Screening prioritisation against ASReview LAB's default model (BENCHMARKS.md): both
# tools on the labelled datasets of bench/datasets/README.md, same priors and seeds. ASReview lives in its own virtualenv,
# outside the repository, installed from PyPI the first time (SEEDS=1,2,3 for a quicker run).
ASREVIEW_VENV ?= $(HOME)/.cache/ichub-bench/asreview-venv
ASREVIEW_VERSION := 3.0.8
SEEDS ?= 1,2,3,4,5
bench-screening: install
	test -x $(ASREVIEW_VENV)/bin/python || { $(PYTHON) -m venv $(ASREVIEW_VENV) && \
	  $(ASREVIEW_VENV)/bin/pip install --quiet asreview==$(ASREVIEW_VERSION); }
	mkdir -p bench/results
	$(PY) bench/screening.py --asreview $(ASREVIEW_VENV)/bin/python --seeds $(SEEDS)

# The tuning grid behind ichub's screening model (BENCHMARKS.md, rounds 1-4, and why the defaults
# are ASReview's ELAS u4): settings replayed on labelled datasets the benchmark does not evaluate
# on (bench/datasets/README.md: shared/screening-tuning-datasets/). Rounds 3 and 4 used 3 seeds.
TUNING_SEEDS ?= 1,2,3
bench-screening-tuning: install
	mkdir -p bench/results
	$(PY) bench/screening_tuning.py --seeds $(TUNING_SEEDS)
