"""`make fuzz`: Schemathesis against the live server, every operation, every check."""

from __future__ import annotations

import subprocess
import sys

from bench.servers import BIN, REPO, free_port, project_command, running


def main() -> None:
    port = free_port()
    examples = sys.argv[1] if len(sys.argv) > 1 else "200"
    with running(project_command(port), port) as server:
        result = subprocess.run(
            [
                str(BIN / "schemathesis"), "--config-file", str(REPO / "schemathesis.toml"),
                "run", f"{server.url}/openapi.json",
                "--checks", "all", "--max-examples", examples, "--workers", "2",
            ],
            cwd=REPO,
        )  # fmt: skip
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
