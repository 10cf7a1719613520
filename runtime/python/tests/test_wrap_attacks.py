"""Hostile queue-job input against the Python wrapper (loopback only): only the wrapped command runs, no
program-choosing variable gets through, it listens on 127.0.0.1 by default, one job at a time, deep JSON is a 400."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import pytest

from batch_migrate_runtime.wrap import Wrapper, _parse, serve


def post(url: str, body: bytes) -> Tuple[int, Dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def started(wrapper: Wrapper) -> Iterator[str]:
    server = serve(wrapper, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{server.server_address[0]}:{server.server_address[1]}/process"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def wrapped() -> Iterator[str]:
    yield from started(Wrapper([sys.executable, "-c", "import sys; print('wrapped', sys.argv[1:])", "Ref::name"], echo=False))


def test_the_default_address_is_loopback_and_the_cli_says_so() -> None:
    options, _ = _parse(["--port", "0", "--", "job"])
    assert (options.host, options.max_concurrent) == ("127.0.0.1", 1)


def test_the_inputs_command_and_program_choosing_variables_never_run(wrapped: str, tmp_path: Path) -> None:
    sentinel = tmp_path / "sentinel"
    sentinel.mkdir()
    startup = tmp_path / "startup.py"
    startup.write_text(f"open({str(sentinel / 'pythonstartup')!r}, 'w').write('ran')\n")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "sitecustomize.py").write_text(f"open({str(sentinel / 'sitecustomize')!r}, 'w').write('ran')\n")
    attacks = [
        {"command": ["sh", "-c", f"id -u > {sentinel / 'command'}"]},
        {"parameters": {"name": "x"}, "command": [sys.executable, "-c", f"open({str(sentinel / 'argv')!r}, 'w')"]},
        {"environment": {"PYTHONPATH": str(package), "PYTHONSTARTUP": str(startup), "PYTHONINSPECT": "1"}},
        {"environment": [{"name": "LD_PRELOAD", "value": str(sentinel / "evil.so")}, {"name": "PATH", "value": str(sentinel)}]},
        {"environment": {"pythonpath": str(package), "BASH_ENV": str(startup)}},
    ]
    for attack in attacks:
        status, report = post(wrapped, json.dumps(attack).encode())
        assert status == 200, (attack, report)
        assert report["command"][:2] == [sys.executable, "-c"]
        assert report["stdoutTail"].startswith("wrapped")
    _, last = post(wrapped, json.dumps(attacks[4]).encode())
    assert sorted(last["ignoredEnvironment"]) == ["BASH_ENV", "pythonpath"]
    assert list(sentinel.iterdir()) == []


def test_deep_json_is_a_400_and_the_wrapper_keeps_serving(wrapped: str) -> None:
    levels = 100_000
    started_at = time.monotonic()
    status, body = post(wrapped, ("[" * levels + "]" * levels).encode())
    assert (status, body) == (400, {"error": "the job input is nested too deeply"})
    assert time.monotonic() - started_at < 2
    assert post(wrapped, b"{}")[0] == 200


def test_one_job_at_a_time_a_second_gets_a_503() -> None:
    for url in started(Wrapper([sys.executable, "-c", "import time; time.sleep(0.8)"], echo=False)):
        answers: Dict[str, int] = {}
        first = threading.Thread(target=lambda: answers.setdefault("first", post(url, b"{}")[0]))
        first.start()
        time.sleep(0.3)
        answers["second"] = post(url, b"{}")[0]
        first.join(10)
        assert answers == {"first": 200, "second": 503}
        assert post(url, b"{}")[0] == 200
