# Two commands on a fresh machine:
#   make chat   — set up .venv and start the staff console on the bundled knowledge base
#   make test   — set up .venv and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: chat test validate eval bench setup clean

$(BIN)/policybot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/policybot

setup: $(BIN)/policybot

chat: setup
	$(BIN)/policybot chat

test: setup
	$(BIN)/policybot validate
	$(BIN)/python -m pytest

validate: setup
	$(BIN)/policybot validate

eval: setup
	$(BIN)/policybot eval

bench: setup
	$(BIN)/policybot bench

clean:
	rm -rf $(VENV) .pytest_cache
