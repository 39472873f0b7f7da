"""The application factory: `create_app(settings)`; uvicorn serves `app.main:create_app`."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.telemetry import TelemetryConfig
from fastapi_offline import FastAPIOffline

from app.docs import install_redoc
from app.exports import ExportStore
from app.frontdoor import FrontDoor
from app.hardening import BodyLimit, ConditionalGet, LoadShed, ProblemCORS, TrustedHosts
from app.hotpaths import HotPaths, hot_path
from app.observability import JsonFormatter, Metrics, RequestLog
from app.openapi import API_VERSION, DESCRIPTION, build_openapi
from app.problems import install_problem_handlers
from app.routers import catalog, edges, health, nodes, parse, reasoning, search, sources
from app.runtime import Runtime, load_runtime, warm_in_background
from app.settings import Settings
from app.warmgate import WarmGate
from app.web import install_web
from graph.packs.artifact import ArtifactError
from graph.schema.errors import ContentError

__all__ = ["create_app"]

logger = logging.getLogger("symptom_graph")
HEALTH_PATHS = ("/healthz", "/readyz")
# Written in a worker thread and sent from a file: no turn on the CPU (app/hardening.py).
EXPORT_PATHS = ("/v1/graph",)
_NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


def configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("symptom_graph")
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level.upper())
    root.propagate = False


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """Build the app; content is loaded by the lifespan, once, when the server starts, unless
    a `runtime` loaded already is given (`symptom-graph serve` with one worker)."""
    settings = settings or Settings()
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            app.state.runtime = runtime or load_runtime(settings)
        except ArtifactError as exc:
            logger.error("unusable built pack, refusing to start: %s", exc)
            raise
        except ContentError as exc:
            # Never serve half-loaded content: log every problem and refuse to start.
            logger.error("invalid content, refusing to start:\n%s", exc)
            raise
        if runtime is None:
            # Loaded here (`uvicorn app.main:app`, tests): the rest is built now, in this
            # thread, so that no import runs beside the tests' (pytest's import rewriting is
            # not thread-safe on Python 3.11).
            app.state.runtime.warm_up()
            app.openapi()
        # The loaded graph never changes: move it out of the collector's sight, so full
        # collections stop rescanning it (they caused the long tail of request latency). No
        # collection first: loading makes almost no cycles (graph/packs/loader.py), and one took
        # 1.6 s of the HPO pack's start to find 40 unreachable objects, now frozen with it.
        gc.freeze()
        app.state.metrics.serving()
        if runtime is not None and not runtime.warm:
            # `symptom-graph serve`: the search and parse indexes and the OpenAPI document
            # (1 s on the HPO pack) are built once the server answers, not before; requests
            # meanwhile wait for them off the event loop (app/warmgate.py), the health checks
            # excepted (already built before forking workers).
            warm_in_background(runtime, app.openapi)
        graph = app.state.runtime.graph
        logger.info("graph %s loaded: %d nodes", graph.version, len(graph.nodes()))
        yield
        app.state.runtime = None

    app = FastAPIOffline(
        title="symptom-graph",
        version=API_VERSION,
        description=DESCRIPTION,
        lifespan=lifespan,
        redoc_url=None,  # app/docs.py serves it, without the bundle's CDN logo
        swagger_ui_parameters={"defaultModelsExpandDepth": 0},
        # `/v1/nodes/` would redirect to a URL built from the client's Host header: a 404 instead.
        redirect_slashes=False,
        telemetry=None if settings.otel_telemetry else _NO_TELEMETRY,
    )
    app.state.runtime = None
    app.state.metrics = Metrics()
    app.state.exports = ExportStore(settings.export_folder, settings.export_builds)
    install_problem_handlers(app)
    install_redoc(app)
    # Routes are matched in order: the health checks and the headline query first, so they
    # pay the least matching (FastAPI tries each route's pattern in turn). Diagnose and parse
    # are answered before routing (app/hotpaths.py); their routes document them.
    for module in (health, reasoning, parse, nodes, edges, search, sources, catalog):
        app.include_router(module.router)
    install_web(app)

    def openapi() -> dict[str, Any]:
        return build_openapi(app)

    app.openapi = openapi  # type: ignore[method-assign]

    def version() -> str | None:
        runtime: Runtime | None = app.state.runtime
        return None if runtime is None else runtime.graph.version

    app.add_middleware(
        HotPaths,
        paths=[
            hot_path(reasoning.router, "diagnose", reasoning.answer_diagnose),
            hot_path(parse.router, "parse", parse.answer_parse),
        ],
    )
    # Outside the hot paths (parse reads an index) and inside the front door, whose limits
    # and metrics apply to the wait.
    app.add_middleware(WarmGate, exempt=(*HEALTH_PATHS, "/metrics"))
    # Added last, so it is the outermost: every request passes the front door first.
    app.add_middleware(
        FrontDoor,
        log=RequestLog(app.state.metrics, settings.access_log),
        # No list, or an empty one, serves any Host (as before the front door).
        hosts=TrustedHosts(settings.trusted_hosts) if settings.trusted_hosts else None,
        cors=ProblemCORS(
            allow_origins=settings.cors_origins,
            allow_methods=settings.cors_methods,
            allow_headers=["Content-Type", "If-None-Match", "X-Request-ID"],
            expose_headers=["ETag", "X-Request-ID"],
        ),
        body=BodyLimit(settings.max_body_bytes),
        shed=LoadShed(
            limit=settings.max_in_flight,
            exempt=HEALTH_PATHS,
            max_lag=settings.shed_lag_ms / 1000 or float("inf"),
            lanes=settings.cpu_lanes,
            unturned=EXPORT_PATHS,
        ),
        conditional=ConditionalGet(version, max_age=settings.cache_max_age),
    )
    return app


app = create_app()
