# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
# The functions' Lambda runtime is the Python that `chalice package` runs under: python3.13. pyenv
# keeps a version it has not selected off the PATH (its shim answers "command not found"), so its
# versions directory is looked in first, then the PATH. PYTHON=/path/to/python3.13 names another.
PYTHON ?= $(firstword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13) $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null) python3.13)
VENV := .venv
BIN := $(VENV)/bin
# One stamp per interpreter: another PYTHON makes the virtual environment again.
STAMP := $(VENV)/.installed-$(notdir $(PYTHON))
# Packaging and the tests import app.py without AWS: a region, and no instance-metadata lookups.
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_EC2_METADATA_DISABLED := true

.PHONY: run demo-app feed test check format unit web integration e2e browser chromium screenshot package publish-web bench clean api-docs api-reference web-deps web-build web-client

# Test workers per layer (pytest-xdist): one per core, at most 4; WORKERS=0 runs in one process.
WORKERS ?= auto
XDIST := -n $(WORKERS) --maxprocesses 4
PYTEST := TZ=UTC $(BIN)/python -m pytest

# Creates the virtual environment and installs the pinned dependencies when they change.
$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 13)' 2>/dev/null || { \
	  echo "needs Python 3.13 (the functions' Lambda runtime, python3.13): 'pyenv install 3.13', your system's python3.13 package, or make PYTHON=/path/to/python3.13"; exit 1; }
	@# A virtual environment made by another Python is made again (its bytecode and wheels are that version's).
	@if test -x $(BIN)/python && ! cmp -s <($(BIN)/python -c 'import sys; print(sys.version_info[:2])') <($(PYTHON) -c 'import sys; print(sys.version_info[:2])'); then \
	  echo "== $(VENV)/ was made with another Python: made again with $(PYTHON) =="; rm -rf $(VENV); fi
	@echo "== Installing the pinned dependencies into $(VENV)/ (first time: a minute or two) =="
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	# pip upgraded only as far as chalice allows (it declares pip<26.3; an unbounded upgrade broke that).
	$(BIN)/python -m pip install --upgrade "pip<26.3"
	$(BIN)/python -m pip install -r requirements-dev.txt
	touch $(STAMP)
	@echo "== Dependencies installed =="

# Swagger UI for /v1/docs: a pinned npm package (tools/api-docs/package-lock.json), copied beside
# the route that serves it; rebuilt when the lock changes. Scripts of npm packages are not run.
API_DOCS_UI := chalicelib/apidocs/static/swagger-ui-bundle.js
$(API_DOCS_UI): tools/api-docs/package-lock.json
	@command -v npm >/dev/null || { echo "needs Node 20 and npm"; exit 1; }
	cd tools/api-docs && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	mkdir -p chalicelib/apidocs/static
	cp tools/api-docs/node_modules/swagger-ui-dist/swagger-ui-bundle.js tools/api-docs/node_modules/swagger-ui-dist/swagger-ui.css chalicelib/apidocs/static/
	touch $(API_DOCS_UI)

api-docs: $(API_DOCS_UI)

# The web portal (web/): its npm packages, pinned by web/package-lock.json, installed when the lock
# changes. None of them needs its install scripts, so none is run.
WEB_STAMP := web/node_modules/.installed
$(WEB_STAMP): web/package-lock.json
	@command -v npm >/dev/null || { echo "needs Node 20 and npm"; exit 1; }
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(WEB_STAMP)

web-deps: $(WEB_STAMP)

# The built web portal that `make run` serves at http://127.0.0.1:8000/; rebuilt when a source,
# the configuration or the installed packages change.
WEB_SOURCES := $(shell find web/src -type f 2>/dev/null) web/index.html web/vite.config.ts web/tsconfig.json
WEB_BUILD := web/dist/index.html
$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd web && node_modules/.bin/vite build --logLevel warn
	touch $(WEB_BUILD)

web-build: $(WEB_BUILD)

## web-client: regenerate the web portal's API types (web/src/api/schema.d.ts) from the routes
## (a test checks it is current)
web-client: $(STAMP) $(WEB_STAMP)
	$(BIN)/python -m infra.web_client

## api-reference: regenerate docs/api-reference.md from the OpenAPI document (a test checks it is current)
api-reference: $(STAMP)
	$(BIN)/python -m infra.api_reference

## run: the whole portal locally (AWS stand-in, provisioned resources, pollers, seeded data, API,
## the web portal)
run: $(STAMP) $(API_DOCS_UI) $(WEB_BUILD)
	TZ=UTC $(BIN)/python -m infra.local

## demo-app: a stand-in for a third-party health app at http://localhost:8765 that connects to the
## running local stack (`make run`, same PORTAL_PORT) by SMART on FHIR and shows what it may read
demo-app: $(STAMP)
	$(BIN)/python -m infra.local.demo_app

