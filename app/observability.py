"""Request ids, structured logs and Prometheus metrics.

With several workers (app/supervisor.py) every process writes its samples to files in one
folder (prometheus-client's multiprocess mode) and a scrape sums them, so `/metrics` counts
the whole server whichever worker answers it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    values,
)
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.routing import Route
from starlette.types import Scope

__all__ = [
    "CONTENT_TYPE_LATEST",
    "REQUEST_ID",
    "JsonFormatter",
    "Metrics",
    "RequestLog",
    "set_worker",
    "shared_metrics",
    "uvicorn_log_config",
]

# prometheus-client's own switch: samples go to files in this folder, one per process.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"

# Any token is a valid HTTP method; labelling each one would let clients grow /metrics at will.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"})
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_logger = logging.getLogger("symptom_graph.access")
# The id of the request being answered, so every log line written meanwhile can carry it.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
# This process's number among the supervisor's workers (1..N); None when it serves alone.
_worker: int | None = None


def set_worker(number: int) -> None:
    """Mark this process's log lines with its worker number (a forked worker calls it)."""
    global _worker
    _worker = number


@contextmanager
def shared_metrics() -> Iterator[str]:
    """A fresh folder where every process counts (prometheus-client's multiprocess mode),
    summed at each scrape; removed when the block ends. Entered in the workers' parent before
    the app's metrics are made. The value class is switched here too, as prometheus-client
    reads its variable once, on first import; both are restored for callers in process."""
    folder = tempfile.mkdtemp(prefix="symptom-graph-metrics-")
    previous = os.environ.get(MULTIPROCESS_DIR), values.ValueClass
    os.environ[MULTIPROCESS_DIR] = folder
    values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
    try:
        yield folder
    finally:
        if previous[0] is None:
            os.environ.pop(MULTIPROCESS_DIR, None)
        else:
            os.environ[MULTIPROCESS_DIR] = previous[0]
        values.ValueClass = previous[1]
        shutil.rmtree(folder, ignore_errors=True)


def uvicorn_log_config(level: str) -> dict[str, Any]:
    """uvicorn's own lines (start, stop, errors) as JSON on stderr, like the app's."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {
            "json": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "uvicorn": {"handlers": ["json"], "level": level.upper(), "propagate": False},
            "uvicorn.error": {"level": level.upper()},
            "uvicorn.access": {"level": level.upper()},
        },
    }


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with any `extra` fields the caller passed."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if _worker is not None:
            entry["worker"] = _worker
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class Metrics:
    """A registry per app, so several apps in one process (tests) never collide; with
    workers, a scrape reads every process's samples from the shared folder instead."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._shared = os.environ.get(MULTIPROCESS_DIR)
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests by method, route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time to answer, by method and route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
        )
        # One series per live worker (the sole process is worker 1): how many serve, and a
        # replaced one shows by its new start. With workers, a dead one's series goes with it.
        self.worker_started = Gauge(
            "symptom_graph_worker_started_seconds",
            "When each live worker process started serving, in Unix time.",
            ["worker"],
            registry=self.registry,
            multiprocess_mode="livemax",
        )
        # `labels()` builds and locks a key on every call; the label sets are few and bounded
        # (methods x route templates x statuses), so each child is looked up once.
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._timers: dict[tuple[str, str], Any] = {}

    def serving(self) -> None:
        """This process has started serving (the app's lifespan calls it)."""
        self.worker_started.labels(str(_worker or 1)).set_to_current_time()

    def exposition(self) -> bytes:
        """The Prometheus text of this process, or of every worker's summed."""
        if self._shared is None:
            return generate_latest(self.registry)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, self._shared)  # type: ignore[no-untyped-call]
        return generate_latest(registry)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        counter = self._counters.get((method, route, status))
        if counter is None:
            counter = self._counters[method, route, status] = self.requests.labels(
                method, route, str(status)
            )
        timer = self._timers.get((method, route))
        if timer is None:
            timer = self._timers[method, route] = self.latency.labels(method, route)
        counter.inc()
        timer.observe(seconds)


class RequestLog:
    """Each request's id, its metrics and its access log line (app/frontdoor.py calls it)."""

    def __init__(self, metrics: Metrics, access_log: bool) -> None:
        self.metrics = metrics
        self.access_log = access_log

    @staticmethod
    def request_id(scope: Scope) -> str:
        """The client's X-Request-ID if it is a sane token, else a new one."""
        # 32 random hex digits, as uuid4().hex gives, without building a UUID (5 us less).
        return _incoming_id(scope) or os.urandom(16).hex()

    def record(
        self, method: str, scope: Scope, root_path: str, status: int, seconds: float
    ) -> None:
        """Count and log an answered request: `method` as the client sent it, `scope` as the
        app saw it (the router records the matched route in it)."""
        template = _template(scope, root_path)
        self.metrics.observe(method if method in _METHODS else "other", template, status, seconds)
        if self.access_log:
            access_logger.info(
                "request",
                extra={
                    "fields": {
                        "method": method,
                        "path": scope["path"],
                        "route": template,
                        "status": status,
                        "duration_ms": round(seconds * 1000, 3),
                    }
                },
            )


def _template(scope: Scope, root_path: str) -> str:
    """A bounded metrics label: the matched route's template, never the raw path."""
    route = scope.get("route")
    if isinstance(route, Route):
        return route.path
    # A mounted app (the docs' static files) extends root_path by its mount point.
    mounted = str(scope.get("root_path", ""))
    if mounted != root_path:
        return mounted.removeprefix(root_path) + "/{path}"
    return "unmatched"


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if _REQUEST_ID.match(text) else None
    return None
