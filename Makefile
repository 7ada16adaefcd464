# Two commands on a fresh machine with Python 3.10+ and make:
#   make lab    set up .venv and open the notebooks in JupyterLab
#   make test   set up .venv and run every test (unit, full nbval, browser)
# Other targets: make notebooks (re-execute all notebooks in place), make bench,
#   make present (the notebooks in Voila, for class), make site (static site in _site/),
#   make classload N=20 (N students on a test JupyterHub; see benchmarks/classload.py).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: lab test notebooks bench classload present site clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,class]"
	@# Build matplotlib's font cache now, not inside the first notebook's output.
	$(BIN)/python -c "import matplotlib.pyplot"
	touch $(STAMP)

# configurable-http-proxy (the hub's proxy) from the npm registry, into the venv. Version 4
# runs on the Node.js 18 of Debian 12 as well as on newer ones.
CHP := $(VENV)/node/node_modules/.bin/configurable-http-proxy
$(CHP):
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js and npm" \
	    "(apt-get install -y nodejs npm)"; exit 1; }
	npm install --prefix $(VENV)/node --no-audit --no-fund --loglevel=error \
	    configurable-http-proxy@4

# Jupyter refuses to run as root unless told; containers often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(STAMP)
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

# Two workers, one test file (or notebook) each at a time: a notebook's cells share a
# kernel and a browser suite its server, so a file never splits.
test: $(STAMP) $(CHP)
	$(BIN)/python -m pytest -rs --durations=25 -n 2 --dist loadfile --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg tests notebooks

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

bench: $(VENV)/.installed-bench $(CHP)
	$(BIN)/python -m benchmarks.run --readme README.md --classload 1 5 20 40

N ?= 5
classload: $(STAMP) $(CHP)
	$(BIN)/python -m benchmarks.classload --students $(N)

clean:
	rm -rf $(VENV)
