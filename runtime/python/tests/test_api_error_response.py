"""ApiError.response is shaped like botocore's ClientError.response, built from the targets' real error answers, so
a handler written for boto3 (`except ClientError as e: e.response["Error"]["Code"]`) reads it unchanged once
`migrate apply --to native` has widened it to catch ApiError too. The errors here come from the local executor."""

import pytest
from botocore.exceptions import ClientError

from batch_migrate_runtime import ApiError, CommonCompute, CommonComputeError, SaladCloud, SaladError
from batch_migrate_runtime.errors import aws_error_code
from test_native_rewrites import _load

UNKNOWN_JOB = "00000000-0000-4000-8000-000000000000"


def test_status_codes_map_to_the_codes_aws_batch_answers():
    assert aws_error_code(400) == "ClientException"
    assert aws_error_code(404) == "ClientException"
    assert aws_error_code(409) == "ClientException"
    assert aws_error_code(429) == "TooManyRequestsException"
    assert aws_error_code(401) == "UnrecognizedClientException"
    assert aws_error_code(403) == "AccessDeniedException"
    assert aws_error_code(500) == "ServerException"
    assert aws_error_code(503) == "ServerException"


def test_common_compute_unknown_job_reads_like_a_botocore_client_error(executor):
    client = CommonCompute(executor.base_url, executor.api_key)
    with pytest.raises(CommonComputeError) as raised:
        client.jobs.get(UNKNOWN_JOB)
    response = raised.value.response
    assert response["Error"] == {"Code": "ClientException", "Message": raised.value.server_message}
    assert response["Error"]["Message"]  # Common Compute's own {"error": "…"} text
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 404
    # botocore itself accepts the shape: its ClientError built from it names the code and message as for AWS.
    as_botocore = ClientError(response, "DescribeJobs")
    assert str(as_botocore).startswith("An error occurred (ClientException) when calling the DescribeJobs operation")
    assert as_botocore.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_salad_problem_details_read_like_a_botocore_client_error(executor):
    salad = SaladCloud(executor.api_key, base_url=executor.base_url, organization_name="acme-corp", project_name="dev-env")
    if "errors-queue" not in {queue["name"] for queue in salad.list_queues()["items"]}:
        salad.create_queue("errors-queue", display_name="errors")
    with pytest.raises(SaladError) as raised:
        salad.get_queue_job("errors-queue", UNKNOWN_JOB)
    assert isinstance(raised.value, ApiError)
    assert raised.value.response["Error"]["Code"] == "ClientException"
    assert raised.value.response["Error"]["Message"] == raised.value.server_message
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_rewritten_handlers_catch_the_target_error_and_read_it_as_before(executor, monkeypatch):
    monkeypatch.setenv("CC_API_KEY", executor.api_key)
    monkeypatch.setenv("CC_BASE_URL", executor.base_url)
    module = _load("errors-caught-as-botocore-to-common-compute.output.py")
    # A job the service does not know: the widened handler sees ClientException, as it would on Batch.
    assert module["finished"](UNKNOWN_JOB) is None
    assert module["stop"](UNKNOWN_JOB) is False
    module["test_unknown_job_cannot_be_cancelled"]()
    with pytest.raises(RuntimeError, match="cancel of .* failed"):
        module["stop_unless_throttled"](UNKNOWN_JOB)
    # A job it knows: the moved calls answer normally.
    job = CommonCompute(executor.base_url, executor.api_key).jobs.submit(executor.workload, {"parameters": {"sleep": "20"}})
    assert module["finished"](job["id"]) is False
    assert module["stop"](job["id"]) is True
    second = CommonCompute(executor.base_url, executor.api_key).jobs.submit(executor.workload, {"parameters": {"sleep": "20"}})
    assert module["stop_unless_throttled"](second["id"]) == "stopped"
    assert module["finished"](job["id"]) is True


def test_rewritten_handler_still_retries_when_the_target_throttles(monkeypatch):
    from scripted_server import ScriptedServer

    throttled = (429, {"Retry-After": "0"}, {"error": "Too many requests"})
    with ScriptedServer([throttled] * 4) as server:
        monkeypatch.setenv("CC_API_KEY", "cc_test_key")
        monkeypatch.setenv("CC_BASE_URL", server.url)
        module = _load("errors-caught-as-botocore-to-common-compute.output.py")
        assert module["stop_unless_throttled"]("11111111-1111-1111-1111-111111111111") == "retry later"
        with pytest.raises(module["Retryable"]):
            module["finished"]("11111111-1111-1111-1111-111111111111")
