# The two commands of the README: `make run` and `make test`. Everything else is their set-up.
VENV := .venv
PYTHON := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: run test setup translations messages lock clean

run: setup
	$(PYTHON) scripts/dev.py run

test: setup
	$(PYTHON) scripts/dev.py test

setup: $(VENV)/.installed node_modules/.installed translations

$(VENV)/.installed: requirements-dev.lock
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet --requirement requirements-dev.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Compiled with Babel so that no system gettext is needed.
translations: $(VENV)/.installed
	$(VENV)/bin/pybabel compile --domain django --directory locale --statistics

# For developers changing strings (needs GNU gettext): refresh locale/*/django.po.
messages:
	$(PYTHON) manage.py makemessages --locale de --ignore '.venv/*' --ignore 'node_modules/*' --ignore 'var/*' --ignore 'tests/*' --no-obsolete

# Re-pin the Python dependencies after changing pyproject.toml.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --python-version 3.11 --quiet --output-file requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.11 --quiet --output-file requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules staticfiles
