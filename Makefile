# The two commands a newcomer needs: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Packaging and the tests import app.py without AWS: a region, and no instance-metadata lookups.
export AWS_DEFAULT_REGION ?= us-east-1
export AWS_EC2_METADATA_DISABLED := true

.PHONY: run feed test unit integration e2e package bench clean

# Creates the virtual environment and installs the pinned dependencies when they change.
$(STAMP): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

## run: the whole portal locally (AWS stand-in, provisioned resources, pollers, seeded data, API)
run: $(STAMP)
	TZ=UTC $(BIN)/python -m infra.local

## feed: send FILE (HL7 v2 or FHIR JSON) to the running local stack's inbound feed queue
feed: $(STAMP)
	$(BIN)/python -m infra.local.feed $(FILE)

## test: the whole suite (unit, integration under moto, end-to-end over HTTP, template lint)
test: $(STAMP)
	TZ=UTC $(BIN)/python -m pytest $(PYTEST_ARGS)

unit: $(STAMP)
	TZ=UTC $(BIN)/python -m pytest tests/unit $(PYTEST_ARGS)

integration: $(STAMP)
	TZ=UTC $(BIN)/python -m pytest tests/integration $(PYTEST_ARGS)

e2e: $(STAMP)
	TZ=UTC $(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

## package: a deployable CloudFormation template and code bundle under build/ (see docs/deploying.md)
package: $(STAMP)
	rm -rf build/package
	$(BIN)/chalice package --stage prod --merge-template infra/template.yaml build/package
	$(BIN)/cfn-lint build/package/sam.yaml

bench: $(STAMP)
	TZ=UTC $(BIN)/python -m bench

clean:
	rm -rf $(VENV) build .pytest_cache
