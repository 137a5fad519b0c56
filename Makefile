# Two entry points, used by the README and by CI: `make run` and `make test`.
# PYTHON: a Python 3.12 that runs (Community Cloud's default): pyenv's 3.12.1, else python3.12 on PATH.
PYTHON ?= $(shell for p in "$$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python" python3.12; do \
	"$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo "$$p"; break; }; done)
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test bench shots load load-replicas replicas

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

# Load test (README, "A class at once"): 30 visitors x 5 min, three phases, memory targets checked.
# Shorter: make load LOAD_ARGS="--sessions 10 --minutes 1 --phases 1".
LOAD_ARGS ?=
REPLICAS ?= 2
load: $(BIN)/.installed
	$(BIN)/python scripts/load_test.py $(LOAD_ARGS)

# The same through nginx in front of REPLICAS app processes (needs Debian's nginx: apt-get install nginx).
load-replicas: $(BIN)/.installed
	$(BIN)/python scripts/load_test.py --replicas $(REPLICAS) $(LOAD_ARGS)

# REPLICAS app processes behind nginx on http://127.0.0.1:8500 until Ctrl-C.
replicas: $(BIN)/.installed
	$(BIN)/python deploy/replicas.py --replicas $(REPLICAS)

shots: $(BIN)/.installed
	$(BIN)/python ../shared/tools/shoot.py --out screenshots
