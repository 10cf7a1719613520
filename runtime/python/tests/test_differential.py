"""The same scenario with plain boto3 against moto (batch_simple) and with the shim against the local executor.

They must agree wherever moto is right; where moto is wrong (targets.md D.6: no retries, no ListJobs default,
no pagination, no statusReason/isCancelled/isTerminated, dependencies and cancel ignored by batch_simple
because every job succeeds at submit) the shim's side is held to AWS's behaviour instead.
"""

from __future__ import annotations

import json
import os
import uuid

import pytest

from batch_scenario import all_shape_errors, run_scenario

CANONICAL_ORDER = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"]
# JobDetail members moto leaves out that AWS sends (targets.md D.6), and members only some job kinds carry.
# moto always sends `tags`, even empty; the executor (like AWS for untagged jobs) leaves it out.
MEMBERS_MOTO_ALWAYS_SENDS = {"tags"}
MEMBERS_MOTO_OMITS = {"statusReason", "isCancelled", "isTerminated", "retryStrategy", "timeout", "platformCapabilities", "propagateTags", "schedulingPriority", "shareIdentifier", "arrayProperties", "eksAttempts"}


def _is_forward_progress(statuses):
    positions = [CANONICAL_ORDER.index(status) for status in statuses]
    return positions == sorted(positions)


@pytest.fixture(scope="module")
def moto_run():
    from moto import mock_aws

    import boto3

    saved = {key: os.environ.get(key) for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "MOTO_SIMPLE_BATCH_FAIL_AFTER")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    os.environ.pop("MOTO_SIMPLE_BATCH_FAIL_AFTER", None)
    try:
        with mock_aws(config={"batch": {"use_docker": False}}):
            client = boto3.client("batch", region_name="us-east-1")
            role = boto3.client("iam", region_name="us-east-1").create_role(RoleName="batch-service", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
            environment = client.create_compute_environment(computeEnvironmentName="local-ce", type="UNMANAGED", serviceRole=role)
            client.create_job_queue(
                jobQueueName="scenario-queue",
                state="ENABLED",
                priority=1,
                computeEnvironmentOrder=[{"order": 1, "computeEnvironment": environment["computeEnvironmentArn"]}],
            )
            yield run_scenario(client, "scenario-queue", "scenario")
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="module")
def shim_run(executor, tmp_path_factory):
    from batch_migrate_runtime import boto3 as shim_boto3

    suffix = uuid.uuid4().hex[:8]
    queue = f"scenario-queue-{suffix}"
    config_path = tmp_path_factory.mktemp("differential") / "migrate.config.json"
    config_path.write_text(
        json.dumps(
            {
                "computeEnvironments": {f"local-ce-{suffix}": {"type": "UNMANAGED"}},
                "jobQueues": {queue: {"priority": 1, "computeEnvironments": [f"local-ce-{suffix}"]}},
            }
        )
    )
    patch = pytest.MonkeyPatch()
    patch.setenv("BATCH_MIGRATE_TARGET", "local")
    patch.setenv("CC_BASE_URL", executor.base_url)
    patch.setenv("CC_API_KEY", executor.api_key)
    patch.setenv("BATCH_MIGRATE_CONFIG", str(config_path))
    try:
        client = shim_boto3.client("batch", region_name="us-east-1")
        yield run_scenario(client, queue, f"scenario-{suffix}", long_sleep="30")
    finally:
        patch.undo()


def test_every_response_has_botocore_shape(moto_run, shim_run):
    assert all_shape_errors(moto_run) == []
    assert all_shape_errors(shim_run) == []


def test_submit_and_describe_keys_agree(moto_run, shim_run):
    assert moto_run.submit_keys == shim_run.submit_keys
    for kind in ("simple", "dependent"):
        moto_keys = set(moto_run.details[kind]) - MEMBERS_MOTO_ALWAYS_SENDS
        shim_keys = set(shim_run.details[kind])
        assert moto_keys <= shim_keys, f"{kind}: the shim lacks {moto_keys - shim_keys}"
        assert shim_keys - moto_keys <= MEMBERS_MOTO_OMITS, f"{kind}: unexpected members {shim_keys - moto_keys - MEMBERS_MOTO_OMITS}"


