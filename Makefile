# The two commands: `make run` and `make test`. Everything else here is what they call.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 3
# pytest processes (pytest-xdist): the suite's 3,000 tests take about 30 minutes in one process;
# PYTEST_WORKERS=0 runs them in this process (e.g. to debug with pdb).
PYTEST_WORKERS ?= 2
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run test setup venv deps dev-deps assets keys migrate demo serve lint check-migrations pytest pytest-pg bench bench-deps bench-load bench-throughput clean

run: setup migrate demo serve

setup: deps assets keys

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(PY)

deps: $(VENV)/.deps-installed
$(VENV)/.deps-installed: requirements/base.txt | $(PY)
	$(PIP) install --quiet --require-hashes -r requirements/base.txt
	touch $@

dev-deps: $(VENV)/.dev-deps-installed
$(VENV)/.dev-deps-installed: requirements/base.txt requirements/dev.txt | $(PY)
	$(PIP) install --quiet --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $(VENV)/.deps-installed $@

assets: fpa/static/vendor/.installed fpa/static/vendor/field/sw.js
fpa/static/vendor/.installed: package.json package-lock.json scripts/vendor_assets.py
	npm ci --no-audit --no-fund --loglevel=error
	$(PYTHON) scripts/vendor_assets.py
	touch $@
# The field app's service worker (Workbox, from node_modules): rebuilt when the app changes.
FIELD_SW_SOURCES := scripts/build_field_sw.mjs fpa/field/app.py fpa/templates/field/app.html \
	$(wildcard fpa/static/fpa/field/*) locale/en/LC_MESSAGES/django.po
fpa/static/vendor/field/sw.js: fpa/static/vendor/.installed $(FIELD_SW_SOURCES)
	node scripts/build_field_sw.mjs

keys: var/secret-key var/field-keys.json var/ledger-key.pem
var/secret-key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@
var/field-keys.json: | deps var/secret-key
	$(PY) manage.py generate_field_keys
var/ledger-key.pem: | deps var/secret-key
	$(PY) manage.py generate_ledger_key

migrate: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py migrate --noinput --database jobs
	$(PY) manage.py collectstatic --noinput --verbosity 0

# The demo's ledger witness (docs/ledger.md, "Witnesses"): its key in var/demo-witness, registered
# once; `make serve` runs it beside gunicorn on DEMO_WITNESS_PORT.
DEMO_WITNESS_DIR := var/demo-witness
DEMO_WITNESS_PORT ?= 8001
demo: migrate
	$(PY) manage.py seed_demo
	@test -f $(DEMO_WITNESS_DIR)/witness-key.pem || \
		$(PY) tools/witness.py init --dir $(DEMO_WITNESS_DIR) --name demo-witness.fpa.invalid/w1 >/dev/null
	@# A checkpoint of the seeded ledger (the seed leaves only the genesis one), submitted to the
	@# witness when the worker starts; "-": an open ledger alarm must not stop the demo.
	-$(PY) manage.py sign_checkpoint
	$(PY) manage.py ledger_witness add --if-missing --label "演示见证人" \
		--key "$$($(PY) tools/witness.py vkey --dir $(DEMO_WITNESS_DIR))" \
		--url http://127.0.0.1:$(DEMO_WITNESS_PORT)/ --reason "the demo witness started by make run"

serve:
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(PY) scripts/serve.py --witness-dir $(DEMO_WITNESS_DIR) --witness-port $(DEMO_WITNESS_PORT) \
		-- config.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--timeout 30 --access-logfile - --forwarded-allow-ips 127.0.0.1

test: export DJANGO_SETTINGS_MODULE = config.settings.test
test: dev-deps assets lint check-migrations pytest

lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# Types: the whole tree (pyproject.toml: strict on fpa/core, services, selectors, rule modules).
	$(VENV)/bin/mypy fpa config

check-migrations: dev-deps
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run

pytest: dev-deps assets
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# The same suite against PostgreSQL: DATABASE_URL=postgres://... make pytest-pg
pytest-pg: dev-deps assets
	@test -n "$$DATABASE_URL" || { echo "DATABASE_URL must point at PostgreSQL"; exit 1; }
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: dev-deps
	$(PY) bench/run_bench.py

# HTTP load (bench/README.md, "Load and throughput"): locust and requests, never installed by
# `make test`. LOAD_PORT/LOAD_TIME/LOAD_USERS: a server you started (make migrate demo; gunicorn).
LOAD_PORT ?= 8107
LOAD_TIME ?= 2m
LOAD_USERS ?= 50
bench-deps: $(VENV)/.bench-deps-installed
$(VENV)/.bench-deps-installed: requirements/base.txt requirements/bench.txt | $(PY)
	$(PIP) install --quiet --require-hashes -r requirements/base.txt -r requirements/bench.txt
	touch $@
bench-load: bench-deps
	mkdir -p bench/results
	$(VENV)/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:$(LOAD_PORT) \
		--users $(LOAD_USERS) --spawn-rate 5 --run-time $(LOAD_TIME) --stop-timeout 10 \
		--csv bench/results/load --only-summary
bench-throughput: bench-deps
	$(PY) bench/throughput.py

clean:
	rm -rf $(VENV) node_modules fpa/static/vendor staticfiles
