# Collab — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed
# make test spreads the suite over this many pytest-xdist workers (one per core by default; 0 runs it in-process)
TEST_WORKERS ?= auto

.PHONY: run test lint e2e bench install migrate demo clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## make run: install, migrate, load demo data, then web + Celery worker + beat together (Ctrl-C stops all)
run: demo
	@mkdir -p .run/broker .run/processed .run/results
	@echo ""
	@echo "  Collab is starting at http://127.0.0.1:$(PORT)/"
	@echo "  Demo logins (password: demo): cmo, cio, liaison, member, admin (superuser, /admin/)"
	@echo "  Reminder emails are printed here by the worker; Ctrl-C stops web, worker and beat."
	@echo ""
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

## make test: the whole suite (SQLite by default; DATABASE_URL / REDIS_URL to use Postgres / Redis), one xdist worker
## a core (TEST_WORKERS=0 for one process); the reliability tests share one worker
test: install
	COLLAB_TESTING=1 $(PY) -m pytest -m "not e2e" -q -p no:cacheprovider --durations=15 -n $(TEST_WORKERS) --dist loadgroup; rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

e2e: install
	COLLAB_TESTING=1 $(PY) -m pytest -m e2e -q -p no:cacheprovider --durations=10; rc=$$?; if [ $$rc -eq 5 ]; then rc=0; fi; exit $$rc

## make bench: company scale on Postgres (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/collab_bench):
## seed 100k snags once, then query counts, sizes, wrk load on each key page and the sweeps; bench/results.json
bench: install
	@command -v wrk >/dev/null || { echo "installing wrk (Debian)"; apt-get install -y wrk >/dev/null 2>&1 || sudo apt-get install -y wrk; }
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf .run staticfiles .pytest_cache .mypy_cache .ruff_cache
