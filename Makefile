# Everything runs from ./.venv, created on first use; only Python 3.11+ and make are needed.

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PACKAGES := models schema resolvers services workers server
PYTEST_ARGS ?=

.PHONY: run test bench lint schema graphiql-assets

run: $(VENV)/.installed
	$(VENV)/bin/crm-backup serve

test: $(VENV)/.installed-test
	$(PY) -m pytest --db sqlite $(PYTEST_ARGS)
	$(PY) -m pytest --db postgres $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) -m bench

# Style, formatting, types (the packages, the tests, the benchmark and tools/) and the import layers.
lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(PACKAGES) tests bench tools
	$(VENV)/bin/lint-imports

schema: $(VENV)/.installed
	$(PY) -m schema.export

$(PY):
	@$(PYTHON3) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "crm-backup needs Python 3.11 or later (set PYTHON3=...)" >&2; exit 1; }
	$(PYTHON3) -m venv $(VENV)

# Stamps: the install is redone only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

# GraphiQL's browser files, from the npm registry at pinned versions and integrities (needs npm);
# the result in server/admin/graphiql/vendor/ is committed.
graphiql-assets:
	$(PYTHON3) tools/graphiql_assets.py
