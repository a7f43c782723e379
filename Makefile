# The two commands of the README: `make run` and `make test`. Both set up .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run table test lint bench validate screenshot clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "sla_sim needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[app,report,dask,test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.port 8501 --server.headless true

table: $(STAMP)
	$(BIN)/sla-sim run scenarios/baseline.toml scenarios/growth.toml scenarios/speed_to_lead.toml scenarios/threshold.toml --replications 20 --seed 7

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check app.py sla_sim tests benchmarks scripts
	$(BIN)/ruff format --check app.py sla_sim tests benchmarks scripts
	$(BIN)/mypy sla_sim app.py
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

screenshot: $(STAMP)
	SLA_SIM_SCREENSHOT=1 SLA_SIM_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q tests/app/test_e2e.py

validate: $(STAMP)
	$(BIN)/python scripts/validate.py --readme README.md

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
