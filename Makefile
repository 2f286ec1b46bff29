# The few verbs a newcomer needs. `make run` and `make test` set everything up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app tracker
PORT ?= 5000
STAMP := $(VENV)/.installed

# Each step prints one line; what the tools print goes to $(LOG), shown on failure.
LOG := instance/make.log
step = @echo "· $(1)"; { $(2); } >>$(LOG) 2>&1 || { tail -n 40 $(LOG); \
  echo "make: \"$(1)\" failed; the whole output is in $(LOG)"; exit 1; }

.PHONY: run test install translations messages migrate demo serve bench load clean

$(STAMP): setup.cfg
	@mkdir -p instance && : > $(LOG)
	$(call step,installing into $(VENV) (a few minutes the first time),\
	  $(PYTHON) -m venv $(VENV) && \
	  $(PY) -m pip install --upgrade pip && \
	  $(PY) -m pip install -e ".[test]")
	@touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(call step,compiling the translations,\
	  $(VENV)/bin/pybabel compile --statistics -d translations)

# Refresh the catalogs after changing user-facing text; then translate translations/vi.
messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 --no-location \
	  --sort-by-file -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -l vi \
	  --no-fuzzy-matching --ignore-obsolete

migrate: install
	$(call step,migrating the database,$(FLASK) db upgrade)

demo: migrate
	$(call step,loading the demo data into an empty database,$(FLASK) demo)
	@tail -n 1 $(LOG) | sed 's/^/  /'

run: demo
	@echo "· serving on http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)"
	@$(FLASK) run --host 127.0.0.1 --port $(PORT)

# Production-style serving: gunicorn (gunicorn.conf.py: 2 workers per CPU + 1) on the
# configured database (TRACKER_DATABASE_URL, else instance/tracker.sqlite), migrated
# first. `make serve BIND=0.0.0.0:8000` to listen elsewhere; put a proxy in front.
BIND ?= 127.0.0.1:8000
serve: migrate
	TRACKER_BIND=$(BIND) $(VENV)/bin/gunicorn -c gunicorn.conf.py wsgi:app

# Page times, statements, memory and throughput at a district's and a province's size,
# on SQLite and (when TEST_DATABASE_URL names one) PostgreSQL; writes bench/RESULTS.md.
# BENCH_ARGS="--quick" for a short run, "--presets district,province,national" for all.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

# The suite runs on SQLite and, when TEST_DATABASE_URL names a PostgreSQL database, on
# it too, at the same time: one process per engine, each on one of the machine's cores.
# The PostgreSQL run's output follows the SQLite run's; either failing fails the target.
# The browser tests (tests/browser, marked `browser`) serve the app on a SQLite
# database of their own whatever TEST_DATABASE_URL says, so they run in the first only.
test: install
	@pg=""; if [ -n "$$TEST_DATABASE_URL" ]; then \
	  pg="$$(mktemp -d)"; \
	  ( $(PY) -m pytest -m "not browser" -p no:cacheprovider --basetemp="$$pg/tmp" \
	      $(PYTEST_ARGS) >"$$pg/log" 2>&1; echo $$? >"$$pg/rc" ) & \
	fi; \
	env -u TEST_DATABASE_URL $(PY) -m pytest $(PYTEST_ARGS); sqlite=$$?; \
	if [ -z "$$pg" ]; then exit $$sqlite; fi; \
	wait; \
	echo "== on $$TEST_DATABASE_URL, without the browser tests (run alongside) =="; \
	cat "$$pg/log"; postgres=$$(cat "$$pg/rc"); rm -rf "$$pg"; \
	[ "$$sqlite" -eq 0 ] && [ "$$postgres" -eq 0 ]

# Concurrent progress reports under gunicorn on SQLite, and on PostgreSQL when
# LOAD_DATABASE_URL (or TEST_DATABASE_URL) names one -- that database is WIPED.
# LOAD_ARGS="--clients 16 --updates 50" changes the load.
load: install
	$(PY) bench/load.py $(LOAD_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info
