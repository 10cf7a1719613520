"""AWS Batch's admin operations on the local executor, held to the official client and cross-checked with moto.

Real boto3 (endpoint_url = the executor) creates a compute environment, a queue and a scheduling policy, registers a
definition, submits a job, describes and deletes; botocore must parse every answer. The same test-fixture calls (the
ones corpus test suites make, e.g. prefect-aws's tests/test_batch.py) then run against moto, where moto is faithful
(response members, ARNs, the duplicate-queue error), and through the shim's boto3 on target local. Where moto is more
generous than AWS (it deletes ENABLED resources and resources still in use, targets.md D.6) the executor is held to
the AWS API reference instead.
"""

from __future__ import annotations

import os
import time
import uuid

import pytest

boto3 = pytest.importorskip("boto3")
from botocore.exceptions import ClientError, ParamValidationError  # noqa: E402

NODE = "node"


@pytest.fixture
def real(executor):
    return boto3.client(
        "batch",
        endpoint_url=executor.base_url,
        region_name="us-east-1",
        aws_access_key_id=executor.api_key,
        aws_secret_access_key="not-checked",
    )


@pytest.fixture
def shim(executor, monkeypatch):
    from batch_migrate_runtime import boto3 as shim_boto3

    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "local")
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    return shim_boto3.client("batch", region_name="us-east-1")


@pytest.fixture
def moto_client():
    from moto import mock_aws

    saved = {key: os.environ.get(key) for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    try:
        with mock_aws():
            yield boto3.client("batch", region_name="us-east-1")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def fixture_calls(batch, suffix: str, role: str):
    """What a test fixture does: an UNMANAGED compute environment, a queue on it, a definition (prefect-aws's)."""
    environment = batch.create_compute_environment(computeEnvironmentName=f"test-ce-{suffix}", type="UNMANAGED", serviceRole=role)
    queue = batch.create_job_queue(
        jobQueueName=f"test-queue-{suffix}",
        state="ENABLED",
        priority=1,
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment["computeEnvironmentArn"]}],
    )
    definition = batch.register_job_definition(
        jobDefinitionName=f"test-def-{suffix}",
        type="container",
        containerProperties={"image": "busybox", "vcpus": 1, "memory": 128, "command": [NODE, "-e", ""]},
    )
    return environment, queue, definition


