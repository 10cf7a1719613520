"""Code that `migrate apply --to native` writes, run for real: the routing helpers it calls, and rewritten fixture
outputs (fixtures/transforms/boto3-to-native) executed against the local executor."""

import json
import time
from pathlib import Path

import pytest

from batch_migrate_runtime import (
    CommonCompute,
    ConfigurationError,
    SaladCloud,
    common_compute_states,
    common_compute_submit_arguments,
    salad_queue_of,
    salad_states,
    salad_submit_arguments,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
NATIVE_FIXTURES = REPO_ROOT / "fixtures" / "transforms" / "boto3-to-native"


def _write_config(directory: Path, workload: str, salad_queue: str) -> Path:
    path = directory / "migrate.config.json"
    path.write_text(
        json.dumps(
            {
                "jobQueues": {"gpu-queue": {"commonCompute": {"priority": "standard"}, "salad": {"queue": salad_queue}}},
                "jobDefinitions": {"render": {"commonCompute": {"workload": workload}}},
            }
        ),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def routed(tmp_path, monkeypatch):
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return _write_config(tmp_path, "vt_transcode", "gpu-jobs")


def test_submit_arguments_become_the_target_calls_keywords(routed):
    aws = {
        "jobName": "nightly",
        "jobQueue": "arn:aws:batch:us-east-1:123456789012:job-queue/gpu-queue",
        "jobDefinition": "render:3",
        "parameters": {"scene": "a"},
        "retryStrategy": {"attempts": 2},
        "timeout": {"attemptDurationSeconds": 600},
    }
    assert common_compute_submit_arguments(aws) == {
        "workload": "vt_transcode",
        "priority": "standard",
        "input": {"scene": "a"},
        "name": "nightly",
        "max_attempts": 2,
        "timeout_seconds": 600,
    }
    salad = dict(aws)
    del salad["timeout"]
    assert salad_submit_arguments(salad) == {
        "queue_name": "gpu-jobs",
        "input": {"parameters": {"scene": "a"}},
        "metadata": {"name": "nightly"},
    }


def test_submit_arguments_refuse_what_the_target_cannot_keep(routed):
    base = {"jobName": "n", "jobQueue": "gpu-queue", "jobDefinition": "render"}
    with pytest.raises(ConfigurationError, match="containerOverrides, dependsOn"):
        common_compute_submit_arguments({**base, "dependsOn": [], "containerOverrides": {}})
    with pytest.raises(ConfigurationError, match="jobQueue"):
        common_compute_submit_arguments({"jobName": "n", "jobDefinition": "render"})
    with pytest.raises(ConfigurationError, match="evaluateOnExit"):
        common_compute_submit_arguments({**base, "retryStrategy": {"attempts": 2, "evaluateOnExit": []}})
    with pytest.raises(ConfigurationError, match="cannot stop a running job"):
        salad_submit_arguments({**base, "timeout": {"attemptDurationSeconds": 5}})
    with pytest.raises(ConfigurationError, match="4 times"):
        salad_submit_arguments({**base, "retryStrategy": {"attempts": 5}})
    with pytest.raises(TypeError):
        common_compute_submit_arguments([("jobName", "n")])


def test_batch_statuses_map_to_target_states():
    assert common_compute_states("SUCCEEDED") == ("completed",)
    assert common_compute_states(["FAILED", "SUCCEEDED"]) == ("failed", "dead_letter", "completed")
    assert salad_states(("RUNNABLE", "PENDING")) == ("pending",)
    with pytest.raises(ValueError, match="not an AWS Batch job status"):
        salad_states("DONE")


def test_salad_queue_of_reads_the_queue_mapping(routed):
    assert salad_queue_of("gpu-queue") == "gpu-jobs"
    with pytest.raises(ConfigurationError, match="salad.queue"):
        salad_queue_of("other")


def _load(fixture: str) -> dict:
    namespace: dict = {"__name__": fixture}
    exec(compile((NATIVE_FIXTURES / fixture).read_text(encoding="utf-8"), fixture, "exec"), namespace)
    return namespace


def _wait_for(read, states, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if value in states:
            return value
        assert time.monotonic() < deadline, f"still {value}"
        time.sleep(0.1)


def test_rewritten_submit_with_kwargs_runs_on_common_compute(executor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    _write_config(tmp_path, executor.workload, executor.salad_queue)
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    launcher = _load("submit-kwargs-resolved-at-run-time.output.py")["Launcher"]()
    job_id = launcher.launch(parameters={"code": "0"})
    client = CommonCompute(executor.base_url, executor.api_key)
    assert _wait_for(lambda: client.jobs.get(job_id)["state"], {"completed"}) == "completed"
    slow = launcher.launch(parameters={"sleep": "20"})
    launcher.stop(slow)
    assert client.jobs.get(slow)["state"] == "failed"
    with pytest.raises(ConfigurationError, match="dependsOn"):
        launcher.launch(dependsOn=[{"jobId": job_id}])


def test_rewritten_submit_with_kwargs_runs_on_salad(executor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    # The fixture's cancel names the one queue its config maps ("gpu-jobs"): route submits there too.
    _write_config(tmp_path, executor.workload, "gpu-jobs")
    for name, value in {
        "SALAD_API_KEY": executor.api_key,
        "SALAD_BASE_URL": executor.base_url,
        "SALAD_ORGANIZATION_NAME": "acme-corp",
        "SALAD_PROJECT_NAME": "dev-env",
    }.items():
        monkeypatch.setenv(name, value)
    salad = SaladCloud()
    if "gpu-jobs" not in {queue["name"] for queue in salad.list_queues()["items"]}:
        salad.create_queue("gpu-jobs", display_name="GPU jobs")
    launcher = _load("submit-kwargs-resolved-at-run-time-salad.output.py")["Launcher"]()
    job_id = launcher.launch(parameters={"code": "0"})
    job = salad.get_queue_job("gpu-jobs", job_id)
    assert job["input"] == {"parameters": {"code": "0"}}
    assert job["metadata"] == {"name": "nightly"}
    assert job["status"] in salad_states(["SUBMITTED", "RUNNING", "SUCCEEDED"])
    launcher.stop(job_id)


def test_salad_queue_of_job_finds_the_queue_holding_a_job(executor, tmp_path, monkeypatch):
    from batch_migrate_runtime import salad_queue_of_job

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    (tmp_path / "migrate.config.json").write_text(
        json.dumps({"jobQueues": {"a": {"salad": {"queue": "lookup-a"}}, "b": {"salad": {"queue": "lookup-b"}}}}),
        encoding="utf-8",
    )
    salad = SaladCloud(executor.api_key, base_url=executor.base_url, organization_name="acme-corp", project_name="dev-env")
    existing = {queue["name"] for queue in salad.list_queues()["items"]}
    for name in ("lookup-a", "lookup-b"):
        if name not in existing:
            salad.create_queue(name, display_name=name)
    job = salad.create_queue_job("lookup-b", {"parameters": {}})
    assert salad_queue_of_job(salad, job["id"]) == "lookup-b"
    assert salad.get_queue_job(salad_queue_of_job(salad, job["id"]), job["id"])["id"] == job["id"]
    with pytest.raises(ConfigurationError, match="none of the SaladCloud queues"):
        salad_queue_of_job(salad, "00000000-0000-4000-8000-000000000000")


def _salad_env(executor, monkeypatch, queue):
    for name, value in {
        "SALAD_API_KEY": executor.api_key,
        "SALAD_BASE_URL": executor.base_url,
        "SALAD_ORGANIZATION_NAME": "acme-corp",
        "SALAD_PROJECT_NAME": "dev-env",
    }.items():
        monkeypatch.setenv(name, value)
    salad = SaladCloud()
    if queue not in {item["name"] for item in salad.list_queues()["items"]}:
        salad.create_queue(queue, display_name=queue)
    return salad


def test_rewritten_cancels_whose_response_is_printed_or_unused_run_on_common_compute(executor, monkeypatch, capsys):
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    module = _load("cancel-response-printed-or-unused-to-common-compute.output.py")
    client = CommonCompute(executor.base_url, executor.api_key)
    jobs = [client.jobs.submit(executor.workload, {"parameters": {"sleep": "20"}})["id"] for _ in range(5)]
    module["cancel"](jobs[0], verbose=True)
    assert "result: {'ok': True}" in capsys.readouterr().out
    module["terminate"](jobs[1])
    module["terminate_quietly"](jobs[2])
    assert module["cancel_confirmed"](jobs[3]) == "cancel requested"
    assert module["terminate_checked"](jobs[4]) is True
    assert {client.jobs.get(job)["state"] for job in jobs} == {"failed"}


def test_rewritten_cancels_whose_response_is_printed_or_unused_run_on_salad(executor, monkeypatch, capsys):
    salad = _salad_env(executor, monkeypatch, "gpu-jobs")
    module = _load("cancel-response-printed-or-unused-to-salad.output.py")
    # Pending jobs: no worker takes them from this queue, and SaladCloud only cancels pending jobs.
    jobs = [salad.create_queue_job("gpu-jobs", {"parameters": {}})["id"] for _ in range(4)]
    module["cancel"](jobs[0], verbose=True)
    assert "result: None" in capsys.readouterr().out
    module["terminate"](jobs[1])
    module["terminate_quietly"](jobs[2])
    assert module["terminate_checked"](jobs[3]) is True
    assert {salad.get_queue_job("gpu-jobs", job)["status"] for job in jobs} == {"cancelled"}


def test_rewritten_private_wrappers_hand_the_target_job_to_their_callers(executor, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    (tmp_path / "migrate.config.json").write_text(
        json.dumps(
            {
                "jobQueues": {"gpu-queue": {"commonCompute": {"priority": "standard"}}},
                "jobDefinitions": {"render": {"commonCompute": {"workload": executor.workload}}},
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    module = _load("wrapper-returns-followed-to-callers.output.py")
    farm = module["Farm"]()
    job_id = farm.launch("hall")
    assert _wait_for(lambda: module["succeeded"](job_id), {True}) is True
    assert module["describe_for_humans"](job_id).endswith(" is completed")
    assert farm.failed() == []
    assert farm.running() == []


def test_rewritten_status_checks_read_200_from_target_answers(executor, monkeypatch):
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    module = _load("success-status-read-is-200-to-common-compute.output.py")
    job_id = module["launch"]("hall")
    assert _wait_for(lambda: module["status"](job_id), {True}) is True


def test_rewritten_describe_leaves_out_ids_the_target_does_not_know(executor, monkeypatch):
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    module = _load("described-ids-the-target-does-not-know-are-left-out.output.py")
    unknown = "00000000-0000-4000-8000-000000000000"
    job = CommonCompute(executor.base_url, executor.api_key).jobs.submit(executor.workload, {"parameters": {}})
    assert module["known"]([unknown, job["id"]]) == [job["id"]]
    assert module["exists"](job["id"]) is True
    assert module["exists"](unknown) is False


def test_described_jobs_leaves_out_jobs_no_mapped_salad_queue_holds(executor, tmp_path, monkeypatch):
    from batch_migrate_runtime import described_jobs, salad_queue_of_job

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    (tmp_path / "migrate.config.json").write_text(
        json.dumps({"jobQueues": {"a": {"salad": {"queue": "lookup-a"}}, "b": {"salad": {"queue": "lookup-b"}}}}),
        encoding="utf-8",
    )
    salad = SaladCloud(executor.api_key, base_url=executor.base_url, organization_name="acme-corp", project_name="dev-env")
    existing = {queue["name"] for queue in salad.list_queues()["items"]}
    for name in ("lookup-a", "lookup-b"):
        if name not in existing:
            salad.create_queue(name, display_name=name)
    job = salad.create_queue_job("lookup-a", {"parameters": {}})
    unknown = "00000000-0000-4000-8000-000000000001"
    read = lambda job_id: salad.get_queue_job(salad_queue_of_job(salad, job_id), job_id)  # noqa: E731
    assert [found["id"] for found in described_jobs(read, [unknown, job["id"]])] == [job["id"]]
