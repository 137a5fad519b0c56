# Two entry points, used by the README and by CI: `make run` and `make test`.
# PYTHON: a Python 3.12 that runs (Community Cloud's default): pyenv's 3.12.1, else python3.12 on PATH.
PYTHON ?= $(shell for p in "$$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python" python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo "$$p"; break; }; done)
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test bench shots

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@test -n "$(PYTHON)" || { echo "Python 3.12 not found: make ... PYTHON=/path/to/python3.12"; exit 1; }
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
