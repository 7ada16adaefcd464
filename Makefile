# Two commands on a fresh machine with Python 3.10+ and make:
#   make lab    set up .venv and open the notebooks in JupyterLab
#   make test   set up .venv and run every test (unit, full nbval, browser)
# Other targets: make notebooks (re-execute all notebooks in place), make bench,
#   make present (the notebooks in Voila, for class), make site (static site in _site/).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test notebooks bench present site clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@# Build matplotlib's font cache now, not inside the first notebook's output.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

# Jupyter refuses to run as root unless told; containers often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

test: $(STAMP)
	$(BIN)/python -m pytest -rs --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg tests notebooks

notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py

# Presenter mode: Voila on 127.0.0.1, prose, figures and live labs without code cells.
present: $(STAMP)
	$(BIN)/python -m tools.present

# Static course site from the committed, executed notebooks (nothing is re-executed).
site: $(STAMP)
	$(BIN)/python -m tools.site_build _site

$(VENV)/.installed-bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	touch $@

bench: $(VENV)/.installed-bench
	$(BIN)/python -m benchmarks.run --readme README.md

clean:
	rm -rf $(VENV)