def wait_terminal(batch, job_id: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = batch.describe_jobs(jobs=[job_id])["jobs"][0]["status"]
        if status in ("SUCCEEDED", "FAILED"):
            return status
        assert time.monotonic() < deadline, f"job {job_id} still {status}"
        time.sleep(0.05)


def error_of(call) -> dict:
    with pytest.raises(ClientError) as raised:
        call()
    return {"code": raised.value.response["Error"]["Code"], "status": raised.value.response["ResponseMetadata"]["HTTPStatusCode"], "message": raised.value.response["Error"]["Message"]}


def test_real_boto3_runs_a_fixture_queue_and_deletes_in_aws_order(real):
    suffix = uuid.uuid4().hex[:8]
    environment, queue, definition = fixture_calls(real, suffix, "arn:aws:iam::000000000000:role/batch")
    assert environment["computeEnvironmentArn"] == f"arn:aws:batch:us-east-1:000000000000:compute-environment/test-ce-{suffix}"
    assert queue["jobQueueArn"] == f"arn:aws:batch:us-east-1:000000000000:job-queue/test-queue-{suffix}"
    detail = real.describe_compute_environments(computeEnvironments=[environment["computeEnvironmentArn"]])["computeEnvironments"][0]
    assert detail["status"] == "VALID" and detail["state"] == "ENABLED" and detail["type"] == "UNMANAGED"
    job = real.submit_job(jobName="fixture-job", jobQueue=queue["jobQueueArn"], jobDefinition=definition["jobDefinitionArn"])
    assert wait_terminal(real, job["jobId"]) == "SUCCEEDED"

    assert error_of(lambda: real.delete_job_queue(jobQueue=queue["jobQueueArn"]))["code"] == "ClientException"
    real.update_compute_environment(computeEnvironment=environment["computeEnvironmentArn"], state="DISABLED")
    in_use = error_of(lambda: real.delete_compute_environment(computeEnvironment=environment["computeEnvironmentArn"]))
    assert in_use["status"] == 400 and "associated with job queue" in in_use["message"]
    real.update_job_queue(jobQueue=queue["jobQueueArn"], state="DISABLED")
    real.delete_job_queue(jobQueue=queue["jobQueueArn"])
    real.delete_compute_environment(computeEnvironment=environment["computeEnvironmentArn"])
    assert real.describe_job_queues(jobQueues=[queue["jobQueueArn"]])["jobQueues"] == []
    assert real.describe_compute_environments(computeEnvironments=[environment["computeEnvironmentArn"]])["computeEnvironments"] == []
    real.deregister_job_definition(jobDefinition=definition["jobDefinitionArn"])
    assert real.describe_job_definitions(jobDefinitions=[definition["jobDefinitionArn"]])["jobDefinitions"][0]["status"] == "INACTIVE"


def test_real_boto3_fair_share_queue_takes_share_identifiers(real):
    suffix = uuid.uuid4().hex[:8]
    environment = real.create_compute_environment(computeEnvironmentName=f"fair-ce-{suffix}", type="UNMANAGED", unmanagedvCpus=8)
    policy = real.create_scheduling_policy(
        name=f"fair-{suffix}", fairsharePolicy={"shareDecaySeconds": 600, "shareDistribution": [{"shareIdentifier": "teamA", "weightFactor": 0.5}]}
    )
    queue = real.create_job_queue(
        jobQueueName=f"fair-queue-{suffix}",
        priority=1,
        schedulingPolicyArn=policy["arn"],
        computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment["computeEnvironmentArn"]}],
    )
    definition = real.register_job_definition(jobDefinitionName=f"fair-def-{suffix}", type="container", containerProperties={"image": "x", "command": [NODE, "-e", ""]})
    missing = error_of(lambda: real.submit_job(jobName="j", jobQueue=queue["jobQueueArn"], jobDefinition=definition["jobDefinitionArn"]))
    assert missing["code"] == "ClientException" and "shareIdentifier is required" in missing["message"]
    job = real.submit_job(jobName="j", jobQueue=queue["jobQueueArn"], jobDefinition=definition["jobDefinitionArn"], shareIdentifier="teamA", schedulingPriorityOverride=5)
    assert wait_terminal(real, job["jobId"]) == "SUCCEEDED"
    described = real.describe_scheduling_policies(arns=[policy["arn"]])["schedulingPolicies"][0]
    assert described["fairsharePolicy"]["shareDistribution"] == [{"shareIdentifier": "teamA", "weightFactor": 0.5}]
    assert policy["arn"] in [item["arn"] for item in real.list_scheduling_policies()["schedulingPolicies"]]
    assert "used by job queue" in error_of(lambda: real.delete_scheduling_policy(arn=policy["arn"]))["message"]


