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

.PHONY: install run serve test test-live test-e2e chromium node nginx lint format bench translations clean

install: $(VENV)/.installed $(COMPILED)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The compiled catalogs are committed (a deploy that never runs make still serves French); this rebuilds one
# whose .po is newer. The output is deterministic, so an up-to-date .mo is rewritten with the same bytes.
app/translations/%/LC_MESSAGES/messages.mo: app/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d app/translations -l $* 2>&1 | tail -1

# Development server on SQLite (instance/concerto.db), demo seeded, logins printed.
run: install
	$(FLASK) db upgrade
	$(FLASK) seed-demo --logins-file instance/demo-logins.txt
	@echo "Demo logins (also in instance/demo-logins.txt):"; sed 's/^/  /' instance/demo-logins.txt
	@echo "Concerto: http://$(HOST):$(PORT)"
	PUBLIC_URL=$${PUBLIC_URL:-http://$(HOST):$(PORT)} $(FLASK) run --host $(HOST) --port $(PORT)

# Production-style serving: gunicorn against DATABASE_URL (migrations are a deploy step).
serve: install
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL must be set (e.g. postgresql+psycopg://...)"; exit 2; }
	CONCERTO_CONFIG=production $(FLASK) db upgrade
	CONCERTO_CONFIG=production $(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# The whole suite on SQLite, the database tests again on TEST_DATABASE_URL when it is set, then the live tier
# (tests/live: the real app under gunicorn, driven over HTTP) on SQLite and again on PostgreSQL, then the browser
# journeys (Playwright driving Debian's Chromium). Node.js runs the JavaScript condition evaluator's tests and
# Chromium the browser tests: both are installed first, since in CI (CI=true) a skipped test fails the run
# unless tests/allowed_skips.py lists its reason.
# Two workers (pytest-xdist), one per core; each has its own database. The live tier runs in one process: it starts
# its own servers and runs the commands in parallel itself.
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n 2
PYTEST_LIVE := $(BIN)/pytest -q -p no:cacheprovider -n 0 tests/live

test: install chromium node
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

# Debian's Node.js for tests/unit/test_conditions_js.py (app/static/js/conditions.js against the Python evaluator).
node:
	@command -v node >/dev/null || { \
		echo "Installing Debian's nodejs package for the JavaScript tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs >/dev/null \
			|| echo "Could not install nodejs: the JavaScript tests will be skipped (they fail in CI)"; \
	}

# Debian's nginx for the scale-out benchmark (bench/bench_scaleout.py: two app servers behind one local proxy).
nginx:
	@command -v nginx >/dev/null || test -x /usr/sbin/nginx || { \
		echo "Installing Debian's nginx package for the scale-out benchmark"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx >/dev/null \
			|| echo "Could not install nginx: the scale-out benchmark will be skipped"; \
	}

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install nginx
	$(BIN)/python -m bench $(BENCH)

# Refresh the catalogs after changing visible strings; then fill in the French and run it again (it compiles
# the .mo files, which are committed with the .po: tests/unit/test_catalogs.py fails when they differ).
translations: install
	$(BIN)/pybabel extract --no-wrap --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 -o app/translations/messages.pot .
	$(BIN)/pybabel update --no-wrap --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations
	$(BIN)/pybabel compile --statistics -d app/translations 2>&1 | tail -1

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name __pycache__ -prune -exec rm -rf {} +
