# Telltale: `make run` sets everything up and serves the app; `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# The first Python >= 3.12 found: python3.13, python3.12, then pyenv's installed versions.
# (pyenv shims exist even for versions that are not selected, so each candidate is run.)
find_python = for c in python3.13 python3.12 \
	  $$HOME/.pyenv/versions/3.13*/bin/python3.13 $$HOME/.pyenv/versions/3.12*/bin/python3.12 \
	  $$HOME/.pyenv/versions/3.1[4-9]*/bin/python3 python3; do \
	  if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then echo $$c; break; fi; \
	done

.PHONY: help
help:
	@echo "make run    - set up everything (venv, dependencies, database, demo content) and serve"
	@echo "make test   - lint, import contracts, migration check and the whole test suite (SQLite)"
	@echo "make bench  - all benchmarks (see bench/README.md)"
	@echo "make messages - re-extract the strings to translate and recompile the catalogues (locale/)"

$(VENV)/.created:
	@PYTHON=$$($(find_python)); \
	if [ -z "$$PYTHON" ]; then \
	  echo "Telltale needs Python 3.12 or newer (3.13 preferred) and found none."; \
	  echo "Install one, e.g. 'apt-get install python3.13' or 'pyenv install 3.13', then run make again."; \
	  exit 1; \
	fi; \
	echo "Creating $(VENV) with $$PYTHON ($$($$PYTHON --version))"; \
	$$PYTHON -m venv $(VENV)
	@touch $@

$(VENV)/.runtime: $(VENV)/.created requirements.txt
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

.PHONY: install
install: $(VENV)/.runtime

# Browser tests drive Debian's chromium; Playwright's own browser download does not work here.
.PHONY: chromium
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "Browser tests need chromium: run 'sudo apt-get install chromium'"; exit 1; \
	  fi; }

# Translators' step, not the set-up's: the compiled catalogues (locale/*/LC_MESSAGES/django.mo)
# are committed, so `make run` and CI need no gettext; tests/test_catalogues.py fails when a .mo
# no longer matches its .po or a string the code asks for is missing. This re-extracts the
# strings (GNU gettext's xgettext, installed here like chromium) and recompiles.
.PHONY: gettext
gettext:
	@command -v xgettext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing GNU gettext for makemessages"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; \
	  else \
	    echo "makemessages needs GNU gettext: run 'sudo apt-get install gettext'"; exit 1; \
	  fi; }

.PHONY: messages
messages: $(VENV)/.dev gettext
	TELLTALE_ALLOW_DEV_SECRET=1 $(PY) manage.py makemessages -l es -l zh_Hans --no-obsolete \
	  --ignore=.venv --ignore=tests --ignore=bench --ignore=var --ignore=docs
	TELLTALE_ALLOW_DEV_SECRET=1 $(PY) manage.py compilemessages --ignore=.venv

.PHONY: run
run: export DEBUG ?= 1
run: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_lessons
	$(PY) manage.py seed_demo
	@$(PY) manage.py db_worker --queue-name '*' & WORKER=$$!; \
	trap 'kill $$WORKER 2>/dev/null; wait $$WORKER 2>/dev/null' EXIT INT TERM; \
	echo "Telltale is at http://$(HOST):$(PORT)/ (worker pid $$WORKER); Ctrl-C stops both."; \
	$(PY) manage.py runserver $(HOST):$(PORT)

.PHONY: lint
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports --no-cache --no-logo || { \
	  echo "The import contracts above are broken: a lower layer imports a higher one, the detector"; \
	  echo "imports Django or media_library, or modules import each other in a cycle."; \
	  echo "The contracts are [tool.importlinter] in pyproject.toml; the layers, docs/architecture.md."; \
	  exit 1; }

.PHONY: migrations-check
migrations-check: $(VENV)/.dev
	TELLTALE_ALLOW_DEV_SECRET=1 $(PY) manage.py makemigrations --check --dry-run

# The suite alone, against whatever DATABASE_URL says (SQLite when unset).
.PHONY: test-suite
test-suite: $(VENV)/.dev chromium
	$(PY) -m pytest $(PYTEST_ARGS)

.PHONY: test
test: lint migrations-check test-suite

.PHONY: format
format: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Starts the machine's PostgreSQL cluster when nothing answers on 127.0.0.1:5432 (CI does the same).
.PHONY: postgres
postgres:
	@pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || { \
	  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting the local cluster"; \
	  pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql | head -n 1)" main start; \
	  for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }

.PHONY: bench bench-transcode bench-answer bench-campaign bench-detector bench-attempt-media bench-scale bench-languages bench-fingerprint
bench: bench-transcode bench-answer bench-campaign bench-detector bench-attempt-media bench-scale bench-languages bench-fingerprint
bench-transcode: $(VENV)/.dev
	TELLTALE_ALLOW_DEV_SECRET=1 $(PY) bench/transcode.py
bench-answer: $(VENV)/.dev postgres
	$(PY) bench/answer.py
# Needs Redis on 127.0.0.1:6379 too (database 9, flushed; BENCH_CAMPAIGN_REDIS_URL for another).
bench-campaign: $(VENV)/.dev postgres
	$(PY) bench/campaign.py
bench-detector: $(VENV)/.dev
	$(PY) bench/detector.py
bench-attempt-media: $(VENV)/.dev
	TELLTALE_ALLOW_DEV_SECRET=1 $(PY) bench/attempt_media.py
bench-languages: $(VENV)/.dev
	TELLTALE_ALLOW_DEV_SECRET=1 $(PY) bench/languages.py
bench-scale: $(VENV)/.dev postgres
	$(PY) bench/scale.py
# The library lookup by fingerprint at 100 to 10,000 clips, SQLite and PostgreSQL.
bench-fingerprint: $(VENV)/.dev postgres
	$(PY) bench/fingerprint.py

# The detector on ../shared/media/dev (research clips), held out by dataset and by method, with
# the in-sample figures beside; see bench/evaluate_dev.py. `make ship-detector-weights` also
# refits the weights committed in media_library/detector/shipped_weights.json.
.PHONY: evaluate-detector ship-detector-weights
evaluate-detector: $(VENV)/.dev
	$(PY) bench/evaluate_dev.py $(ARGS)
ship-detector-weights: $(VENV)/.dev
	$(PY) bench/evaluate_dev.py --ship $(ARGS)

# The editing score without the original, per workshop recipe; see bench/editing_blind.py.
.PHONY: bench-editing-blind
bench-editing-blind: $(VENV)/.dev
	$(PY) bench/editing_blind.py
