"""Service configuration, read from the environment (prefix SYMPTOM_GRAPH_) or CLI flags."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.packs.loader import DEFAULT_PACKS_DIR

__all__ = ["Settings"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SYMPTOM_GRAPH_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    packs: list[Path] = Field(default_factory=lambda: [DEFAULT_PACKS_DIR / "knee"])
    # A built pack (`symptom-graph build`): served instead of `packs` when set.
    artifact: Path | None = None
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    # Partners' browser front ends call diagnose and parse (POST) from their own origins; the
    # API takes no credentials, so any origin may. Narrow it to ["GET"] to refuse that.
    cors_methods: list[str] = Field(default_factory=lambda: ["GET", "POST"])
    trusted_hosts: list[str] | None = None
    log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"
    access_log: bool = True
    # FastAPI's native OpenTelemetry, to the globally configured providers. Off by default:
    # the service has its own Prometheus metrics and JSON logs, and looking for providers
    # costs every request.
    otel_telemetry: bool = False
    cache_max_age: int = Field(default=300, ge=0, le=31_536_000)
    # A parse request's 20,000-character note fits even with every character escaped as
    # \uXXXX (6 bytes, as json.dumps writes non-ASCII by default).
    max_body_bytes: int = Field(default=128 * 1024, ge=1024)
    # Requests answered at once; more get a 503 with Retry-After (health checks are exempt).
    max_in_flight: int = Field(default=64, ge=1, le=100_000)
    # A request's head (request line and headers) read straight from a client: larger or
    # longer heads get 431, slower ones 408, then the connection is closed (app/serving.py).
    max_header_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    max_header_count: int = Field(default=100, ge=10, le=10_000)
    header_timeout: float = Field(default=10.0, gt=0, le=3600)
    # Event-loop lag past which requests are admitted at a reduced rate (0 turns it off).
    shed_lag_ms: float = Field(default=250.0, ge=0)
    # Admitted requests computed at once (first come, first served; health checks skip the line).
    cpu_lanes: int = Field(default=1, ge=1, le=64)
    # Whole diagnose answers kept for repeated queries (about 60 KB each at most).
    diagnose_cache_size: int = Field(default=256, ge=0, le=100_000)
    # Where each export of a graph version is written once (app/exports.py); the full HPO
    # pack's four take about 220 MB. Workers sharing it write each export once between them.
    export_folder: Path = Path(tempfile.gettempdir()) / f"symptom-graph-exports-{os.getuid()}"
    # Exports written at once by a process; requests for others wait their turn.
    export_builds: int = Field(default=1, ge=1, le=16)
