"""Two replicas behind the shipped nginx (deploy/nginx/replicas.conf.template): two real
`symptom-graph serve` processes with the knee pack and Debian's nginx in front, all on
127.0.0.1.

Requests are spread over both (each replica's own /metrics counts its share, nginx's access
log names the replica), a replica killed with a request in flight costs no answer (nginx
passes the request to the other one, POSTs included), and with both gone nginx answers a 502 problem+json.
Skips when nginx is not installed, except under CI=true, where that is a failure.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bench.servers import Server, free_port, project_command, running, running_nginx
from tests.paths import nginx_or_skip

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"
DIAGNOSE = {"present": ["symptom:visible-twitching", "symptom:numbness"], "limit": 3}
PACE = 0.06  # under nginx's per-client rate (20 requests/s), so none is refused for rate


class Replicas:
    def __init__(self, servers: list[Server], port: int, prefix: Path) -> None:
        self.servers = servers
        self.url = f"http://127.0.0.1:{port}"
        self.access_log = prefix / "access.log"

    def addresses(self) -> list[str]:
        return [server.url.removeprefix("http://") for server in self.servers]

    def log(self) -> list[dict[str, object]]:
        lines = self.access_log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines]


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Replicas]:
    binary = nginx_or_skip()
    ports = [free_port(), free_port()]
    port = free_port()
    with ExitStack() as stack:
        servers = [stack.enter_context(running(project_command(p), p)) for p in ports]
        stack.enter_context(running_nginx(binary, tmp_path, port, ports))
        yield Replicas(servers, port, tmp_path)


def _v1_counted(server: Server) -> float:
    """/v1 requests this replica counted itself (its /metrics), whatever labels it adds."""
    text = httpx.get(server.url + "/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "http_requests_total"
        and sample.labels.get("route", "").startswith("/v1/")
    )


def _signal(server: Server, signum: signal.Signals) -> None:
    """The replica's process and its workers, if any."""
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children")
    for pid in [server.process.pid, *map(int, children.read_text().split())]:
        os.kill(pid, signum)


def _answers(client: httpx.Client, count: int, gets: bool = True) -> list[httpx.Response]:
    """`count` requests: diagnose POSTs, and node GETs in turn with them when `gets`."""
    answers = []
    for index in range(count):
        if gets and index % 2:
            answers.append(client.get("/v1/nodes/cause:dehydration"))
        else:
            answers.append(client.post("/v1/diagnose", json=DIAGNOSE))
        time.sleep(PACE)
    return answers


def test_requests_are_spread_over_both_replicas_and_one_stops_cleanly(
    replicas: Replicas,
) -> None:
    with httpx.Client(base_url=replicas.url, timeout=10) as client:
        answers = _answers(client, 20)
        trace = client.request("TRACE", "/v1/meta")
    assert [answer.status_code for answer in answers] == [200] * 20
    # Each replica answered a fair share, by its own count.
    counted = [_v1_counted(server) for server in replicas.servers]
    assert sum(counted) == 20
    assert min(counted) >= 5, counted
    # nginx names the replica of every request it passed on.
    served_by = [entry["upstream"] for entry in replicas.log() if entry["uri"] != "/v1/meta"]
    assert sorted(set(served_by)) == sorted(replicas.addresses())
    # The shared front door holds here too: nginx's own refusals are problem+json.
    assert trace.status_code == 405
    assert trace.headers["content-type"] == PROBLEM

    # A rollout's stop (SIGTERM) while requests keep coming: the replica finishes what it
    # has, closes its keep-alive connections and exits 0; nginx sends the rest elsewhere.
    stopping = replicas.servers[0]
    with (
        httpx.Client(base_url=replicas.url, timeout=10) as client,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        during = pool.submit(_answers, client, 24)
        time.sleep(8 * PACE)
        stopping.process.send_signal(signal.SIGTERM)
        assert stopping.process.wait(timeout=20) == 0
        assert [answer.status_code for answer in during.result()] == [200] * 24


def test_a_killed_replica_costs_no_answer_and_both_down_is_a_502_problem(
    replicas: Replicas,
) -> None:
    """The replica is stopped, given a diagnose, then SIGKILLed (a crash, an OOM kill): the
    request was sent and never answered, which nginx passes to the other replica only for
    non_idempotent (a POST refused at connect would be passed on without it)."""
    dying, alive = replicas.servers
    with httpx.Client(base_url=replicas.url, timeout=10) as client:
        warm = _answers(client, 4)  # keep-alive connections to both replicas
        _signal(dying, signal.SIGSTOP)
        with ThreadPoolExecutor(max_workers=3) as pool:
            # Least connections: whichever replica the first one goes to, one of the three
            # is held by the stopped replica (the others are answered by the live one).
            posts = []
            for _ in range(3):
                posts.append(pool.submit(client.post, "/v1/diagnose", json=DIAGNOSE))
                time.sleep(0.3)
            _signal(dying, signal.SIGKILL)
            dying.process.wait(timeout=10)
            in_flight = [post.result() for post in posts]
        after_one = _answers(client, 10)
        _signal(alive, signal.SIGKILL)
        alive.process.wait(timeout=10)
        after_both = [client.get("/v1/meta"), client.post("/v1/diagnose", json=DIAGNOSE)]

    assert [answer.status_code for answer in warm + in_flight + after_one] == [200] * 17
    dead, live = replicas.addresses()
    retried = [entry for entry in replicas.log() if entry["upstream"] == f"{dead}, {live}"]
    assert [(entry["method"], entry["status"]) for entry in retried] == [("POST", 200)]
    assert str(retried[0]["upstream_status"]).endswith(", 200")

    for answer in after_both:
        assert answer.status_code == 502
        assert answer.headers["content-type"] == PROBLEM
        assert answer.headers["retry-after"] == "1"
        assert answer.json()["status"] == 502
