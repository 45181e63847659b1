# RSE — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_ARGS ?=

.PHONY: run serve test test-services lint format migrate demo messages browser-deps check clean bench bench-smoke

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

## run: install, migrate, load the demo organisation, serve http://127.0.0.1:8000 with Celery worker + beat
run: $(VENV)/.installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) scripts/dev.py

## serve: the production topology on this machine (gunicorn web workers, daphne websocket node,
## Celery worker and beat) against PostgreSQL and Redis; see docs/deploy.md
serve: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rse
serve: export REDIS_URL ?= redis://127.0.0.1:6379/0
serve: $(VENV)/.installed
	$(PY) scripts/serve.py

## test: the whole suite on the embedded default (SQLite, in-memory channel layer)
test: $(VENV)/.installed-dev
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

## test-services: the suite against real PostgreSQL and Redis (DATABASE_URL / REDIS_URL)
test-services: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rse
test-services: export REDIS_URL ?= redis://127.0.0.1:6379/0
test-services: $(VENV)/.installed-dev
	$(VENV)/bin/pytest -n 2 $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: $(VENV)/.installed
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

## messages: refresh the French catalogue and compile it (needs GNU gettext)
messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=staticfiles --ignore=var --no-obsolete
	$(PY) manage.py makemessages -d djangojs -l fr --ignore=.venv --ignore=staticfiles --ignore=static/js/htmx.min.js --ignore=static/js/ext --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

## browser-deps: Debian's Chromium for the browser tests (as root)
browser-deps:
	test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

check: $(VENV)/.installed-dev
	$(PY) manage.py check
	DEBUG=0 SECRET_KEY=$$(python3 -c 'import secrets;print(secrets.token_urlsafe(60))') ALLOWED_HOSTS=rse.example.com $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var staticfiles

## bench: RSE served as in production (scripts/serve.py), measured over HTTP with wrk, side by side
## with Spirit on the same data (bench/run.py, bench/spirit.py). SIZE=small|medium|large, TOPOLOGY=wsgi|asgi|wsgi,asgi
SIZE ?= medium
TOPOLOGY ?= wsgi
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/rse_bench_$(SIZE)
bench: export REDIS_URL ?= redis://127.0.0.1:6379/14
bench: $(VENV)/.installed-dev
	$(PY) -m bench.run --size $(SIZE) --topology $(TOPOLOGY)

## bench-smoke: every scenario at the small size (CI: proves they run, no thresholds)
bench-smoke:
	$(MAKE) bench SIZE=small
