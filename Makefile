# The README's two commands. Each sets up .venv from nothing (torch pinned by constraints.txt).
VENV := .venv
PY := $(VENV)/bin/python
# This machine keeps the torch CPU wheel in /opt/wheels; elsewhere pip uses the index.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels)

.PHONY: setup run test bench docs

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet $(FIND_LINKS) -c constraints.txt -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

run: setup
	$(PY) -m foldloop.examples.digits

# pytest on two worker processes (pytest-xdist), one per core of the machine it is sized for:
# about 4.5 minutes there, against about 8 in one process.
test: setup
	HYPOTHESIS_PROFILE=ci $(PY) -m pytest -q -n 2
	$(PY) -m mypy
	$(VENV)/bin/ruff check src tests benchmarks tools
	$(MAKE) docs

# The documentation site (mkdocs.yml) into site/; --strict turns every warning (a broken link, a
# page missing from the nav, a docstring griffe cannot read) into a failure.
docs: setup
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

bench: setup
	$(PY) benchmarks/bench.py