def test_moto_and_the_executor_agree_on_the_fixture_calls(real, moto_client):
    from moto import mock_aws  # noqa: F401  (moto_client holds the mock open)

    role = boto3.client("iam", region_name="us-east-1").create_role(RoleName="batch-service", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    suffix = uuid.uuid4().hex[:8]
    on_moto = fixture_calls(moto_client, suffix, role)
    on_executor = fixture_calls(real, suffix, role)
    for moto_answer, executor_answer in zip(on_moto, on_executor):
        assert set(moto_answer) == set(executor_answer)
    moto_environment = moto_client.describe_compute_environments()["computeEnvironments"][0]
    executor_environment = real.describe_compute_environments(computeEnvironments=[on_executor[0]["computeEnvironmentArn"]])["computeEnvironments"][0]
    # moto leaves out state, uuid and containerOrchestrationType, which AWS sends.
    assert set(moto_environment) <= set(executor_environment)
    assert {"state", "uuid", "containerOrchestrationType"} <= set(executor_environment) - set(moto_environment)
    assert {key: executor_environment[key] for key in ("type", "status", "serviceRole")} == {key: moto_environment[key] for key in ("type", "status", "serviceRole")}
    moto_queue = moto_client.describe_job_queues()["jobQueues"][0]
    executor_queue = real.describe_job_queues(jobQueues=[on_executor[1]["jobQueueArn"]])["jobQueues"][0]
    assert set(moto_queue) <= set(executor_queue)
    assert {key: executor_queue[key] for key in ("state", "status", "priority")} == {key: moto_queue[key] for key in ("state", "status", "priority")}

    def duplicate(batch, arn):
        return lambda: batch.create_job_queue(jobQueueName=f"test-queue-{suffix}", state="ENABLED", priority=1, computeEnvironmentOrder=[{"order": 1, "computeEnvironment": arn}])

    assert error_of(duplicate(moto_client, on_moto[0]["computeEnvironmentArn"])) == error_of(duplicate(real, on_executor[0]["computeEnvironmentArn"]))
    # Both refuse a queue on an unknown compute environment (moto's message is vaguer).
    for batch in (moto_client, real):
        refused = error_of(lambda: batch.create_job_queue(jobQueueName="other", priority=1, computeEnvironmentOrder=[{"order": 1, "computeEnvironment": "nope"}]))
        assert refused["code"] == "ClientException"
    # moto deletes an ENABLED compute environment; AWS (and the executor) first want it DISABLED.
    assert error_of(lambda: real.delete_compute_environment(computeEnvironment=on_executor[0]["computeEnvironmentArn"]))["code"] == "ClientException"


def test_botocore_refuses_what_the_model_lacks_before_it_is_sent(real):
    with pytest.raises(ParamValidationError):
        real.create_job_queue(jobQueueName="q", priority=1, computeEnvironmentOrder=[], colour="red")


def test_the_shim_on_target_local_serves_the_fixture_calls(shim):
    suffix = uuid.uuid4().hex[:8]
    environment, queue, definition = fixture_calls(shim, suffix, "arn:aws:iam::000000000000:role/batch")
    assert environment["ResponseMetadata"]["HTTPStatusCode"] == 200
    job = shim.submit_job(jobName="shim-job", jobQueue=queue["jobQueueArn"], jobDefinition=definition["jobDefinitionArn"])
    assert wait_terminal(shim, job["jobId"]) == "SUCCEEDED"
    with pytest.raises(ParamValidationError):
        shim.create_job_queue(jobQueueName="q", priority=1, colour="red")
    with pytest.raises(shim.exceptions.ClientException):
        shim.delete_compute_environment(computeEnvironment=environment["computeEnvironmentArn"])
    shim.update_job_queue(jobQueue=queue["jobQueueArn"], state="DISABLED")
    shim.delete_job_queue(jobQueue=queue["jobQueueArn"])
    shim.update_compute_environment(computeEnvironment=environment["computeEnvironmentArn"], state="DISABLED")
    shim.delete_compute_environment(computeEnvironment=environment["computeEnvironmentArn"])
    shim.deregister_job_definition(jobDefinition=definition["jobDefinitionArn"])


def test_the_shim_on_common_compute_has_no_admin_operations(monkeypatch):
    from batch_migrate_runtime import boto3 as shim_boto3

    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "common-compute")
    monkeypatch.setenv("CC_API_KEY", "k")
    client = shim_boto3.client("batch", region_name="us-east-1")
    with pytest.raises(AttributeError, match="does not implement Batch operation 'create_compute_environment' on target common-compute"):
        client.create_compute_environment
