"""The shim's boto3 surface: routing, configuration, validation, errors, registry operations."""

from __future__ import annotations

import json
import warnings

import botocore.exceptions
import pytest

from batch_migrate_runtime import boto3 as shim_boto3
from batch_migrate_runtime.shim.client import BatchShimClient
from batch_migrate_runtime.shim.errors import ClientException, ServerException
from botocore_shapes import assert_shape

CONFIG = {
    "computeEnvironments": {"gpu-ce": {"type": "MANAGED", "computeResources": {"type": "SPOT", "maxvCpus": 64, "subnets": ["s"]}}},
    "jobQueues": {
        "gpu-queue": {"priority": 10, "computeEnvironments": ["gpu-ce"], "commonCompute": {"priority": "standard"}, "salad": {"queue": "gpu-jobs"}}
    },
    "jobDefinitions": {
        "transcode": {
            "type": "container",
            "containerProperties": {"image": "ffmpeg:6", "command": ["ffmpeg", "-i", "Ref::input"], "vcpus": 2, "memory": 2048},
            "commonCompute": {"workload": "vt_transcode", "model": "hevc-main"},
        }
    },
}


@pytest.fixture
def project(tmp_path, monkeypatch):
    for variable in ("BATCH_MIGRATE_TARGET", "BATCH_MIGRATE_CONFIG", "BATCH_MIGRATE_QUEUE_MAP", "BATCH_MIGRATE_STATE_DIR"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "migrate.config.json").write_text(json.dumps(CONFIG))
    nested = tmp_path / "service" / "jobs"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    monkeypatch.setenv("CC_API_KEY", "cc_test_unit")
    monkeypatch.setenv("CC_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "common-compute")
    return tmp_path


def test_batch_clients_are_the_shim_and_other_services_real_boto3(project):
    assert isinstance(shim_boto3.client("batch", region_name="eu-west-1"), BatchShimClient)
    assert isinstance(shim_boto3.Session(region_name="eu-west-1").client("batch"), BatchShimClient)
    s3 = shim_boto3.client("s3", region_name="us-east-1")
    assert type(s3).__module__ == "botocore.client" and s3.meta.service_model.service_name == "s3"
    assert shim_boto3.Session(region_name="us-east-1").client("sqs").meta.service_model.service_name == "sqs"


def test_boto3_session_module_gives_the_shim_session(project):
    """Factories write `boto3.session.Session(...)`; after the import swap that must be the shim's Session too."""
    assert shim_boto3.session.Session is shim_boto3.Session
    assert isinstance(shim_boto3.session.Session(region_name="eu-west-1").client("batch"), BatchShimClient)
    import boto3.session as real_session

    assert shim_boto3.session.ResourceFactory is real_session.ResourceFactory


def test_target_aws_hands_batch_to_real_boto3(project, monkeypatch):
    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "aws")
    client = shim_boto3.client("batch", region_name="us-east-1")
    assert type(client).__module__ == "botocore.client" and client.meta.service_model.service_name == "batch"


def test_unknown_target_is_a_configuration_error(project, monkeypatch):
    from batch_migrate_runtime.errors import ConfigurationError

    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "lambda")
    with pytest.raises(ConfigurationError, match="BATCH_MIGRATE_TARGET"):
        shim_boto3.client("batch")


def test_endpoint_arguments_are_reported_as_ignored(project):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shim_boto3.client("batch", region_name="us-east-1", endpoint_url="http://localhost:4566")
    assert any("endpoint_url" in str(warning.message) for warning in caught)


def test_an_ignored_botocore_config_is_named_with_the_settings_that_replace_it(project, monkeypatch):
    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "salad")
    monkeypatch.setenv("SALAD_API_KEY", "salad-key")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        shim_boto3.client("batch", region_name="us-east-1", config=object(), endpoint_url="http://x")
    messages = [str(warning.message) for warning in caught]
    assert messages == [
        "batch-migrate shim (target salad) ignores endpoint_url (the address comes from SALAD_BASE_URL); "
        "config (timeouts and retries come from BATCH_MIGRATE_HTTP_TIMEOUT and BATCH_MIGRATE_HTTP_RETRIES)"
    ]


