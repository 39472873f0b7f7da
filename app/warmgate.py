"""Requests that arrive while the start's deferred work is still running wait for it off the
event loop.

`serve` reports ready before the search and parse indexes are built (app/runtime.py: a
warm-up thread builds them, about 1 s on the HPO pack). A request that read one meanwhile
waited for the build on the event loop, so every other connection, the health checks
included, stalled with it. Here such a request waits in a worker thread instead, and the
loop keeps answering; once the indexes are built the check is one attribute read. A cold
worker (`on_demand`) builds only the index (or the OpenAPI document) the request reads, off
the loop as well; app/hotpaths.py answers its diagnose and parse requests off the loop until
its search index is built, since an unknown id's suggestions read it.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from app.runtime import Runtime

__all__ = ["WarmGate"]


class WarmGate:
    """Holds each request but those to `exempt` paths until the runtime is warm."""

    def __init__(self, app: ASGIApp, exempt: tuple[str, ...]) -> None:
        self.app = app
        self.exempt = frozenset(exempt)
        # The runtime last found warm: a runtime stays warm, so it is not asked again (four
        # attribute reads a request otherwise); a new one (a restarted lifespan) is.
        self._warm: Runtime | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self.exempt:
            runtime: Runtime | None = getattr(scope["app"].state, "runtime", None)
            if runtime is not None and runtime is not self._warm:
                if runtime.on_demand:
                    # A cold worker (`serve --workers N`, before the warm ones replace it)
                    # builds only what this request reads, and off the loop too.
                    app = scope["app"]
                    build = runtime.build_for(scope["path"])
                    if scope["path"] == app.openapi_url and app.openapi_schema is None:
                        build = app.openapi  # the OpenAPI document: 0.1 s on the HPO pack
                    if build is not None:
                        await anyio.to_thread.run_sync(build)
                else:
                    if not runtime.warm:
                        await anyio.to_thread.run_sync(runtime.warm_up)
                    self._warm = runtime
        await self.app(scope, receive, send)
