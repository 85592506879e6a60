# Haven: the two commands of the README, and the ones maintainers use.
#   make run   – set up, validate and build the index, serve http://127.0.0.1:8000
#   make test  – set up, then lint, type check and the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test lint check build validate bench bench-quick soak clean

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

var/haven.db: $(STAMP) $(wildcard data/*.yaml data/local/*.yaml) search/index.py search/index_schema.py search/documents.py  # a new index format: rebuilt
	$(BIN)/haven build

build: $(STAMP)
	$(BIN)/haven build

validate: $(STAMP)
	$(BIN)/haven validate

run: var/haven.db
	$(BIN)/haven serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: $(STAMP) node_modules/.installed lint
	$(BIN)/haven validate
	$(BIN)/pytest

# 1M resources only when asked (its build is long): $(BIN)/python -m bench.search_bench --sizes 1000000
# The HTTP benchmark needs wrk (apt-get install wrk).
bench: $(STAMP) var/haven.db
	$(BIN)/python -m bench.search_bench --sizes 0,1000,10000,100000 --rounds 3
	$(BIN)/python -m bench.http_bench --size 100000 --duration 10
	$(BIN)/python -m bench.query_cost --rounds 5

bench-quick: $(STAMP)
	$(BIN)/python -m bench.search_bench --sizes 0,1000,10000 --rounds 1 --out bench/results/search-quick.json
	$(BIN)/python -m bench.http_bench --size 0 --duration 2 --start-tries 1 --out bench/results/http-quick.json

# The long form of tests/hardening: 10 minutes of load, many more generated examples.
soak: $(STAMP) node_modules/.installed
	HAVEN_SOAK=1 $(BIN)/pytest tests/hardening

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
