"""Raw HTTP/1.1 over a socket, and the kernel's view of loopback connections (/proc/net/tcp).

The live-server tests need what an HTTP client hides: a request whose body is only half sent
(so it stays in flight), and which server process holds a given connection.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOOPBACK_HEX = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def connect(port: int, timeout: float = 10.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def request_head(method: str, path: str, body_length: int | None = None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    if body_length is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {body_length}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_reply(sock: socket.socket) -> Reply:
    """One response with a Content-Length (every response of this API has one)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += _recv(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers["content-length"])
    while len(body) < length:
        body += _recv(sock)
    return Reply(int(status_line.split()[1]), headers, body[:length])


def get(sock: socket.socket, path: str) -> Reply:
    sock.sendall(request_head("GET", path))
    return read_reply(sock)


def _recv(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed the connection before a whole response")
    return chunk


@dataclass(frozen=True)
class ServerSide:
    """The server's end of one loopback TCP connection."""

    inode: int
    unread_bytes: int


def server_side(server_port: int, client_port: int) -> ServerSide | None:
    """The server's socket for the connection from `client_port`, if the kernel lists it."""
    local = f"{LOOPBACK_HEX}:{server_port:04X}"
    remote = f"{LOOPBACK_HEX}:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            rx_queue = int(fields[4].split(":")[1], 16)
            return ServerSide(inode=int(fields[9]), unread_bytes=rx_queue)
    return None


def wait_until_read(server_port: int, socks: list[socket.socket], timeout: float = 10.0) -> None:
    """Block until the server has accepted each connection and read all that was sent on it.

    An accepted socket with an empty receive queue means uvicorn has parsed the bytes, so a
    request whose headers were sent is now in flight inside the server.
    """
    deadline = time.monotonic() + timeout
    pending = {sock.getsockname()[1] for sock in socks}
    while pending and time.monotonic() < deadline:
        for client_port in list(pending):
            side = server_side(server_port, client_port)
            if side is not None and side.inode != 0 and side.unread_bytes == 0:
                pending.discard(client_port)
        time.sleep(0.01)
    if pending:
        raise TimeoutError(f"the server did not read connections from ports {sorted(pending)}")


def owner_pid(inode: int, pids: list[int]) -> int | None:
    """Which of `pids` holds the socket with this inode."""
    target = f"socket:[{inode}]"
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            names = os.listdir(fd_dir)
        except OSError:
            continue
        for name in names:
            try:
                if os.readlink(fd_dir / name) == target:
                    return pid
            except OSError:
                continue
    return None


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (`serve --workers N` forks its workers as children)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        parent = stack.pop()
        try:
            text = Path(f"/proc/{parent}/task/{parent}/children").read_text()
        except OSError:
            continue
        children = [int(p) for p in text.split()]
        found += children
        stack += children
    return found


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 20.0) -> None:
    """Poll `condition` until it holds; bounded only so that a broken server fails the test
    instead of hanging it."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
        time.sleep(0.02)
