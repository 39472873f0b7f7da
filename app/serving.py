"""uvicorn's httptools protocol with the bounds it lacks on a public port.

uvicorn[standard] parses with httptools, which has no limit of its own on a request head:
`h11_max_incomplete_event_size` applies only to the h11 parser, and neither parser has a
timeout for a head sent slowly. Measured on uvicorn 0.55 directly: an 8 MB header was answered
200, and 1,000 clients sending headers byte by byte were never cut off (RSS 124 -> 741 MiB).
This protocol keeps httptools (h11 is pure Python) and adds three bounds to the head of each
request: its size, its header count and the time to receive it. A refusal is one problem+json
answer, then the connection is closed. The shipped nginx (deploy/nginx) bounds the same and
more (bodies sent slowly, requests and connections per client); this is the floor when uvicorn
is reached directly, as in the container image or `make run` on a public address.
"""

from __future__ import annotations

import asyncio
import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.coalesce import CoalescingTransport

if TYPE_CHECKING:
    from uvicorn.config import Config
    from uvicorn.server import ServerState

__all__ = ["PROTOCOL", "BoundedHttpToolsProtocol", "HeadLimits"]

# What uvicorn's `http=` option imports (app/cli.py), once, before any worker is forked.
PROTOCOL = "app.serving:BoundedHttpToolsProtocol"


@dataclass(frozen=True)
class HeadLimits:
    max_bytes: int
    max_headers: int
    timeout: float


@functools.cache
def head_limits() -> HeadLimits:
    """Read from the environment once per process (a forked worker inherits it); `serve` has
    already validated the settings."""
    from app.settings import Settings

    settings = Settings()
    return HeadLimits(settings.max_header_bytes, settings.max_header_count, settings.header_timeout)


def _problem(status: int, detail: str) -> bytes:
    body = json.dumps(
        {
            "type": "about:blank",
            "title": STATUS_LINE[status].decode("latin-1").split(" ", 2)[2].strip(),
            "status": status,
            "detail": detail,
        }
    ).encode()
    return b"".join(
        [
            STATUS_LINE[status],
            b"content-type: application/problem+json\r\n",
            b"content-length: %d\r\n" % len(body),
            b"connection: close\r\n\r\n",
            body,
        ]
    )


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol refusing heads that are too large (431), have too many headers
    (431) or take too long to arrive (408)."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._limits = head_limits()
        self._in_head = True  # between requests, or inside a request's head
        self._head_bytes = 0
        self._header_count = 0
        self._heads_done = 0
        self._head_timer: asyncio.TimerHandle | None = None
        self._refusal: bytes | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        # An answer's head and body go out in one send (app/coalesce.py).
        super().connection_made(CoalescingTransport(transport, self.loop))
        self._start_head_timer()  # a connection that sends nothing is cut off too

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if not self._in_head:
            super().data_received(data)
            return
        if self._head_timer is None:
            self._start_head_timer()
        # Raw bytes are counted, not parsed headers: httptools buffers a header's value until
        # it ends, so an endless one would grow before any callback saw it. A read may hold a
        # small head and part of a body: only what fits under the limit is fed while the head
        # is unfinished, the rest once it is.
        room = max(self._limits.max_bytes - self._head_bytes, 0)
        self._head_bytes += len(data)
        if len(data) <= room:
            super().data_received(data)
            return
        heads_before = self._heads_done
        super().data_received(data[:room])
        if self.transport.is_closing():
            return
        if self._heads_done == heads_before:
            self._refuse(431, f"the request's head is larger than {self._limits.max_bytes} bytes")
        else:
            super().data_received(data[room:])

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self._limits.max_headers:
            self._refusal = _problem(
                431, f"the request has more than {self._limits.max_headers} headers"
            )
            raise ValueError("too many headers")  # httptools stops parsing: send_400_response
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._heads_done += 1
        self._stop_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._head_bytes = 0
        self._header_count = 0

    def send_400_response(self, msg: str) -> None:
        if self._refusal is None:
            super().send_400_response(msg)
            return
        self._send_and_close(self._refusal)

    def _refuse(self, status: int, detail: str) -> None:
        self.logger.info("Refused a request head: %s.", detail)
        self._send_and_close(_problem(status, detail))

    def _send_and_close(self, answer: bytes) -> None:
        self._stop_head_timer()
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()

    def _start_head_timer(self) -> None:
        self._head_timer = self.loop.call_later(self._limits.timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self._refuse(
                408, f"the request's head did not arrive within {self._limits.timeout:g} s"
            )
