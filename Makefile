# Two commands for a newcomer: `make run` and `make test`. Everything else is set up on demand.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: run test unit bench package lint browser clean

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Debian's Chromium for the end-to-end tests (never `playwright install`: it downloads a browser).
browser:
	@test -x $(CHROMIUM) || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# The state is kept in .local/state/ between runs; `make run FRESH=1` starts over with demo data.
run: $(INSTALLED)
	$(PY) -m local $(if $(FRESH),--fresh)

test: $(INSTALLED) browser
	$(PY) -m pytest

unit: $(INSTALLED)
	$(PY) -m pytest tests/unit tests/api tests/events tests/integration

bench: $(INSTALLED)
	$(PY) -m bench

package: $(INSTALLED)  # WEB_ORIGIN=https://help.example.com make package
	$(PY) -m local.package

clean:
	rm -rf build .pytest_cache bench/results.json  # not .local/: the local stack's saved state