def test_status_sequences_move_forward_and_end_alike(moto_run, shim_run):
    for kind in ("simple", "array", "dependent"):
        assert _is_forward_progress(moto_run.statuses[kind]) and _is_forward_progress(shim_run.statuses[kind])
        assert moto_run.statuses[kind][-1] == shim_run.statuses[kind][-1] == "SUCCEEDED"
    assert shim_run.details["simple"]["statusReason"] == "Essential container in task exited"


def test_array_children_and_status_summary(moto_run, shim_run):
    for run in (moto_run, shim_run):
        parent = run.job_ids["array"]
        assert run.array_children == [f"{parent}:{index}" for index in range(3)]
        summary = run.details["array"]["arrayProperties"]["statusSummary"]
        assert summary["SUCCEEDED"] == 3
        assert run.details["array"]["arrayProperties"]["size"] == 3
    assert set(moto_run.details["array"]["arrayProperties"]["statusSummary"]) <= set(CANONICAL_ORDER)


def test_dependency_is_echoed_and_waited_for(moto_run, shim_run):
    for run in (moto_run, shim_run):
        assert run.details["dependent"]["dependsOn"] == [{"jobId": run.job_ids["array"]}]
    assert shim_run.details["dependent"]["startedAt"] >= shim_run.details["array"]["stoppedAt"]


def test_failure_is_retried_per_retry_strategy_as_on_aws(moto_run, shim_run):
    # moto does not implement retryStrategy (batch_simple succeeds every job): AWS's behaviour is asserted.
    assert moto_run.statuses["retried"][-1] == "SUCCEEDED"
    retried = shim_run.details["retried"]
    assert retried["status"] == "FAILED"
    assert len(retried["attempts"]) == 2
    assert [attempt["container"]["exitCode"] for attempt in retried["attempts"]] == [3, 3]
    assert "statusReason" in retried


def test_cancel_and_terminate_as_on_aws(moto_run, shim_run):
    cancelled = shim_run.details["cancelled"]
    assert (cancelled["status"], cancelled["statusReason"], cancelled["isCancelled"]) == ("FAILED", "not needed any more", True)
    assert "PENDING" in shim_run.statuses["cancelled"]
    terminated = shim_run.details["terminated"]
    assert (terminated["status"], terminated["statusReason"], terminated["isTerminated"]) == ("FAILED", "taking too long", True)
    assert "RUNNING" in shim_run.statuses["terminated"]
    for run in (moto_run, shim_run):
        cancel_responses = [response for operation, response in run.responses if operation in ("CancelJob", "TerminateJob")]
        assert all(set(response) == {"ResponseMetadata"} for response in cancel_responses)


def test_list_jobs_as_on_aws(moto_run, shim_run):
    for run in (moto_run, shim_run):
        finished = {run.job_ids[kind] for kind in ("simple", "array", "dependent")}
        assert finished <= run.listed_succeeded
    # moto returns every job when no status is given; AWS returns RUNNING jobs only.
    assert shim_run.listed_default == {shim_run.job_ids["terminated"]}
    assert len(moto_run.listed_default) > 1


def test_pagination_as_on_aws(moto_run, shim_run):
    assert "nextToken" not in moto_run.first_page  # moto does not paginate
    assert len(shim_run.first_page["jobSummaryList"]) == 1 and shim_run.first_page["nextToken"]
    assert sorted(shim_run.paginated_ids) == sorted(shim_run.listed_succeeded)
    assert len(shim_run.paginated_ids) == len(set(shim_run.paginated_ids))


def test_errors_agree(moto_run, shim_run):
    # What AWS answers to CancelJob on an unknown id is not documented: moto succeeds, the executor refuses.
    unverified = "cancel unknown job"
    assert {k: v for k, v in moto_run.error_codes.items() if k != unverified} == {k: v for k, v in shim_run.error_codes.items() if k != unverified}
    assert {moto_run.error_codes[unverified], shim_run.error_codes[unverified]} <= {"no error", "ClientException"}
    assert shim_run.error_codes["unknown queue"] == "ClientException"
    assert shim_run.error_codes["missing reason"] == "ParamValidationError"
    assert moto_run.unknown_describe == shim_run.unknown_describe == []