## feed: send FILE (HL7 v2 or FHIR JSON) to the running local stack's inbound feed queue, and say
## what became of it (filed, duplicate, quarantined and why); finds the stack by itself
feed: $(STAMP)
	@$(BIN)/python -m infra.local.feed "$(FILE)"

## test: the whole suite, fastest layer first, stopping at the first layer that fails: checks (ruff,
## mypy), unit (fakes, the layering rules), web (the web portal: types, component tests, build),
## integration (moto, chalice's test client, template lint), e2e (the local stack over HTTP), browser
## (the web portal's journeys in Chromium against the local stack, accessibility, speed budgets)
test: $(STAMP) $(API_DOCS_UI) chromium
	@echo "== checks and unit (side by side: each keeps one core busy) =="
	$(MAKE) --no-print-directory -j2 --output-sync=target check unit
	@echo "== web =="
	$(MAKE) --no-print-directory web
	@echo "== integration =="
	$(MAKE) --no-print-directory integration
	@echo "== e2e =="
	$(MAKE) --no-print-directory e2e
	@echo "== browser =="
	$(MAKE) --no-print-directory browser

## check: lint, formatting and types (mypy: strict on domain and services)
check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## format: fix what ruff can (imports, formatting)
format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Unit tests are quick enough that starting workers would cost more than it saves.
unit: $(STAMP)
	$(PYTEST) tests/unit $(PYTEST_ARGS)

# The web portal: TypeScript's checks, the component tests (Vitest, jsdom), the production build
# (which e2e serves).
web: $(WEB_STAMP)
	cd web && node_modules/.bin/tsc --noEmit
	cd web && node_modules/.bin/tsc --noEmit -p e2e
	cd web && node_modules/.bin/vitest run
	cd web && node_modules/.bin/vite build --logLevel warn
	touch $(WEB_BUILD)

# Each worker provisions its own moto account once (tests/integration/shared_aws.py); loadgroup
# keeps the tests that build the deployment package on one worker.
integration: $(STAMP) $(API_DOCS_UI) $(WEB_STAMP)
	$(PYTEST) tests/integration $(XDIST) --dist loadgroup $(PYTEST_ARGS)

# Each worker starts its own local stack, shared by the tests it runs (a module-scoped stack or
# account is made once per worker that runs a test of its module).
e2e: $(STAMP) $(API_DOCS_UI) $(WEB_BUILD)
	$(PYTEST) tests/e2e $(XDIST) --dist load $(PYTEST_ARGS)

# The browser the journeys drive: Debian's chromium (Playwright's own browser downloads are not
# used), or the one PORTAL_CHROMIUM names. As root (CI) it is installed when missing.
chromium:
	@if [ -n "$$PORTAL_CHROMIUM" ]; then \
	  test -x "$$PORTAL_CHROMIUM" || { echo "PORTAL_CHROMIUM=$$PORTAL_CHROMIUM is not an executable file"; exit 1; }; \
	elif command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "== Installing chromium for the browser tests (apt-get; a minute or two) =="; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; } \
	    && echo "== chromium installed ==" || { echo "Could not install chromium with apt-get."; exit 1; }; \
	else \
	  echo "The browser tests need Chromium: 'sudo apt-get install -y chromium', or set PORTAL_CHROMIUM to a Chromium or Chrome executable."; exit 1; \
	fi

# The web portal's journeys (web/e2e/, Playwright): each run starts its own local stack on free
# ports and stops it at the end (web/e2e/stack.ts). PLAYWRIGHT_ARGS passes options (a file, --debug).
browser: $(STAMP) $(API_DOCS_UI) $(WEB_BUILD) chromium
	cd web && PORTAL_PYTHON=$(abspath $(BIN))/python node_modules/.bin/playwright test $(PLAYWRIGHT_ARGS)

## screenshot: docs/images/results-page.png, the demo patient's results page, for the README (against
## the stack at PORTAL_BASE_URL if set, else one started for it; the patient is enrolled if need be)
screenshot: $(STAMP) $(API_DOCS_UI) $(WEB_BUILD) chromium
	cd web && PORTAL_SCREENSHOT=../docs/images/results-page.png PORTAL_PYTHON=$(abspath $(BIN))/python \
	  node_modules/.bin/playwright test --project screenshot

# checkov, the template's security scan: pinned in requirements-checkov.txt and kept in a virtual
# environment of its own (it pins boto3 older than the portal's), made when that pin changes.
CHECKOV_VENV := $(VENV)/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
$(CHECKOV_STAMP): requirements-checkov.txt | $(STAMP)
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install -q -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

## package: a deployable CloudFormation template and code bundle under build/ (see docs/deploying.md),
## linted (cfn-lint) and scanned (checkov: a failed check fails the package; every check the
## template skips says why in its Metadata)
package: $(STAMP) $(API_DOCS_UI) $(CHECKOV_STAMP)
	rm -rf build/package
	$(BIN)/chalice package --stage prod --merge-template infra/template.yaml build/package
	# Dependencies trimmed to what the portal loads, compiled to bytecode, rezipped (infra/package_trim.py).
	$(BIN)/python -m infra.package_trim build/package
	$(BIN)/cfn-lint build/package/sam.yaml
	BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov --file build/package/sam.yaml --framework cloudformation \
	  --skip-download --compact --quiet

