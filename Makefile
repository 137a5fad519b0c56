# Two entry points, used by the README and by CI: `make run` and `make test`.
# PYTHON: Python 3.12 (Community Cloud's default). Found on PATH, else pyenv's 3.12.1.
PYTHON ?= $(shell command -v python3.12 2>/dev/null || echo $$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python)
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test bench shots

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m streamlit run app.py

test: $(BIN)/.installed
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python scripts/benchmark.py

shots: $(BIN)/.installed
	$(BIN)/python ../shared/tools/shoot.py --out screenshots
