"""Start and stop real servers on 127.0.0.1 for benchmarks, soak runs and load tests."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of the process so far (fields 14 and 15 of its stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    startup_seconds: float

    def rss_kib(self) -> int:
        """Resident memory of the server and its worker processes, in KiB."""
        return self._summed_kib("status", "VmRSS:")

    def peak_rss_kib(self) -> int:
        """The highest resident memory of the server and its worker processes, in KiB."""
        return self._summed_kib("status", "VmHWM:")

    def pss_kib(self) -> int:
        """Proportional memory of the server and its workers, in KiB: each shared page counts
        once over the processes sharing it, where RSS counts it in every forked worker."""
        return self._summed_kib("smaps_rollup", "Pss:")

    def _summed_kib(self, proc_file: str, field: str) -> int:
        """One `field` of /proc/PID/`proc_file` (in kB), summed over the server's processes."""
        total = 0
        for pid in [self.process.pid, *_children(self.process.pid)]:
            try:
                text = Path(f"/proc/{pid}/{proc_file}").read_text()
            except OSError:
                continue
            total += next(
                int(line.split()[1]) for line in text.splitlines() if line.startswith(field)
            )
        return total


def project_command(port: int, workers: int = 1) -> list[str]:
    # `python -m app.cli` from REPO (the cwd of `running`) serves this checkout's code; the
    # console script serves whichever checkout the environment was installed from, which
    # differs when several worktrees share one environment.
    return [
        sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip


def reference_command(port: int) -> list[str]:
    return [
        str(BIN / "uvicorn"), "bench.reference_app:app", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip


@contextmanager
def running(
    command: Sequence[str],
    port: int,
    ready_path: str = "/readyz",
    cpu: int | None = None,
    timeout: float = 30.0,
    env: dict[str, str] | None = None,
    log: IO[bytes] | None = None,
    cwd: Path = REPO,
) -> Iterator[Server]:
    """Run `command` from `cwd` (this checkout) until the block ends; `cpu` pins it to one
    core when taskset exists; its stdout and stderr go to `log` when given."""
    if cpu is not None and _has("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    env = {
        **os.environ,
        # This checkout's code, whichever checkout the virtualenv was installed from (a git
        # worktree shares its main checkout's .venv, whose editable install points there).
        "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
        "SYMPTOM_GRAPH_ACCESS_LOG": "false",
        "SYMPTOM_GRAPH_LOG_LEVEL": "warning",
        **(env or {}),
    }
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        startup = _wait_ready(process, url + ready_path, started, timeout)
        yield Server(process, url, startup)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_ready(
    process: subprocess.Popen[bytes], url: str, started: float, timeout: float
) -> float:
    deadline = started + timeout
    with httpx.Client(timeout=1.0) as client:
        while time.perf_counter() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode} before it was ready")
            try:
                if client.get(url).status_code == 200:
                    return time.perf_counter() - started
            except httpx.TransportError:
                pass
            time.sleep(0.01)
    raise TimeoutError(f"{url} not ready within {timeout} s")


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _has(tool: str) -> bool:
    return any((Path(d) / tool).exists() for d in os.environ.get("PATH", "").split(os.pathsep))


DEPLOY = REPO / "deploy" / "nginx"


def nginx_binary() -> str | None:
    """Debian's nginx, if installed (it lives in /usr/sbin, often outside a user's PATH)."""
    for folder in [*os.environ.get("PATH", "").split(os.pathsep), "/usr/sbin", "/usr/local/sbin"]:
        candidate = Path(folder) / "nginx"
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def render_nginx(prefix: Path, listen_port: int, upstream: int | Sequence[int]) -> Path:
    """deploy/nginx's configuration, filled in for 127.0.0.1 and files under `prefix`: the
    one-upstream site for one port, replicas.conf for two (its access log is
    prefix/access.log)."""
    from string import Template

    ports = [upstream] if isinstance(upstream, int) else list(upstream)
    values = {"PREFIX": str(prefix), "NGINX_LISTEN": f"127.0.0.1:{listen_port}"}
    if len(ports) == 1:
        site = "symptom-graph.conf"
        values["SYMPTOM_GRAPH_UPSTREAM"] = f"127.0.0.1:{ports[0]}"
    elif len(ports) == 2:
        site = "replicas.conf"
        values["NGINX_ACCESS_LOG"] = str(prefix / "access.log")
        for number, port in enumerate(ports, start=1):
            values[f"SYMPTOM_GRAPH_REPLICA_{number}"] = f"127.0.0.1:{port}"
    else:
        raise ValueError(f"deploy/nginx has sites for one or two upstreams, not {len(ports)}")
    values["NGINX_SITE"] = site
    for name in (site, "main.conf"):
        text = (DEPLOY / f"{name}.template").read_text(encoding="utf-8")
        # safe_substitute leaves nginx's own $variables as they are.
        (prefix / name).write_text(Template(text).safe_substitute(values), encoding="utf-8")
    # The shared snippets, where the sites' relative includes find them (beside main.conf).
    shutil.copytree(DEPLOY / "symptom-graph", prefix / "symptom-graph", dirs_exist_ok=True)
    return prefix / "main.conf"


@contextmanager
def running_nginx(
    binary: str,
    prefix: Path,
    listen_port: int,
    upstream: int | Sequence[int],
    cpu: int | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """The real nginx in front of the server on `upstream` (or the replicas on each of its
    ports), until the block ends."""
    prefix.chmod(0o755)  # workers may run as another user when the tests run as root
    config = render_nginx(prefix, listen_port, upstream)
    command = [binary, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")]
    check = subprocess.run([*command, "-t"], capture_output=True, text=True, check=False)
    if check.returncode != 0:
        raise RuntimeError(f"nginx refused its configuration:\n{check.stderr}")
    if cpu is not None and _has("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    process = subprocess.Popen(command)
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"nginx exited with {process.returncode}")
            try:
                with socket.create_connection(("127.0.0.1", listen_port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError("nginx did not listen within 15 s") from None
                time.sleep(0.05)
        yield process
    finally:
        if process.poll() is None:
            process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
