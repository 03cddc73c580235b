# On a fresh machine:
#   make chat   — set up .venv and start the staff console on the bundled knowledge base
#   make test   — set up .venv and run the whole test suite
#   make serve  — set up .venv and start the web chat (http://127.0.0.1:8080/) and, with
#                 POLICYBOT_STAFF_PASSWORD set, the staff console (/staff/)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: chat serve test validate eval bench setup clean

$(BIN)/policybot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(BIN)/policybot

# compiled once here: an editable install leaves the project's own modules uncompiled, and where
# PYTHONDONTWRITEBYTECODE is set (as on these machines) every start would compile them again (~0.15 s)
setup: $(BIN)/policybot
	@$(BIN)/python -m compileall -q bot >/dev/null

chat: setup
	$(BIN)/policybot chat

serve: setup
	$(BIN)/policybot serve

# Quiet when all is well: one line from the validator (the full report with the coverage table only when
# it finds a problem), then pytest's dots and the reason for every skipped test (-rs).
test: setup
	@$(BIN)/policybot validate --quiet >/dev/null 2>&1 || { $(BIN)/policybot validate; exit 1; }
	@echo "知识库检查通过（policybot validate 查看完整报告和覆盖表）"
	$(BIN)/python -m pytest -rs

validate: setup
	$(BIN)/policybot validate

eval: setup
	$(BIN)/policybot eval

bench: setup
	$(BIN)/policybot bench

clean:
	rm -rf $(VENV) .pytest_cache
