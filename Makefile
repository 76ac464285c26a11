# The two commands: `make demo` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The web app's tooling (ESLint), from package-lock.json: npm ci writes this file last.
NODE_STAMP := node_modules/.package-lock.json

.PHONY: demo test install check-tools system-packages package lint clean images app-image localstack bench-dolos web

# The Debian packages a target needs (the one list: codearena_cli/system_packages.py),
# installed first when missing (as root, with apt-get), else named with the apt-get line.
# Each target passes its name down to this step; it runs with the system python3, before .venv.
SYSTEM_PACKAGES_FOR := install
demo: SYSTEM_PACKAGES_FOR := demo
test: SYSTEM_PACKAGES_FOR := test
lint: SYSTEM_PACKAGES_FOR := lint
images: SYSTEM_PACKAGES_FOR := images
app-image: SYSTEM_PACKAGES_FOR := images
system-packages:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is missing: apt-get install python3" >&2; exit 1; }
	@$(PYTHON) -I codearena_cli/system_packages.py $(SYSTEM_PACKAGES_FOR)

$(STAMP): pyproject.toml | system-packages
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# ESLint, esbuild and CodeMirror into node_modules/ (git-ignored), when missing or when the lock
# file changed. web/ is served as it is: its one built part, web/vendor/codemirror/, is committed.
$(NODE_STAMP): package.json package-lock.json | system-packages
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The editor: CodeMirror 6 bundled by esbuild into web/vendor/codemirror/ (tools/codemirror/),
# from the versions package-lock.json pins; the same lock file gives the same bytes, which
# `make lint` checks against the committed copy.
web: $(NODE_STAMP)
	node tools/codemirror/build.mjs

check-tools: install
	@$(BIN)/codearena doctor

demo: check-tools
	$(BIN)/codearena demo

# The docker backend's tests start the private dockerd themselves when it is down (and stop
# it); its image and the gateway / judge host image are built here first, outside the tests'
# time limits (each a no-op when current). pytest-xdist runs the tests in TEST_WORKERS
# processes, each test handed to the next free one; each worker has Redis keys, databases
# and sandbox resources of its own (tests/__init__.py), as another session on the machine
# has. On 2 cores the run is CPU-bound (vmstat: no idle time): 4 workers took 596 s, 6 took
# 754 s and failed two timing tests (the same commit, other sessions loading it alike).
TEST_WORKERS ?= 4
test: check-tools lint images app-image
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# template.yaml at the root: `chalice package` plus infra/ merged, core shipped as a layer.
package: install
	$(BIN)/codearena package --layer

# The docker backend's judge image, built without a registry: a debootstrap root (cached in
# build/images) imported into the private dockerd, which is started for it when it is down.
images: install
	$(BIN)/python -m sandbox.images

# The gateway / judge host image (infra/docker/Dockerfile) on a base made like the judge
# image above (debootstrap, no registry), built by the private dockerd with no network; a
# no-op when the Dockerfile, pyproject.toml and the sources are what the image was built from.
app-image: install
	$(BIN)/python infra/docker/build.py

# The local cloud: LocalStack + PostgreSQL, Redis, the gateway, judge hosts, and CodeArena's
# functions deployed into LocalStack (README: "Local cloud (LocalStack)"). Needs Docker with
# its compose plugin and internet (Docker Hub): it cannot run on machines without them.
COMPOSE := docker compose -f localstack-compose.yml
localstack:
	@command -v docker >/dev/null && docker compose version >/dev/null 2>&1 || { \
	  echo "make localstack needs Docker with its compose plugin (\`docker compose\`: Docker's" \
	       "docker-compose-plugin package) and internet (images from Docker Hub)" >&2; exit 1; }
	$(COMPOSE) up -d --build
	$(COMPOSE) logs --follow localstack-deploy
	@test "$$(docker inspect -f '{{.State.ExitCode}}' $$($(COMPOSE) ps -aq localstack-deploy))" = 0 || { \
	  echo "the deploy into LocalStack failed (above); \`$(COMPOSE) ps -a\` shows what runs" >&2; exit 1; }
	@echo "up: the web app and API on http://127.0.0.1:8000, LocalStack on http://127.0.0.1:4566;" \
	      "\`$(COMPOSE) down\` stops it (add -v to drop its data)"

# ruff, then mypy --strict on the core, the judge host and the sandbox ([tool.mypy]), then the
# import contracts ([tool.importlinter]; chalicelib is found in functions/), then ESLint on the
# web app and its tests (eslint.config.js), then that web/vendor/codemirror/ is what `make web`
# builds: silent when clean.
lint: install $(NODE_STAMP)
	$(BIN)/ruff check --quiet . && $(BIN)/ruff format --check --quiet .
	@$(BIN)/mypy --no-error-summary || { echo "mypy --strict found the errors above" >&2; exit 1; }
	@out=$$(PYTHONPATH=functions $(BIN)/lint-imports --no-logo --no-cache 2>&1) || { echo "$$out" >&2; exit 1; }
	node_modules/.bin/eslint --max-warnings 0 web/js tests/web tools/codemirror eslint.config.js
	node tools/codemirror/build.mjs --check

clean:
	rm -rf build .pytest_cache

# Dolos, bench/similarity.py's peer from npm, into bench/dolos/node_modules (git-ignored) from
# its lock file; its tree-sitter parsers are compiled by the rebuild (a few minutes). The bench
# says so and measures the others where this has not run.
bench-dolos: system-packages
	npm ci --prefix bench/dolos --no-audit --no-fund --loglevel=error
	npm rebuild --prefix bench/dolos --foreground-scripts --loglevel=error
