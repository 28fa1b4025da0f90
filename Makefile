# Southwark Children's Services CMS. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
# The PostgreSQL the suite also runs on (trust auth on this machine and in CI).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST := $(BIN)/pytest -p no:cacheprovider
# The production suite's Node clients (Apollo Client, urql), installed with npm ci.
CLIENTS := tests/production/clients
# axe-core for the accessibility tests (tests/test_accessibility.py), installed with npm ci.
AXE := tests/accessibility
# graphql-http's audits of the GraphQL-over-HTTP specification (tests/test_graphql_over_http.py
# and the production suite's), installed with npm ci.
AUDITS := tests/graphql_http
# The OpenID provider the sign-in tests start (panva's certified oidc-provider, tests/test_signin_*.py),
# installed with npm ci.
OIDC_PROVIDER := tests/oidc_provider
# pip-audit asks PyPI's JSON API about each pinned release; this one tells whether it can.
AUDIT_PROBE := https://pypi.org/pypi/django/$(shell sed -n 's/^django==\([^ ]*\).*/\1/p' requirements.lock)/json
UPGRADE_PACKAGES := $(foreach pin,$(UPGRADE),--upgrade-package '$(pin)')

.PHONY: help install install-dev chromium libreoffice production-tools nginx varnish node-clients node-axe node-audits node-oidc run production test test-sqlite test-postgres test-production audit lint format schema expected lock bench bench-clean soak

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# Running the CMS needs the production lock only; the tests and lint add the dev lock.
$(BIN)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

$(BIN)/.installed-dev: $(BIN)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

install: $(BIN)/.installed ## Create .venv and install what running the CMS needs (requirements.lock)

install-dev: $(BIN)/.installed-dev chromium libreoffice node-axe node-audits node-oidc ## Add the test and lint tools (requirements-dev.lock), Chromium, LibreOffice, axe-core, graphql-http and oidc-provider

# The browser tests (tests/test_browser_admin.py) drive the system's Chromium. Without it
# they are skipped, except under CI, where they fail.
chromium: ## Install Chromium for the browser tests if missing (as root; otherwise say how)
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else \
		echo "Chromium is missing: install it (sudo apt-get install chromium) or the browser tests are skipped (under CI they fail)."; \
	fi

# The Word import's tests (tests/test_word_import.py) also read documents LibreOffice saved
# as .docx, converting ones they write with its Writer. Without it those tests are skipped,
# except under CI, where they fail.
libreoffice: ## Install LibreOffice Writer for the Word import's tests if missing (as root; otherwise say how)
	@if command -v soffice >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui >/dev/null; \
	else \
		echo "LibreOffice is missing: install it (sudo apt-get install libreoffice-writer-nogui) or the Word import's LibreOffice tests are skipped (under CI they fail)."; \
	fi

# The production suite (tests/production/) runs Debian's nginx in front of the app servers
# and front-end clients on Node. Installed quietly when missing; as root (CI is).
production-tools: nginx varnish node-clients ## Install what the production suite needs: nginx, the Node clients

