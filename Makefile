# Rapport: one target per habit. `make run` and `make test` set up everything they need on a
# fresh machine (venv, PostgreSQL, Redis, database); see config/devenv/.
#
#   make run                      web + worker + beat on http://localhost:8000/ (PORT=8001 make run)
#   make test                     lint, types, migrations check, then the whole test suite
#   make test PYTEST_ARGS='-x -k deals'
#   make bench [BENCH='signup']   benchmarks under bench/
#   make vendor                   re-download the pinned front-end packages into static/vendor/

.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
VENV_PYTHON := $(VENV)/bin/python
# Touched after each successful install; older than pyproject.toml means "install again".
INSTALLED := $(VENV)/.installed
DEVENV := $(VENV_PYTHON) -m config.devenv
PYTEST_ARGS ?=
BENCH ?=

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_NO_INPUT := 1

.PHONY: help venv run test lint format bench vendor icons messages services

help:
	@echo "make run       set up and run Rapport (web, worker, beat) on http://localhost:8000/"
	@echo "make test      set up and run lint, type checks, migrations check and the tests"
	@echo "               (PYTEST_ARGS='-x -k name' passes arguments to pytest)"
	@echo "make lint      ruff check, ruff format --check, mypy"
	@echo "make format    ruff check --fix, ruff format"
	@echo "make bench     run bench/*.py (BENCH='name other' for some)"
	@echo "make vendor    download the pinned front-end packages into static/vendor/"
	@echo "make icons     rebuild the icon font subset after using a new ti-* icon"
	@echo "make messages  extract new strings into locale/ (then translate them) and compile"
	@echo "make services  start or find PostgreSQL and Redis and print their URLs"
	@echo "make venv      create .venv and install the project with its dev extra"

venv: $(INSTALLED)

$(VENV_PYTHON):
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(VENV_PYTHON)
	$(VENV_PYTHON) -m pip install -e '.[dev]'
	touch $(INSTALLED)

run: venv
	$(DEVENV) run

test: venv
	$(DEVENV) test $(PYTEST_ARGS)

lint: venv
	$(VENV_PYTHON) -m ruff check .
	$(VENV_PYTHON) -m ruff format --check .
	$(VENV_PYTHON) -m mypy .
	$(VENV)/bin/lint-imports

format: venv
	$(VENV_PYTHON) -m ruff check --fix .
	$(VENV_PYTHON) -m ruff format .

bench: venv
	$(DEVENV) bench $(BENCH)

vendor: venv
	$(DEVENV) vendor
	$(DEVENV) icons

icons: venv
	$(DEVENV) icons

messages: venv
	$(DEVENV) messages

services: venv
	$(DEVENV) services
