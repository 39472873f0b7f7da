"""Issue 24 item 3, through the shipped nginx: exports are passed on as clients read them
(nothing spooled to temp files for clients that never read) and have a rate limit of their
own. Bounded: 4 connections for a few seconds, on the knee pack padded to 10,000 symptoms
(a 31 MB node-link JSON; the client and nginx socket buffers absorb a few megabytes, so a
smaller answer showed nothing). Skips when nginx is not installed, except under CI=true."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.servers import free_port, project_command, running, running_nginx
from graph.formats.kgx import write_pack
from graph.knowledge import KnowledgeGraph
from tests.paths import KNEE_PACK, nginx_or_skip

pytestmark = pytest.mark.slow
SPOOLED = "buffered to a temporary file"


class Front:
    def __init__(self, url: str, prefix: Path) -> None:
        self.url = url
        self.error_log = prefix / "error.log"


def padded_pack(folder: Path, extra: int = 10_000) -> Path:
    """The knee pack as KGX plus `extra` symptoms with long descriptions, each caused by
    dehydration (a node needs an edge): loads in about half a second."""
    write_pack(KnowledgeGraph.from_packs([KNEE_PACK]), folder)
    nodes = (folder / "nodes.tsv").read_text(encoding="utf-8").splitlines()
    edges = (folder / "edges.tsv").read_text(encoding="utf-8").splitlines()
    node = next(line for line in nodes if line.startswith("symptom:numbness\t")).split("\t")
    edge_key = "cause:dehydration|causes|symptom:"
    edge = next(line for line in edges if line.startswith(edge_key)).split("\t")
    description = ("A long description that pads the export. " * 50)[:1900]
    for i in range(extra):
        node_id = f"symptom:filler-{i}"
        node[0:6] = [node_id, node[1], f"Filler symptom {i}", description, "", ""]
        nodes.append("\t".join(node))
        edge[0], edge[3] = f"cause:dehydration|causes|{node_id}", node_id
        edges.append("\t".join(edge))
    (folder / "nodes.tsv").write_text("\n".join(nodes) + "\n", encoding="utf-8")
    (folder / "edges.tsv").write_text("\n".join(edges) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def front(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Front]:
    binary = nginx_or_skip()
    app_port, port = free_port(), free_port()
    prefix = tmp_path_factory.mktemp("nginx-exports")
    env = {
        "SYMPTOM_GRAPH_PACKS": json.dumps([str(padded_pack(tmp_path_factory.mktemp("pack")))]),
        "SYMPTOM_GRAPH_EXPORT_FOLDER": str(tmp_path_factory.mktemp("exports")),
    }
    with (
        running(project_command(app_port), app_port, env=env),
        running_nginx(binary, prefix, port, app_port),
    ):
        yield Front(f"http://127.0.0.1:{port}", prefix)


def test_clients_that_never_read_an_export_make_nginx_spool_nothing(front: Front) -> None:
    # Written once, before the stall; without gzip, sent with its length.
    whole = httpx.get(front.url + "/v1/graph", headers={"Accept-Encoding": "identity"}, timeout=30)
    assert whole.status_code == 200
    assert int(whole.headers["content-length"]) == len(whole.content) > 30_000_000
    stalled = []
    for _ in range(4):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a client reading nothing
        sock.connect(("127.0.0.1", int(front.url.rsplit(":", 1)[1])))
        sock.sendall(b"GET /v1/graph HTTP/1.1\r\nHost: x\r\n\r\n")
        stalled.append(sock)
    try:
        time.sleep(2)  # buffered, nginx read the 31 MB answers from the app at once
        for sock in stalled:  # each was answered, and is not reading on
            sock.settimeout(5)
            assert sock.recv(16).startswith(b"HTTP/1.1 200")
        log = front.error_log.read_text(encoding="utf-8", errors="replace")
        # Buffered, nginx logs each spool, or its failure to open the temp file (its workers
        # may not write under the test's temp folder; a full answer was then cut short).
        assert SPOOLED not in log, log[-2000:]
        assert "/proxy/" not in log, log[-2000:]
    finally:
        for sock in stalled:
            sock.close()
    assert httpx.get(front.url + "/healthz").status_code == 200


def test_exports_have_a_rate_limit_of_their_own(front: Front) -> None:
    time.sleep(11)  # the test above spent the export burst; 6 a minute refill it
    statuses = [httpx.head(front.url + "/v1/graph").status_code for _ in range(8)]
    assert statuses[0] == 200
    assert 429 in statuses, statuses
    refused = httpx.get(front.url + "/v1/graph?format=kgx")
    assert refused.status_code == 429
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "1"
    # Other paths keep the general limit (20/s, bursts of 40).
    assert [httpx.get(front.url + "/v1/meta").status_code for _ in range(8)] == [200] * 8
