# Two commands for a person: `make run` and `make test` (see README.md).
# Both bootstrap the same way: a .venv with the locked dependencies, compiled
# translations, applied migrations. Nothing is reinstalled when nothing changed.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MO := locale/pl/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.mo

.PHONY: run test install messages migrate demo lint format makemessages check-migrations bench

run: install messages migrate demo
	@echo ""
	@echo "  Spotkania runs on http://127.0.0.1:$(PORT)/"
	@echo "  Demo login: demo / demo (manager)   jan / jan (employee)   admin / admin (administrator)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install messages
	$(PY) -m pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.lock | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.lock
	touch $@

# Translations are compiled with Babel (a locked dependency), so a machine
# without GNU gettext can build them.
messages: $(MO)

locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po | install
	$(BIN)/pybabel compile -i $< -o $@ -l $*

migrate: install
	$(PY) manage.py migrate --noinput

demo: install
	$(PY) manage.py seed_demo --if-empty --seed 1

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

check-migrations: install
	$(PY) manage.py makemigrations --check --dry-run

# Benchmark of issue 7 (not part of `make test`): bench/README.md. SCALE=1000000 for the
# full run; PostgreSQL too when DATABASE_URL points at one (a database for the benchmark
# only: it is filled with generated data).
SCALE ?= 100000
bench: install messages
	$(PY) bench/run.py --scale $(SCALE) $(BENCH_ARGS)

# Needs GNU gettext (apt-get install gettext); only for developers changing strings.
makemessages: install
	$(PY) manage.py makemessages -l pl -l en --no-obsolete --ignore=.venv --ignore=static