varnish: ## Install Varnish with varnish-modules' xkey if missing (as root; RUNLEVEL=1: no service)
	@if command -v varnishd >/dev/null 2>&1 && ls /usr/lib/*/varnish/vmods/libvmod_xkey.so >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq varnish varnish-modules >/dev/null; \
	else \
		echo "Varnish is missing: install it (sudo apt-get install varnish varnish-modules) or tests/test_varnish.py is skipped (under CI it fails)."; \
	fi

nginx: ## Install nginx if missing (as root; RUNLEVEL=1 so Debian does not start its service)
	@if command -v nginx >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update -qq && RUNLEVEL=1 DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; \
	else \
		echo "nginx is missing: install it (sudo apt-get install nginx) or the production suite is skipped (under CI it fails)."; \
	fi

node-clients: $(CLIENTS)/node_modules/.installed

# The accessibility tests inject axe-core, pinned in $(AXE)/package-lock.json, into each page.
node-axe: $(AXE)/node_modules/.installed

# The specification's audits run against the live server and the production deployment.
node-audits: $(AUDITS)/node_modules/.installed

# The sign-in tests run a real OpenID provider, pinned in $(OIDC_PROVIDER)/package-lock.json.
node-oidc: $(OIDC_PROVIDER)/node_modules/.installed

# A folder's Node packages, as its lockfile pins them (npm from Debian if missing).
%/node_modules/.installed: %/package.json %/package-lock.json
	@command -v npm >/dev/null 2>&1 || { [ "$$(id -u)" -eq 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; }
	cd $* && npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: install ## Migrate, load the Southwark content, create a dev admin, serve on :8000 with a task worker
	$(MANAGE) migrate --noinput
	$(MANAGE) load_southwark_content
	$(MANAGE) ensure_dev_admin
	@echo "Admin: http://127.0.0.1:8000/admin/  GraphQL: http://127.0.0.1:8000/graphql/  GraphiQL: http://127.0.0.1:8000/graphiql/"
# The task worker (webhooks, Wagtail's background jobs) runs beside runserver and stops with it.
	$(MANAGE) db_worker --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	$(MANAGE) runserver 127.0.0.1:8000

production: install ## Run the deployment here from the environment (.env.example): release, then web, worker, scheduler
	$(BIN)/python -m deploy.local

test: install-dev production-tools lint audit ## Checks, lint, audit, then the suite on SQLite and PostgreSQL and the production suite (side by side)
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) makemigrations --check --dry-run
	@mkdir -p test-artifacts
	@echo "The suite on SQLite here; on PostgreSQL and the production suite alongside (their logs follow)."
	@$(MAKE) --no-print-directory test-postgres > test-artifacts/postgres.log 2>&1 & postgres=$$!; \
	$(MAKE) --no-print-directory test-production > test-artifacts/production.log 2>&1 & production=$$!; \
	$(MAKE) --no-print-directory test-sqlite; sqlite_status=$$?; \
	wait $$postgres; postgres_status=$$?; \
	wait $$production; production_status=$$?; \
	echo "----- the suite on PostgreSQL -----"; cat test-artifacts/postgres.log; \
	echo "----- the production suite (its processes' logs: test-artifacts/production/) -----"; \
	cat test-artifacts/production.log; \
	test $$sqlite_status -eq 0 -a $$postgres_status -eq 0 -a $$production_status -eq 0

# Coverage is measured on this pass alone (not the PostgreSQL or production passes beside
# it, which it would slow): below [tool.coverage.report] fail_under (pyproject.toml) it fails.
test-sqlite: install-dev ## The suite on SQLite, with the coverage gate (pyproject.toml's fail_under)
	env -u DATABASE_URL $(PYTEST) --cov --ignore=tests/production

test-postgres: install-dev ## The suite on PostgreSQL (TEST_DATABASE_URL); skipped off CI if none answers
	@if $(BIN)/python -c "import psycopg, sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$(TEST_DATABASE_URL)" 2>/dev/null; then \
		DATABASE_URL="$(TEST_DATABASE_URL)" $(PYTEST) --ignore=tests/production; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL is not answering at $(TEST_DATABASE_URL): under CI that is a failure." >&2; exit 1; \
	else \
		echo "PostgreSQL is not answering at $(TEST_DATABASE_URL): ran the suite on SQLite only."; \
	fi

test-production: install-dev production-tools ## The production suite: nginx, two app servers, worker, S3 (moto), Node clients, Chromium
	env -u DATABASE_URL TEST_DATABASE_URL="$(TEST_DATABASE_URL)" $(PYTEST) tests/production

# Where PyPI's JSON API does not answer (no network, or a mirror without it), pip-audit
# could only report every package "not found": the audit is then said not to have run,
# never passed, and tools/patch_releases.py lists the pins with a newer patch release
# (security fixes mostly come as one) from pip's index; under CI a production one fails.
# AUDIT_REQUIRED=1 makes the audit not running a failure too.
audit: install-dev ## pip-audit the production lock against PyPI's advisories; without them, list newer patches
	@failure=$$($(BIN)/python -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=15)" \
		"$(AUDIT_PROBE)" 2>&1 | tail -n 1); \
	if [ -z "$$failure" ]; then \
		$(BIN)/pip-audit --strict --require-hashes --disable-pip --progress-spinner off -r requirements.lock; \
	else \
		echo "pip-audit NOT RUN: PyPI's vulnerability data cannot be had from here ($(AUDIT_PROBE): $$failure)."; \
		$(BIN)/python tools/patch_releases.py; listing=$$?; \
		test $$listing -eq 0 -a -z "$(AUDIT_REQUIRED)"; \
	fi

lint: install-dev ## ruff format --check and ruff check
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: install-dev ## Format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: install-dev ## Export schema.graphql (review the diff: it is the API contract)
	DJANGO_SETTINGS_MODULE=cms.settings.test $(MANAGE) graphql_schema --out schema.graphql

expected: install-dev ## Rewrite docs/queries/*.json from the current responses (review the diff)
	env -u DATABASE_URL UPDATE_EXPECTED=1 $(PYTEST) tests/test_graphql_contract.py -q

bench: install-dev ## Load-test gunicorn with wrk on cached datasets, print one table (BENCH_ARGS=--help)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

soak: install-dev ## 60 s of concurrent readers on gunicorn while pages are published (SOAK_ARGS=--help)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

bench-clean: install-dev ## Drop the benchmark's databases and bench/.data/
	$(BIN)/python bench/run.py --clean

# pip-compile keeps each pin a lock already has while it still fits: UPGRADE="name==version ..."
# moves those (a dependency's dependencies too; tools/patch_releases.py prints the list).
lock: ## Re-resolve pyproject.toml's pins into the hashed locks: requirements.lock (production), requirements-dev.lock (+ tests, lint)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip pip-tools==7.6.2
	.lock-venv/bin/python -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
		open('.lock-venv/runtime.in', 'w').write('\n'.join(p['dependencies']) + '\n'); \
		open('.lock-venv/dev.in', 'w').write('-c ../requirements.lock\n-r runtime.in\n' + '\n'.join(p['optional-dependencies']['dev']) + '\n')"
	.lock-venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-header \
		$(UPGRADE_PACKAGES) --output-file requirements.lock .lock-venv/runtime.in
	.lock-venv/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-header \
		$(UPGRADE_PACKAGES) --output-file requirements-dev.lock .lock-venv/dev.in
	rm -rf .lock-venv