## publish-web: upload the built web portal to a deployed stack (STACK, default patient-portal) and
## refresh CloudFront's copy of the page (AWS credentials of the deployer; see docs/deploying.md)
STACK ?= patient-portal
publish-web: $(STAMP) $(WEB_BUILD)
	$(BIN)/python -m infra.publish_web --stack $(STACK)

## backfill-staff-list: after upgrading a stack (STACK) that has staff accounts, put those written
## before the staff list's index existed into it (safe to run again; AWS credentials of the
## operator; see docs/deploying.md)
.PHONY: backfill-staff-list
backfill-staff-list: $(STAMP)
	$(BIN)/python -m infra.admin backfill-staff-list --stack $(STACK)

## backfill-patient-search: after upgrading a stack (STACK) that has patients, make those written
## before the search by family name and birth date existed findable by it (a second run does nothing)
.PHONY: backfill-patient-search
backfill-patient-search: $(STAMP)
	$(BIN)/python -m infra.admin backfill-patient-search --stack $(STACK)

## backfill-upcoming: after upgrading a stack (STACK) that has results waiting for release, put those
## filed before the waiting index existed on it, so patients' "on its way" lists show them (safe to run again)
.PHONY: backfill-upcoming
backfill-upcoming: $(STAMP)
	$(BIN)/python -m infra.admin backfill-upcoming --stack $(STACK)

## backfill-quarantine: after upgrading a stack (STACK) that has quarantined or held feed messages, key
## those written before the organization's quarantine index existed by their organization (safe to run again)
.PHONY: backfill-quarantine
backfill-quarantine: $(STAMP)
	$(BIN)/python -m infra.admin backfill-quarantine --stack $(STACK)

## backfill-hot-keys: after upgrading a stack (STACK) to the sharded indexes, key the feed messages
## and audit events written before them (safe to run again; docs/deploying.md)
.PHONY: backfill-hot-keys
backfill-hot-keys: $(STAMP)
	$(BIN)/python -m infra.admin backfill-hot-keys --stack $(STACK)
## backfill-worklist: after upgrading a stack (STACK) whose staff worklist has open items, put those
## opened before the worklist's open index existed on it, so staff see them (safe to run again)
.PHONY: backfill-worklist
backfill-worklist: $(STAMP)
	$(BIN)/python -m infra.admin backfill-worklist --stack $(STACK)

## backfill-results-list: after upgrading a stack (STACK) that has results, write the list summaries of
## those filed before the results list read summaries, so patients see them listed (safe to run again)
.PHONY: backfill-results-list
backfill-results-list: $(STAMP)
	$(BIN)/python -m infra.admin backfill-results-list --stack $(STACK)

## dead-letters / redrive: what waits on the dead-letter queues (ids and kinds, no bodies), and,
## once the cause is fixed, every such message moved back to its queue (QUEUE: notifications,
## inbound, outbound, acks or all). The running local stack; WHERE="--stack <name>" for AWS
## (the operator's credentials; see docs/runbooks.md).
QUEUE ?= all
WHERE ?= --local
.PHONY: dead-letters redrive
dead-letters: $(STAMP)
	$(BIN)/python -m infra.admin dead-letters $(WHERE) --queue $(QUEUE)
redrive: $(STAMP)
	$(BIN)/python -m infra.admin redrive $(WHERE) --queue $(QUEUE)

## bench: the benchmarks' one table (BENCH="module ..." runs only those; BENCH_QUICK=1 at the smallest sizes)
## restore: after data was lost or damaged, every table of a deployed stack (STACK) restored as it was
## at AT (ISO 8601 with Z, e.g. 2026-12-05T14:30:00Z; empty: the latest restorable moment, about five
## minutes ago) into new tables, and the stack repointed at them (ARTIFACTS: the bucket `aws
## cloudformation package` uploads to). restore-objects: a bucket's (BUCKET, its logical id) objects
## under PREFIX put back to their versions at AT. The operator's credentials; docs/runbooks.md "Restore".
AT ?=
ARTIFACTS ?=
BUCKET ?=
PREFIX ?=
.PHONY: restore restore-objects
restore: $(STAMP)
	$(BIN)/python -m infra.admin restore-tables --stack $(STACK) $(if $(AT),--at $(AT)) --artifacts-bucket "$(ARTIFACTS)"
restore-objects: $(STAMP)
	$(BIN)/python -m infra.admin restore-objects --stack $(STACK) --bucket "$(BUCKET)" --prefix "$(PREFIX)" --at "$(AT)"

bench: $(STAMP)
	TZ=UTC $(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) build .pytest_cache web/node_modules web/dist web/test-results
