# The way in: `make report` and `make test` set everything up from a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup report test lab bench clean sample

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[spark,lab,test]"
	touch $(STAMP)

report: $(STAMP)
	$(BIN)/perfmodel report --period latest --data data/sample --policy efficiency

test: $(STAMP)
	$(BIN)/python -m pytest -q

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	for f in benchmarks/bench_*.py; do $(BIN)/python $$f || exit 1; done

sample: $(STAMP)
	$(BIN)/perfmodel synth --out data/sample --seed 20261 --supervisors 30 --start 2024Q4 --end 2026Q3 --force

clean:
	rm -rf $(VENV) .pytest_cache