def test_registry_answers_from_migrate_config_found_in_a_parent_directory(project):
    client = shim_boto3.client("batch", region_name="eu-west-1")
    queues = client.describe_job_queues()
    assert_shape("DescribeJobQueues", queues)
    assert [queue["jobQueueName"] for queue in queues["jobQueues"]] == ["gpu-queue"]
    assert queues["jobQueues"][0]["computeEnvironmentOrder"][0]["computeEnvironment"].endswith(":compute-environment/gpu-ce")
    environments = client.describe_compute_environments(computeEnvironments=["gpu-ce"])
    assert_shape("DescribeComputeEnvironments", environments)
    assert environments["computeEnvironments"][0]["computeResources"]["type"] == "SPOT"
    definitions = client.describe_job_definitions(jobDefinitionName="transcode")
    assert_shape("DescribeJobDefinitions", definitions)
    assert "commonCompute" not in definitions["jobDefinitions"][0]
    assert definitions["jobDefinitions"][0]["jobDefinitionArn"] == "arn:aws:batch:eu-west-1:123456789012:job-definition/transcode:1"


def test_register_job_definition_adds_revisions(project):
    client = shim_boto3.client("batch")
    first = client.register_job_definition(jobDefinitionName="transcode", type="container", containerProperties={"image": "ffmpeg:7"})
    assert_shape("RegisterJobDefinition", first)
    assert first["revision"] == 2
    latest = client.describe_job_definitions(jobDefinitions=["transcode"])["jobDefinitions"]
    assert [definition["revision"] for definition in latest] == [2]
    pages = list(client.get_paginator("describe_job_definitions").paginate(PaginationConfig={"PageSize": 1}))
    assert [len(page["jobDefinitions"]) for page in pages] == [1, 1]


def test_config_file_named_by_environment(project, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere.json"
    other.write_text(json.dumps({"jobQueues": [{"jobQueueName": "cpu", "priority": 1}]}))
    monkeypatch.setenv("BATCH_MIGRATE_CONFIG", str(other))
    assert [q["jobQueueName"] for q in shim_boto3.client("batch").describe_job_queues()["jobQueues"]] == ["cpu"]
    monkeypatch.setenv("BATCH_MIGRATE_CONFIG", str(tmp_path / "missing.json"))
    from batch_migrate_runtime.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="missing.json"):
        shim_boto3.client("batch")


def test_missing_and_unknown_parameters_raise_botocore_param_validation_error(project):
    client = shim_boto3.client("batch")
    with pytest.raises(botocore.exceptions.ParamValidationError, match="jobDefinition"):
        client.submit_job(jobName="a", jobQueue="gpu-queue")
    with pytest.raises(botocore.exceptions.ParamValidationError, match="jobname"):
        client.submit_job(jobname="a", jobQueue="gpu-queue", jobDefinition="transcode")
    with pytest.raises(botocore.exceptions.ParamValidationError, match="maxResults"):
        client.list_jobs(jobQueue="gpu-queue", maxResults="10")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"jobName": "-bad"}, "jobName"),
        ({"jobQueue": "unknown-queue"}, "job queue unknown-queue not found"),
        ({"jobDefinition": "nope"}, "job definition nope not found or not ACTIVE"),
        ({"nodeOverrides": {"numNodes": 2}}, "multi-node"),
        ({"shareIdentifier": "team-a"}, "fair-share"),
        ({"arrayProperties": {"size": 1}}, "arrayProperties.size"),
        ({"dependsOn": [{"type": "SEQUENTIAL"}]}, "SEQUENTIAL"),
        ({"dependsOn": [{"jobId": f"j{i}"} for i in range(21)]}, "at most 20"),
        ({"timeout": {"attemptDurationSeconds": 30}}, "at least 60"),
        ({"retryStrategy": {"attempts": 11}}, "between 1 and 10"),
        ({"retryStrategy": {"evaluateOnExit": [{"action": "RETRY", "onExitCode": "1"}]}}, "attempts is required"),
        ({"containerOverrides": {"environment": [{"name": "AWS_BATCH_JOB_ID", "value": "x"}]}}, "starting with AWS_BATCH are reserved"),
    ],
)
def test_invalid_or_unsupported_submissions_raise_client_exception(project, params, message):
    client = shim_boto3.client("batch")
    request = {"jobName": "ok", "jobQueue": "gpu-queue", "jobDefinition": "transcode", **params}
    with pytest.raises(client.exceptions.ClientException) as raised:
        client.submit_job(**request)
    error = raised.value
    assert isinstance(error, botocore.exceptions.ClientError)
    assert error.response["Error"]["Code"] == "ClientException"
    assert message in error.response["Error"]["Message"]
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error.operation_name == "SubmitJob"


