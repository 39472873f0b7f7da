"""The transport that joins one loop pass's writes (app/coalesce.py)."""

from __future__ import annotations

import asyncio

from app.coalesce import CoalescingTransport


class Recorder(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, bytes]] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.calls.append(("write", bytes(data)))

    def close(self) -> None:
        self.calls.append(("close", b""))
        self.closing = True

    def abort(self) -> None:
        self.calls.append(("abort", b""))
        self.closing = True

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return 0


def test_the_writes_of_one_pass_are_sent_as_one() -> None:
    async def scenario() -> list[tuple[str, bytes]]:
        inner = Recorder()
        transport = CoalescingTransport(inner, asyncio.get_running_loop())
        transport.write(b"HTTP/1.1 200 OK\r\n\r\n")
        transport.write(b"")
        transport.write(memoryview(b"{}"))
        assert inner.calls == []  # nothing sent before the pass ends
        await asyncio.sleep(0)
        transport.write(b"next")
        await asyncio.sleep(0)
        return inner.calls

    assert asyncio.run(scenario()) == [("write", b"HTTP/1.1 200 OK\r\n\r\n{}"), ("write", b"next")]


def test_closing_sends_what_was_written_first_and_aborting_drops_it() -> None:
    async def scenario() -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]]]:
        loop = asyncio.get_running_loop()
        closed, aborted = Recorder(), Recorder()
        for inner, end in ((closed, "close"), (aborted, "abort")):
            transport = CoalescingTransport(inner, loop)
            transport.write(b"answer")
            assert transport.get_write_buffer_size() == len(b"answer")
            getattr(transport, end)()
        await asyncio.sleep(0)  # the scheduled flush finds nothing left to send
        return closed.calls, aborted.calls

    closed, aborted = asyncio.run(scenario())
    assert closed == [("write", b"answer"), ("close", b"")]
    assert aborted == [("abort", b"")]
