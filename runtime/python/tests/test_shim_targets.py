"""The shim over the executor's Common Compute and SaladCloud faces: what is emulated works end to end, and
every response keeps botocore's shape."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from batch_migrate_runtime import SaladCloud
from batch_migrate_runtime import boto3 as shim_boto3
from botocore_shapes import assert_shape


def wait_terminal(client, job_id, timeout=25.0):
    deadline = time.monotonic() + timeout
    while True:
        response = client.describe_jobs(jobs=[job_id])
        assert_shape("DescribeJobs", response)
        job = response["jobs"][0]
        if job["status"] in ("SUCCEEDED", "FAILED"):
            return job
        assert time.monotonic() < deadline, f"{job_id} still {job['status']}"
        time.sleep(0.05)


@pytest.fixture
def project(executor, tmp_path, monkeypatch):
    queue = f"q-{uuid.uuid4().hex[:8]}"
    config = {
        "jobQueues": {queue: {"priority": 1, "salad": {"queue": executor.salad_queue}, "commonCompute": {"priority": "standard"}}},
        "jobDefinitions": {
            "echo": {
                "type": "container",
                "parameters": {"code": "0"},
                "containerProperties": {"image": "echo:1", "command": ["echo", "Ref::code"]},
                "commonCompute": {"workload": executor.workload},
            }
        },
    }
    (tmp_path / "migrate.config.json").write_text(json.dumps(config))
    monkeypatch.chdir(tmp_path)
    for variable in ("BATCH_MIGRATE_CONFIG", "BATCH_MIGRATE_QUEUE_MAP", "BATCH_MIGRATE_STATE_DIR", "BATCH_MIGRATE_EMULATE_DEPENDENCIES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    monkeypatch.setenv("SALAD_BASE_URL", executor.base_url)
    monkeypatch.setenv("SALAD_API_KEY", executor.api_key)
    monkeypatch.setenv("SALAD_ORGANIZATION_NAME", "acme-corp")
    monkeypatch.setenv("SALAD_PROJECT_NAME", "dev-env")
    return queue


def test_common_compute_target_runs_plain_array_dependent_and_retried_jobs(project, monkeypatch):
    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "common-compute")
    batch = shim_boto3.client("batch")
    plain = batch.submit_job(jobName="plain", jobQueue=project, jobDefinition="echo")
    assert_shape("SubmitJob", plain)
    array = batch.submit_job(jobName="frames", jobQueue=project, jobDefinition="echo", arrayProperties={"size": 2})
    merge = batch.submit_job(jobName="merge", jobQueue=project, jobDefinition="echo", dependsOn=[{"jobId": array["jobId"]}])
    retried = batch.submit_job(
        jobName="flaky",
        jobQueue=project,
        jobDefinition="echo",
        parameters={"code": "5"},
        retryStrategy={"attempts": 2, "evaluateOnExit": [{"action": "RETRY", "onExitCode": "5"}, {"action": "EXIT", "onReason": "*"}]},
    )
    done = wait_terminal(batch, plain["jobId"])
    assert (done["status"], done["statusReason"]) == ("SUCCEEDED", "Essential container in task exited")
    parent = wait_terminal(batch, array["jobId"])
    assert parent["status"] == "SUCCEEDED" and parent["arrayProperties"]["statusSummary"]["SUCCEEDED"] == 2
    dependent = wait_terminal(batch, merge["jobId"])
    assert dependent["status"] == "SUCCEEDED" and dependent["startedAt"] >= parent["stoppedAt"]
    flaky = wait_terminal(batch, retried["jobId"])
    assert flaky["status"] == "FAILED" and len(flaky["attempts"]) == 2
    assert [attempt["container"].get("exitCode") for attempt in flaky["attempts"]] == [5, 5]
    listed = batch.list_jobs(jobQueue=project, jobStatus="SUCCEEDED")
    assert_shape("ListJobs", listed)
    assert {plain["jobId"], array["jobId"], merge["jobId"]} <= {job["jobId"] for job in listed["jobSummaryList"]}


def test_common_compute_target_cancel_and_terminate(project, monkeypatch):
    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "common-compute")
    batch = shim_boto3.client("batch")
    sleeper = batch.submit_job(jobName="sleeper", jobQueue=project, jobDefinition="echo", parameters={"sleep": "20"})
    deadline = time.monotonic() + 10
    while batch.describe_jobs(jobs=[sleeper["jobId"]])["jobs"][0]["status"] != "RUNNING":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert {job["jobId"] for job in batch.list_jobs(jobQueue=project)["jobSummaryList"]} == {sleeper["jobId"]}
    batch.cancel_job(jobId=sleeper["jobId"], reason="cancel does not stop a running job")
    assert batch.describe_jobs(jobs=[sleeper["jobId"]])["jobs"][0]["status"] == "RUNNING"
    assert_shape("TerminateJob", batch.terminate_job(jobId=sleeper["jobId"], reason="stop now"))
    stopped = wait_terminal(batch, sleeper["jobId"])
    assert (stopped["status"], stopped["statusReason"], stopped["isTerminated"]) == ("FAILED", "stop now", True)


def test_salad_target_runs_plain_and_array_jobs(project, monkeypatch, executor):
    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "salad")
    salad = SaladCloud(executor.api_key, base_url=executor.base_url, organization_name="acme-corp", project_name="dev-env")
    if executor.salad_queue not in {queue["name"] for queue in salad.list_queues()["items"]}:
        salad.create_queue(executor.salad_queue)
    batch = shim_boto3.client("batch")
    plain = batch.submit_job(jobName="plain", jobQueue=project, jobDefinition="echo")
    array = batch.submit_job(jobName="frames", jobQueue=project, jobDefinition="echo", arrayProperties={"size": 2})
    done = wait_terminal(batch, plain["jobId"])
    assert done["status"] == "SUCCEEDED" and isinstance(done["startedAt"], int) and done["stoppedAt"] >= done["startedAt"]
    parent = wait_terminal(batch, array["jobId"])
    assert parent["status"] == "SUCCEEDED"
    children = batch.list_jobs(arrayJobId=array["jobId"], jobStatus="SUCCEEDED")
    assert_shape("ListJobs", children)
    assert sorted(job["jobId"] for job in children["jobSummaryList"]) == [f"{array['jobId']}:0", f"{array['jobId']}:1"]
    plain_output = salad.get_queue_job(executor.salad_queue, plain["jobId"])["output"]
    assert plain_output["job_id"] == plain["jobId"] and plain_output["echo"]["command"] == ["echo", "0"]
    child_id = f"{array['jobId']}:1"
    child_target = next(job for job in salad.iterate_queue_jobs(executor.salad_queue) if job["metadata"].get("aws_job_id") == child_id)
    environment = child_target["output"]["echo"]["environment"]
    assert (environment["AWS_BATCH_JOB_ID"], environment["AWS_BATCH_JOB_ARRAY_INDEX"], environment["AWS_BATCH_JOB_ARRAY_SIZE"]) == (child_id, "1", "2")


def test_local_target_runs_the_command_registered_in_migrate_config(executor, tmp_path, monkeypatch):
    suffix = uuid.uuid4().hex[:8]
    definition = f"say-{suffix}"
    config = {
        "computeEnvironments": {f"ce-{suffix}": {"type": "UNMANAGED"}},
        "jobQueues": {f"queue-{suffix}": {"priority": 1, "computeEnvironments": [f"ce-{suffix}"]}},
        "jobDefinitions": {
            definition: {
                "type": "container",
                "parameters": {"code": "0"},
                "containerProperties": {"image": "python:3", "command": ["python3", "-c", "import sys; sys.exit(int(sys.argv[1]))", "Ref::code"]},
            }
        },
    }
    (tmp_path / "migrate.config.json").write_text(json.dumps(config))
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "local")
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    batch = shim_boto3.client("batch")
    definitions = batch.describe_job_definitions(jobDefinitionName=definition)
    assert_shape("DescribeJobDefinitions", definitions)
    assert [d["revision"] for d in definitions["jobDefinitions"]] == [1]
    queues = batch.describe_job_queues(jobQueues=[f"queue-{suffix}"])
    assert_shape("DescribeJobQueues", queues)
    assert queues["jobQueues"][0]["jobQueueName"] == f"queue-{suffix}"
    succeeded = batch.submit_job(jobName="ok", jobQueue=f"queue-{suffix}", jobDefinition=definition)
    failed = batch.submit_job(jobName="fails", jobQueue=f"queue-{suffix}", jobDefinition=definition, parameters={"code": "7"})
    assert wait_terminal(batch, succeeded["jobId"])["status"] == "SUCCEEDED"
    failure = wait_terminal(batch, failed["jobId"])
    assert failure["status"] == "FAILED" and failure["container"]["exitCode"] == 7
    assert failure["container"]["command"][-1] == "7"
