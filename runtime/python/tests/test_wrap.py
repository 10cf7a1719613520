"""The Python job wrapper: Ref:: substitution, AWS_BATCH_* variables, 200/500 answers, timeouts, and the module entry point."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest

from batch_migrate_runtime.wrap import JobInputError, Wrapper, prepare_run, serve, substitute_parameters

PACKAGE_ROOT = Path(__file__).resolve().parents[1]

# A stand-in for a Batch job's CLI: `job <mode> <video>`, recording what it got in the wrapper's output file.
JOB_SCRIPT = (
    "import json, os, sys\n"
    "mode, video = sys.argv[1:3]\n"
    "attempt = int(os.environ['AWS_BATCH_JOB_ATTEMPT'])\n"
    "print('transcoding', video, 'attempt', attempt)\n"
    "if mode == 'fail' or (mode == 'fail-once' and attempt < 2):\n"
    "    print('boom', file=sys.stderr); sys.exit(3)\n"
    "env = {k: v for k, v in os.environ.items() if k.startswith('AWS_BATCH_') or k == 'CODEC'}\n"
    "open(os.environ['BATCH_MIGRATE_OUTPUT_PATH'], 'w').write(json.dumps({'video': video, 'attempt': attempt, 'env': env}))\n"
)


def post(url: str, body: bytes, headers: Optional[Dict[str, str]] = None) -> Tuple[int, Dict[str, Any]]:
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture()
def wrapper_url() -> Iterator[str]:
    wrapper = Wrapper(
        [sys.executable, "-c", JOB_SCRIPT, "Ref::mode", "Ref::video"],
        path="process",
        parameters={"mode": "ok", "video": "sample"},
        timeout_seconds=None,
        job_queue="video-gpu-queue",
        compute_environment="video-gpu-spot",
        echo=False,
    )
    server = serve(wrapper, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_substitution_prefers_whole_items_then_the_longest_name_and_leaves_unknown_references() -> None:
    parameters = {"in": "a.mp4", "in-dir": "/data", "codec": "hevc"}
    command = ["ffmpeg", "-i", "Ref::in", "Ref::in-dir/x", "--codec=Ref::codec", "Ref::missing", "Ref::in-x"]
    assert substitute_parameters(command, parameters) == ["ffmpeg", "-i", "a.mp4", "/data/x", "--codec=hevc", "Ref::missing", "a.mp4-x"]


def test_job_input_overrides_defaults_and_sets_the_batch_variables() -> None:
    argv, added, job_id, attempt = prepare_run(
        {"parameters": {"video": "cat.mp4"}, "environment": [{"name": "CODEC", "value": "hevc"}], "arrayProperties": {"index": 2, "size": 5}},
        ["job", "Ref::mode", "Ref::video"],
        {"mode": "ok", "video": "sample"},
        job_queue="q",
        compute_environment="ce",
        salad_job_id="abc",
        counted_attempt=3,
    )
    assert argv == ["job", "ok", "cat.mp4"]
    assert (job_id, attempt) == ("abc:2", 3)
    assert added == {
        "CODEC": "hevc",
        "AWS_BATCH_JOB_ID": "abc:2",
        "AWS_BATCH_JOB_ATTEMPT": "3",
        "AWS_BATCH_JQ_NAME": "q",
        "AWS_BATCH_CE_NAME": "ce",
        "AWS_BATCH_JOB_ARRAY_INDEX": "2",
        "AWS_BATCH_JOB_ARRAY_SIZE": "5",
    }


def test_the_shims_envelope_wins_but_its_command_never_runs_salads_fan_out_shape_is_read_and_bad_input_is_refused() -> None:
    envelope = {"jobId": "j-1", "jobQueue": "real-q", "command": ["other", "x"], "environment": {"AWS_BATCH_JOB_ATTEMPT": "2", "LD_PRELOAD": "/tmp/x.so"}}
    run = prepare_run(envelope, ["job"], {}, job_queue="q", counted_attempt=1)
    argv, added, job_id, attempt = run
    assert (argv, job_id, attempt, added["AWS_BATCH_JQ_NAME"]) == (["job"], "j-1", 2, "real-q")
    assert (run.ignored_command, run.ignored_environment, "LD_PRELOAD" in added) == (["other", "x"], ["LD_PRELOAD"], False)
    _, added, _, _ = prepare_run({"index": 1, "total": 4}, ["job"], {}, salad_job_id="s")
    assert (added["AWS_BATCH_JOB_ARRAY_INDEX"], added["AWS_BATCH_JOB_ARRAY_SIZE"], added["AWS_BATCH_JOB_ID"]) == ("1", "4", "s:1")
    for bad in ([1], {"parameters": [1]}, {"command": "echo hi"}, {"attempt": 0}):
        with pytest.raises(JobInputError):
            prepare_run(bad, ["job"], {})


def test_success_answers_200_with_the_report_and_the_output_file(wrapper_url: str) -> None:
    body = {"parameters": {"video": "cat.mp4"}, "environment": {"CODEC": "hevc"}}
    status, report = post(f"{wrapper_url}/process", json.dumps(body).encode(), {"Salad-Job-Id": "job-1"})
    assert status == 200
    assert report["exitCode"] == 0 and report["attempt"] == 1 and report["jobId"] == "job-1"
    assert report["stdoutTail"] == "transcoding cat.mp4 attempt 1\n"
    assert report["output"]["video"] == "cat.mp4"
    assert report["output"]["env"] == {
        "AWS_BATCH_JOB_ID": "job-1",
        "AWS_BATCH_JOB_ATTEMPT": "1",
        "AWS_BATCH_JQ_NAME": "video-gpu-queue",
        "AWS_BATCH_CE_NAME": "video-gpu-spot",
        "CODEC": "hevc",
    }
    assert isinstance(report["durationMs"], int)


def test_a_failure_answers_500_and_the_redelivery_counts_as_the_next_attempt(wrapper_url: str) -> None:
    body = json.dumps({"parameters": {"mode": "fail-once"}}).encode()
    first = post(f"{wrapper_url}/process", body, {"Salad-Job-Id": "job-2"})
    second = post(f"{wrapper_url}/process", body, {"Salad-Job-Id": "job-2"})
    assert first[0] == 500 and first[1]["exitCode"] == 3 and first[1]["stderrTail"] == "boom\n" and "output" not in first[1]
    assert second[0] == 200 and second[1]["attempt"] == 2


def test_probes_wrong_paths_and_unusable_input(wrapper_url: str) -> None:
    with urllib.request.urlopen(f"{wrapper_url}/health", timeout=10) as response:
        assert json.loads(response.read()) == {"status": "ready"}
    status, body = post(f"{wrapper_url}/elsewhere", b"{}")
    assert status == 503 and "queue_connection.path" in body["error"]
    assert post(f"{wrapper_url}/process", b"not json") == (400, {"error": "the job input is not valid JSON"})


def test_a_command_that_outlives_the_timeout_is_stopped_and_answers_500() -> None:
    wrapper = Wrapper([sys.executable, "-c", "import time; time.sleep(30)"], timeout_seconds=0.5, kill_grace_seconds=0.5, echo=False)
    started = time.monotonic()
    report = wrapper.run(wrapper.command, {}, "j", 1)
    assert report["timedOut"] is True and report["exitCode"] is None
    assert time.monotonic() - started < 10


def test_the_module_entry_point_serves_jobs() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "batch_migrate_runtime.wrap", "--host", "127.0.0.1", "--port", str(port), "--path", "/run",
               "--param", "word=hello", "--", sys.executable, "-c", "import sys; print(sys.argv[1])", "Ref::word"]
    process = subprocess.Popen(command, cwd=PACKAGE_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                status, report = post(f"http://127.0.0.1:{port}/run", b"{}")
                break
            except urllib.error.URLError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert status == 200 and report["stdoutTail"] == "hello\n" and report["command"][-1] == "hello"
    finally:
        process.terminate()
        process.wait(10)
