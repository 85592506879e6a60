# Haven: the two commands of the README, and the ones maintainers use.
#   make run       – set up the runtime (requirements.lock only: no test tools), validate and build
#                    the index, serve http://127.0.0.1:8000
#   make test      – set up the runtime and the development tools (requirements-dev.lock), then
#                    lint, type check and the whole test suite. Its steps on 2026-12-05 at 07:27 UTC
#                    (load about 1, nothing else running): lint 0.5 s (mypy's cache warm; 10.5 s
#                    cold), validate 1 s, search and service 86 s, browser, hardening and
#                    benchmarks in two processes 304 s, the timing tests alone 57 s: 7 min 41 s in
#                    all (9 min 8 s of CPU). From a fresh clone, as CI runs it (`.ci/run`, with
#                    the installs): 8 min 24 s at 08:02 UTC the same day.
#   make test-fast – the search and service tests only (no browser, no hardening, no lint), on two
#                    cores (pytest-xdist -n 2): 75 s wall and 138 s of CPU for 1,152 tests on
#                    2026-12-05 (load 1.4), 83 s at load 2 and 100 s once on a slow hour of the
#                    shared host, from 93 s and 172 s that morning. The slowest are the
#                    CLI's (a build, an audit, a validate each) and every resource page and card
#                    in both languages (test_pages, test_one_wording).
# Each lock is installed once; its stamp in .venv/ is renewed only when the lock or pyproject.toml
# changes. Both are made with uv (the command is in each file's first lines); requirements-dev.lock
# is compiled with requirements.lock as constraints, so the tests run the versions production runs.
PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
STAMP   := $(VENV)/.installed
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: run test test-fast lint check build validate bench bench-quick soak lighthouse clean

# What `haven serve`, `haven build` and the other commands need, and nothing else.
$(RUNTIME): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

# The development tools on top: pytest (and pytest-xdist), ruff, mypy, Playwright, schemathesis, Datasette (benchmarks).
$(STAMP): $(RUNTIME) requirements-dev.lock
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

var/haven.db: $(RUNTIME) $(wildcard data/*.yaml data/local/*.yaml) search/index.py search/index_schema.py search/documents.py  # a new index format: rebuilt
	$(BIN)/haven build

build: $(RUNTIME)
	$(BIN)/haven build

validate: $(RUNTIME)
	$(BIN)/haven validate

run: var/haven.db
	$(BIN)/haven serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The search and service tests in two processes (pytest-xdist), as test-fast; then the browser,
# hardening and benchmark tests in two processes, a file to each (their module-wide servers start
# once), except those marked `timing`: the timing oracle, the load test and the HTTP benchmark
# measure time or fill both cores, so they run last, alone. Together they are every test under
# tests/ (tests/search/test_layout.py checks that each directory is named here).
test: $(STAMP) node_modules/.installed lint
	$(BIN)/haven validate
	$(BIN)/pytest tests/search tests/service -n 2
	$(BIN)/pytest tests/browser tests/hardening tests/bench -n 2 --dist loadfile -m "not timing"
	$(BIN)/pytest tests/browser tests/hardening tests/bench -m timing

# While working on search/ or service/: no browser, no hardening, no lint (`make lint` does that).
test-fast: $(STAMP)
	$(BIN)/pytest tests/search tests/service -q -n 2

# 1M resources only when asked (its build is long): $(BIN)/python -m bench.search_bench --sizes 1000000
# The HTTP benchmark needs wrk (apt-get install wrk).
bench: $(STAMP) var/haven.db
	$(BIN)/python -m bench.search_bench --sizes 0,1000,10000,100000 --rounds 3
	$(BIN)/python -m bench.http_bench --size 100000 --duration 10
	$(BIN)/python -m bench.query_cost --rounds 5

bench-quick: $(STAMP)
	$(BIN)/python -m bench.search_bench --sizes 0,1000,10000 --rounds 1 --out bench/results/search-quick.json
	$(BIN)/python -m bench.http_bench --size 0 --duration 2 --start-tries 1 --out bench/results/http-quick.json

# Lighthouse's mobile scores of / and a resource page (about 35 s; Debian's chromium, nothing
# leaves 127.0.0.1). Not part of `make test`: figures in BENCHMARKS.md.
lighthouse: $(STAMP) node_modules/.installed var/haven.db
	$(BIN)/python -m bench.lighthouse

# The long form of tests/hardening: 10 minutes of load, many more generated examples (so past the
# five-minute timeout of pyproject.toml).
soak: $(STAMP) node_modules/.installed
	HAVEN_SOAK=1 $(BIN)/pytest tests/hardening --timeout 3600

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
