"""The ReDoc page, served without its one remote request.

fastapi-offline ships ReDoc's bundle locally, but the bundle still loads Redocly's logo from
cdn.redoc.ly (blocked by the docs' CSP, and a request to a third party from every reader). The
page here loads the same bundle with that one URL replaced by an inline, empty image.
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from starlette.responses import HTMLResponse, Response

__all__ = ["REDOC_BUNDLE_PATH", "install_redoc"]

REDOC_BUNDLE_PATH = "/redoc-assets/redoc.standalone.js"
_CDN_LOGO = b"https://cdn.redoc.ly/redoc/logo-mini.svg"
_EMPTY_IMAGE = b"data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg'/%3E"


def install_redoc(app: FastAPI, static_url: str = "/static-offline-docs") -> None:
    bundle_file = Path(fastapi_offline.__file__).parent / "static" / "redoc.standalone.js"
    bundle = bundle_file.read_bytes().replace(_CDN_LOGO, _EMPTY_IMAGE)

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{REDOC_BUNDLE_PATH}",
            with_google_fonts=False,
            redoc_favicon_url=f"{root}{static_url}/favicon.png",
        )

    @app.get(REDOC_BUNDLE_PATH, include_in_schema=False)
    async def redoc_bundle() -> Response:
        return Response(
            bundle,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )
