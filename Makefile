# Concerto — the two commands of the README are `make run` and `make test`; each does its own set-up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
CATALOGS := $(wildcard app/translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)
HOST ?= 127.0.0.1
PORT ?= 5000

CHROMIUM := /usr/bin/chromium

.PHONY: install run serve test test-live test-e2e chromium lint format bench translations clean

install: $(VENV)/.installed $(COMPILED)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d app/translations -l $* 2>&1 | tail -1

# Development server on SQLite (instance/concerto.db), demo seeded, logins printed.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --logins-file instance/demo-logins.txt
	@echo "Demo logins (also in instance/demo-logins.txt):"; sed 's/^/  /' instance/demo-logins.txt
	@echo "Concerto: http://$(HOST):$(PORT)"
	$(FLASK) run --host $(HOST) --port $(PORT)

# Production-style serving: gunicorn against DATABASE_URL (migrations are a deploy step).
serve: install
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL must be set (e.g. postgresql+psycopg://...)"; exit 2; }
	CONCERTO_CONFIG=production $(FLASK) db upgrade
	CONCERTO_CONFIG=production $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# The whole suite on SQLite, the database tests again on TEST_DATABASE_URL when it is set, then the live tier
# (tests/live: the real app under gunicorn, driven over HTTP) on SQLite and again on PostgreSQL, then the browser
# journeys (Playwright driving Debian's Chromium).
# Two workers (pytest-xdist), one per core; each has its own database. The live tier runs in one process: it starts
# its own servers and runs the commands in parallel itself.
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n 2
PYTEST_LIVE := $(BIN)/pytest -q -p no:cacheprovider -n 0 tests/live

test: install
	env -u TEST_DATABASE_URL $(PYTEST) --ignore=tests/e2e --ignore=tests/live
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on $${TEST_DATABASE_URL%%@*}@… (database tests)"; \
		$(PYTEST) tests --ignore=tests/unit --ignore=tests/e2e --ignore=tests/live; \
	fi
	$(MAKE) --no-print-directory test-live
	$(MAKE) --no-print-directory test-e2e

test-live: install
	@echo "== live tier on SQLite (gunicorn, production configuration)"
	env -u TEST_DATABASE_URL $(PYTEST_LIVE)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== live tier on $${TEST_DATABASE_URL%%@*}@… (a database created for the run)"; \
		$(PYTEST_LIVE); \
	fi

test-e2e: install chromium
	env -u TEST_DATABASE_URL $(BIN)/pytest -q -p no:cacheprovider tests/e2e

# Debian's Chromium for the browser tests (never a browser downloaded by a test tool).
chromium:
	@test -x $(CHROMIUM) || { \
		echo "Installing Debian's chromium package for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null \
			|| echo "Could not install chromium: browser tests will be skipped (they fail in CI)"; \
	}

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	$(BIN)/python -m bench $(BENCH)

# Refresh the catalogs after changing visible strings; then fill in the French.
translations: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
	rm -f $(COMPILED)
