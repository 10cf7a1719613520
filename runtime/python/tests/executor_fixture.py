"""Session fixture: the project's local executor (runtime/bin/batch-migrate-runtime.js) on a free loopback port."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
RUNTIME_DIR = REPO_ROOT / "runtime"
# BATCH_MIGRATE_TEST_EXECUTOR_BIN runs another build of the executor (e.g. one compiled outside the tree).
EXECUTOR_BIN = Path(os.environ.get("BATCH_MIGRATE_TEST_EXECUTOR_BIN") or RUNTIME_DIR / "bin" / "batch-migrate-runtime.js")
READY_TIMEOUT_SECONDS = 20.0


WORKLOAD_SCRIPT = (
    "import json, sys, time\n"
    "payload = json.load(sys.stdin)\n"
    "parameters = payload.get('parameters') or {}\n"
    "time.sleep(float(parameters.get('sleep', '0')))\n"
    "print(json.dumps({'echo': payload}))\n"
    "sys.exit(int(parameters.get('code', '0')))\n"
)


class QueueApp:
    """The app a SaladCloud queue worker would call: echoes the input, fails (500) when parameters.code != "0",
    and waits parameters.sleep seconds first."""

    def __init__(self) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
                parameters = (body or {}).get("parameters") or {} if isinstance(body, dict) else {}
                time.sleep(float(parameters.get("sleep", "0")))
                failing = str(parameters.get("code", "0")) != "0"
                data = json.dumps({"echo": body, "job_id": self.headers.get("Salad-Job-Id")}).encode()
                self.send_response(500 if failing else 200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Executor:
    base_url: str
    api_key: str
    state_dir: Path
    process: subprocess.Popen
    salad_queue: str = "echo-queue"
    workload: str = "echo-json"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _build_is_stale() -> bool:
    dist = RUNTIME_DIR / "dist"
    if not dist.is_dir():
        return True
    newest_source = max((path.stat().st_mtime for path in (RUNTIME_DIR / "src").rglob("*.ts")), default=0.0)
    newest_output = max((path.stat().st_mtime for path in dist.rglob("*.js")), default=0.0)
    return newest_source > newest_output


def _answers_http(base_url: str, api_key: str) -> bool:
    request = urllib.request.Request(f"{base_url}/v1/jobs/readiness-probe", headers={"Authorization": f"Bearer {api_key}"})
    try:
        with urllib.request.urlopen(request, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


@pytest.fixture(scope="session")
def executor(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Executor]:
    if not EXECUTOR_BIN.is_file():
        pytest.skip(f"the local executor is not in the tree yet ({EXECUTOR_BIN} is missing)")
    if "BATCH_MIGRATE_TEST_EXECUTOR_BIN" not in os.environ and _build_is_stale():
        subprocess.run(["npx", "tsc", "-p", "runtime"], cwd=REPO_ROOT, check=True, capture_output=True, timeout=300)
    state_dir = tmp_path_factory.mktemp("executor-state")
    work_dir = tmp_path_factory.mktemp("executor-work")
    log_path = work_dir / "executor.log"
    app = QueueApp()
    (work_dir / "migrate.config.json").write_text(
        json.dumps(
            {
                "workloads": {"echo-json": {"command": ["python3", "-c", WORKLOAD_SCRIPT]}},
                "saladQueues": {"echo-queue": {"port": app.port, "path": "/run", "replicas": 1}},
            }
        )
    )
    port = _free_port()
    api_key = "cc_test_" + secrets.token_hex(24)
    base_url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [
                "node",
                str(EXECUTOR_BIN),
                "executor",
                "--port",
                str(port),
                "--state-dir",
                str(state_dir),
                "--api-key",
                api_key,
                "--kill-grace-ms",
                "500",
                "--config",
                str(work_dir / "migrate.config.json"),
                # The shim's Common Compute target uses the assumed generic job API (runtime/README.md).
                "--cc-extensions",
            ],
            cwd=work_dir,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "CI": "1"},
        )
    try:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while not _answers_http(base_url, api_key):
            if process.poll() is not None:
                pytest.fail(f"the executor exited with {process.returncode}:\n{log_path.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                pytest.fail(f"the executor did not answer within {READY_TIMEOUT_SECONDS} s:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.1)
        yield Executor(base_url, api_key, state_dir, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        app.close()
