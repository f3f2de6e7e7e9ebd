# pbportal: `make run` to try it, `make test` to check it. See README.md.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := app
SECRET_FILE := instance/.secret_key

.PHONY: run install db demo test test-sqlite test-postgres e2e-deps bench load clean

# The web server and, beside it, the worker that delivers email (stopped with the server).
run: install db demo
	@export SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_FILE))}"; \
	LOG_FORMAT=text $(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(SECRET_FILE):
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(48))" > $@
	chmod 600 $@

db: install $(SECRET_FILE)
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_FILE))}" $(BIN)/flask db upgrade

demo: db
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_FILE))}" $(BIN)/flask demo-data

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set (.ci/run sets it).
test: install e2e-deps
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/python -m pytest -n 2 -p no:cacheprovider --db=postgresql; \
	else echo "TEST_DATABASE_URL is not set: skipped the PostgreSQL run"; fi

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
e2e-deps:
	@command -v chromium >/dev/null 2>&1 || tools/install-chromium

# Every benchmark runs even if one before it fails; the target fails if any did.
bench: install
	@status=0; \
	$(BIN)/python bench/bench.py || status=1; \
	$(BIN)/python bench/bench_provider.py || status=1; \
	$(BIN)/python bench/bench_outbox.py || status=1; \
	command -v wrk >/dev/null 2>&1 || (apt-get install -y -qq wrk >/dev/null 2>&1 || echo "wrk not installed: no throughput figures"); \
	$(BIN)/python bench/bench_http.py || status=1; \
	exit $$status

# 20 simulated people for 60 s against gunicorn on PostgreSQL and Redis, one worker killed half-way (bench/load.py).
load: install
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .pytest_cache
