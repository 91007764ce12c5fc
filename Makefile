# Two entry points, each installing what it needs first:
#   make demo   a training-free search on real CIFAR-10 images
#   make test   the test suite
# torch is installed first from its pinned CPU wheel, so pip never resolves a CUDA build.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SHARED ?= ../shared/data
DATA_ROOT ?= $(SHARED)/cifar-10-batches-py
BENCHMARK ?= $(SHARED)/nasbench201_accuracies.csv
RESULTS ?= results

.PHONY: install demo lint test benchmarks clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml src/naswot/_bits.c
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test,ray]"
	touch $@

demo: install
	@mkdir -p $(RESULTS)
	$(BIN)/naswot search --space nasbench201 --score naswot --n 100 --seed 0 \
		--data cifar10 --data-root $(DATA_ROOT) --batch-size 128 \
		$(if $(wildcard $(BENCHMARK)),--benchmark $(BENCHMARK) --dataset cifar10) \
		--store $(RESULTS)/naswot.db --json $(RESULTS)/demo-search.json --csv $(RESULTS)/demo-search.csv
	$(BIN)/naswot report $(RESULTS) --out $(RESULTS)/report.html

lint: install
	$(BIN)/python -m ruff check src tests benchmarks

test: install
	$(BIN)/python -m pytest

benchmarks: install
	$(BIN)/python -m benchmarks.correlation
	$(BIN)/python -m benchmarks.speed
	$(BIN)/python -m benchmarks.search
	$(BIN)/python -m benchmarks.proxies
	$(BIN)/python -m benchmarks.spaces
	$(BIN)/python -m benchmarks.llo
	$(BIN)/python -m benchmarks.throughput
	$(BIN)/python -m benchmarks.sweep --store benchmarks/results/sweep.db
	$(BIN)/python -m benchmarks.sweep --dedupe --store benchmarks/results/sweep-dedupe.db

clean:
	rm -rf $(VENV) .pytest_cache $(RESULTS)
