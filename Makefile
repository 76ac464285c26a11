# The two commands: `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test install check-tools package lint clean images

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

check-tools: install
	@$(BIN)/codearena doctor

demo: check-tools
	$(BIN)/codearena demo

test: check-tools lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# template.yaml at the root: `chalice package` plus infra/ merged, core shipped as a layer.
package: install
	$(BIN)/codearena package --layer

# The docker backend's judge image, built without a registry: a debootstrap root (cached in
# build/images) imported into the private dockerd, which is started for it when it is down.
images: install
	$(BIN)/python -m sandbox.images

lint: install
	$(BIN)/ruff check --quiet . && $(BIN)/ruff format --check --quiet .

clean:
	rm -rf build .pytest_cache
