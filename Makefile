# Two entry points: `make run` (install + start the app), `make test` (install + run the tests).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test,hf]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/textlatent

test: $(STAMP)
	$(PY) -m ruff check textlatent tui tests
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check textlatent tui tests

clean:
	rm -rf $(VENV) build dist *.egg-info
