# storeops — `make run` starts the whole system, `make test` runs the whole suite.
# Everything else (virtualenv, generated code) is created on demand.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
PY     := $(BIN)/python
STAMP  := $(VENV)/.installed-stamp
GEN    := gen
GEN_STAMP := $(GEN)/.stamp
PROTOS := $(shell find protos -name '*.proto' 2>/dev/null)
SITE   = $(shell $(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')

ROLES    ?= admin
EMPLOYEE ?= E0001
PYTEST_ARGS ?=

.PHONY: run test token lint protos install load soak images clean help

help:
	@echo "make run    — the whole system (embedded PostgreSQL unless STOREOPS_DATABASE_URL is set)"
	@echo "make test   — the whole test suite"
	@echo "make token  — a bearer token for the local deployment (ROLES=… EMPLOYEE=…)"
	@echo "make lint   — ruff, mypy, buf lint + format"
	@echo "make load   — load tests with reference ceilings;  make soak — fault scenarios"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP) $(GEN_STAMP)

# Generated modules live in gen/ (git-ignored); a .pth file puts them on the venv's path.
$(GEN_STAMP): $(STAMP) $(PROTOS) tools/protogen.py $(wildcard gateway/*.py)
	$(PY) -m tools.protogen --out $(GEN)
	@echo "$(CURDIR)/$(GEN)/python" > "$(SITE)/storeops-gen.pth"
	@# The Kubernetes gateway config is committed (a test checks it): keep it in step with the protos.
	$(PY) -m gateway render --target kubernetes --namespace storeops --out deploy/k8s/base/gateway/envoy.yaml
	@touch $@

protos: $(GEN_STAMP)

run: install
	$(PY) -m gateway.launcher

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

token: install
	@$(PY) -m services.people.token_cli --roles "$(ROLES)" --employee "$(EMPLOYEE)"

lint: install
	$(BIN)/ruff check services gateway tools tests
	$(BIN)/ruff format --check services gateway tools tests
	$(BIN)/mypy services gateway tools
	# buf lints the compiled image: the BSR (buf.validate, googleapis) is out of reach here.
	$(BIN)/buf lint "$(GEN)/storeops.binpb#format=binpb" --config protos/buf.yaml --path storeops
	$(BIN)/buf format --diff --exit-code protos

load: install
	$(PY) -m tools.load $(LOAD_ARGS)

soak: install
	$(PY) -m tools.soak $(SOAK_ARGS)

images:
	docker build -f deploy/docker/Dockerfile -t storeops:$$(git rev-parse --short HEAD) .
	docker build -f deploy/docker/Dockerfile.gateway -t storeops-gateway:$$(git rev-parse --short HEAD) .

clean:
	rm -rf $(GEN) .pytest_cache .mypy_cache .ruff_cache
