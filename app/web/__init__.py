"""The web front end: a symptom checker and a content explorer, static files on the public API.

Pages are served at `/` and `/explorer`, their scripts and styles under `/web/`; nothing else
is touched, so `/v1`, `/docs`, `/redoc`, `/healthz` and `/metrics` answer as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["STATIC", "WEB_PAGES", "install_web"]

STATIC = Path(__file__).resolve().parent / "static"
# Path -> file; the front door gives these paths the pages' CSP (app/hardening.py).
WEB_PAGES = {"/": "index.html", "/explorer": "explorer.html"}
# Pages are revalidated on every load (a new release shows at once); assets are small.
_NO_CACHE = {"Cache-Control": "no-cache"}


def _page(file: Path) -> Callable[[], Awaitable[FileResponse]]:
    async def page() -> FileResponse:
        return FileResponse(file, media_type="text/html; charset=utf-8", headers=_NO_CACHE)

    return page


def install_web(app: FastAPI) -> None:
    for path, name in WEB_PAGES.items():
        app.add_api_route(
            path, _page(STATIC / name), methods=["GET", "HEAD"], include_in_schema=False
        )
    app.mount("/web", StaticFiles(directory=STATIC), name="web")
