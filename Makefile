# The two commands of the README. Each sets up .venv from nothing (torch pinned by constraints.txt).
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup run test bench

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -m foldloop.examples.quickstart

test: setup
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest -q
	$(PY) -m mypy
	$(VENV)/bin/ruff check src tests