def test_describe_jobs_and_list_jobs_limits(project):
    client = shim_boto3.client("batch")
    with pytest.raises(ClientException, match="at most 100"):
        client.describe_jobs(jobs=[f"id-{i}" for i in range(101)])
    with pytest.raises(ClientException, match="exactly one"):
        client.list_jobs()
    with pytest.raises(ClientException, match="between 1 and 1000"):
        client.list_jobs(jobQueue="gpu-queue", jobStatus="RUNNING", maxResults=1001)
    with pytest.raises(ClientException, match="between 1 and 100"):
        client.list_jobs(jobQueue="gpu-queue", filters=[{"name": "JOB_NAME", "values": ["a"]}], maxResults=101)
    with pytest.raises(ClientException, match="multi-node"):
        client.list_jobs(multiNodeJobId="abc")


def test_cancel_and_terminate_need_a_reason(project):
    client = shim_boto3.client("batch")
    with pytest.raises(ClientException, match="must not be empty"):
        client.cancel_job(jobId="abc", reason="")


def test_unreachable_target_is_a_server_exception(project, monkeypatch):
    monkeypatch.setenv("BATCH_MIGRATE_HTTP_RETRIES", "0")
    client = shim_boto3.client("batch")
    with pytest.raises(client.exceptions.ServerException) as raised:
        client.submit_job(jobName="ok", jobQueue="gpu-queue", jobDefinition="transcode")
    assert raised.value.response["Error"]["Code"] == "ServerException"
    assert isinstance(raised.value, ServerException)


def test_unimplemented_batch_operations_say_so(project):
    client = shim_boto3.client("batch")
    with pytest.raises(AttributeError, match="does not implement Batch operation 'create_scheduling_policy'"):
        client.create_scheduling_policy(name="x")


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"dependsOn": [{"jobId": "abc"}]}, "has no job dependencies"),
        ({"retryStrategy": {"attempts": 5}}, "at most 4 attempts"),
        ({"retryStrategy": {"attempts": 2, "evaluateOnExit": [{"action": "EXIT", "onExitCode": "1"}]}}, "neither exit codes"),
        ({"timeout": {"attemptDurationSeconds": 120}}, "cannot stop a running job"),
    ],
)
def test_salad_refuses_what_it_cannot_honour(project, monkeypatch, params, message):
    monkeypatch.setenv("BATCH_MIGRATE_TARGET", "salad")
    monkeypatch.setenv("SALAD_API_KEY", "salad-key")
    monkeypatch.setenv("SALAD_ORGANIZATION_NAME", "acme")
    monkeypatch.setenv("SALAD_PROJECT_NAME", "dev")
    monkeypatch.setenv("SALAD_BASE_URL", "http://127.0.0.1:9")
    client = shim_boto3.client("batch")
    with pytest.raises(ClientException, match=message):
        client.submit_job(jobName="ok", jobQueue="gpu-queue", jobDefinition="transcode", **params)
