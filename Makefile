# The README's two commands: `make preflight` (the main job) and `make test`. Both set up the venv first; `make test`
# also builds the Pulumi CLI the engine tests run (`make engine`).
VENV ?= venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: preflight test bench bench-review bench-org bench-peers engine bytecode

$(STAMP): requirements.txt requirements-dev.txt policies/requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $(STAMP)

# The project's modules byte-compiled once (quick when they are): every preflight, pack, program and engine test
# process imports them, and where PYTHONDONTWRITEBYTECODE is set (as on these machines) no process caches them.
bytecode: $(STAMP)
	$(PY) -m compileall -q components preflight policies retention_report engine bench >/dev/null

# The compliance gate offline, as `pulumi preview --policy-pack policies` gives it, for the dev, prod, org (the
# organisation's backup policies and member baseline) and backup (the backup account's vault) stacks.
preflight: $(STAMP) bytecode
	$(PY) -m preflight --stack dev --policy-pack-config policies/profiles/dev.json
	$(PY) -m preflight --stack prod --policy-pack-config policies/profiles/sec-17a-4.json
	$(PY) -m preflight --stack org --policy-pack-config policies/profiles/baseline.json
	$(PY) -m preflight --stack backup --policy-pack-config policies/profiles/sec-17a-4.json

# The real Pulumi CLI for tests/test_engine.py, built from pulumi's Go module (needs Go; instant once built).
engine:
	engine/build >/dev/null

test: $(STAMP) engine bytecode
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: $(STAMP) bytecode
	$(PY) -m bench

# The review of a stack edit against one preflight of prod, alternating (bench/README.md, "Review").
bench-review: $(STAMP) bytecode
	$(PY) -m bench.review_speed

# The organisation stack at 50 and 500 accounts, rendered and gated (bench/README.md, "Organisation scale").
bench-org: $(STAMP) bytecode
	$(PY) -m bench.org_scale

# preflight side by side with cfn-lint and checkov on the equivalent CloudFormation, the peers installed into their
# own venv, bench/.peers-venv (bench/README.md, "Side by side with cfn-lint and checkov").
bench-peers: $(STAMP) bytecode
	$(PY) -m bench.peers
