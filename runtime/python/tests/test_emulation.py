"""The client-side emulation of arrays, dependencies and evaluateOnExit, over an in-memory target."""

from __future__ import annotations

import pytest

from batch_migrate_runtime.shim.client import BatchShimClient
from batch_migrate_runtime.shim.emulated import EmulatedBackend
from batch_migrate_runtime.shim.errors import ClientError
from batch_migrate_runtime.shim.journal import Journal
from batch_migrate_runtime.shim.settings import ShimSettings
from botocore_shapes import assert_shape
from fake_target import FakeTarget


def make_client(tmp_path, monkeypatch, *, can_stop_running=True, state_dir=None):
    monkeypatch.chdir(tmp_path)
    settings = ShimSettings.from_environment(
        {"CC_API_KEY": "cc_test_x", "CC_BASE_URL": "http://127.0.0.1:9"}, target="common-compute"
    )
    client = BatchShimClient(settings)
    fake = FakeTarget(can_stop_running=can_stop_running)
    client._emulated = EmulatedBackend(fake, client.registry, Journal(state_dir), emulate_dependencies=True)
    client.register_job_definition(
        jobDefinitionName="render",
        type="container",
        containerProperties={"image": "render:1", "command": ["render", "Ref::scene"], "vcpus": 1, "memory": 512},
        parameters={"scene": "default"},
    )
    return client, fake


def describe(client, job_id):
    response = client.describe_jobs(jobs=[job_id])
    assert_shape("DescribeJobs", response)
    return response["jobs"][0]


def test_plain_job_uses_the_target_id_and_passes_the_resolved_command(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    submitted = client.submit_job(jobName="one", jobQueue="gpu", jobDefinition="render", parameters={"scene": "city"})
    assert_shape("SubmitJob", submitted)
    assert submitted["jobId"] in fake.jobs
    assert fake.submissions[0].payload["command"] == ["render", "city"]
    assert fake.submissions[0].max_attempts == 1
    assert describe(client, submitted["jobId"])["status"] == "RUNNABLE"
    fake.finish(submitted["jobId"])
    job = describe(client, submitted["jobId"])
    assert (job["status"], job["statusReason"]) == ("SUCCEEDED", "Essential container in task exited")
    assert isinstance(job["createdAt"], int) and job["stoppedAt"] >= job["startedAt"]
    assert len(job["attempts"]) == 1


def test_array_job_fans_out_and_the_parent_follows_its_children(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    parent_id = client.submit_job(jobName="frames", jobQueue="gpu", jobDefinition="render", arrayProperties={"size": 3})["jobId"]
    assert len(fake.jobs) == 3
    indexes = sorted(s.payload["environment"]["AWS_BATCH_JOB_ARRAY_INDEX"] for s in fake.submissions)
    assert indexes == ["0", "1", "2"]
    parent = describe(client, parent_id)
    assert parent["status"] == "PENDING"
    assert parent["arrayProperties"]["size"] == 3 and parent["arrayProperties"]["statusSummary"]["RUNNABLE"] == 3
    children = client.list_jobs(arrayJobId=parent_id, jobStatus="RUNNABLE")
    assert_shape("ListJobs", children)
    assert sorted(job["jobId"] for job in children["jobSummaryList"]) == [f"{parent_id}:{i}" for i in range(3)]
    targets = fake.target_ids_for(f"{parent_id}:0") + fake.target_ids_for(f"{parent_id}:1") + fake.target_ids_for(f"{parent_id}:2")
    fake.finish(targets[0])
    fake.finish(targets[1])
    fake.finish(targets[2], exit_code=3)
    parent = describe(client, parent_id)
    assert parent["status"] == "FAILED"
    assert parent["arrayProperties"]["statusSummary"]["SUCCEEDED"] == 2 and parent["arrayProperties"]["statusSummary"]["FAILED"] == 1
    assert describe(client, f"{parent_id}:1")["arrayProperties"] == {"index": 1}


def test_dependent_job_is_held_until_its_dependency_succeeds(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    first = client.submit_job(jobName="first", jobQueue="gpu", jobDefinition="render")["jobId"]
    second = client.submit_job(jobName="second", jobQueue="gpu", jobDefinition="render", dependsOn=[{"jobId": first}])["jobId"]
    assert len(fake.jobs) == 1
    assert describe(client, second)["status"] == "PENDING"
    fake.finish(first)
    assert describe(client, second)["status"] == "RUNNABLE"
    assert len(fake.jobs) == 2


def test_dependent_job_fails_without_running_when_its_dependency_fails(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    first = client.submit_job(jobName="first", jobQueue="gpu", jobDefinition="render")["jobId"]
    second = client.submit_job(jobName="second", jobQueue="gpu", jobDefinition="render", dependsOn=[{"jobId": first}])["jobId"]
    fake.finish(first, exit_code=1)
    job = describe(client, second)
    assert (job["status"], job["statusReason"]) == ("FAILED", "Dependent Job failed")
    assert len(fake.jobs) == 1


def test_sequential_and_n_to_n_array_dependencies(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    upstream = client.submit_job(jobName="up", jobQueue="gpu", jobDefinition="render", arrayProperties={"size": 2})["jobId"]
    paired = client.submit_job(
        jobName="paired", jobQueue="gpu", jobDefinition="render", arrayProperties={"size": 2}, dependsOn=[{"jobId": upstream, "type": "N_TO_N"}]
    )["jobId"]
    chain = client.submit_job(jobName="chain", jobQueue="gpu", jobDefinition="render", arrayProperties={"size": 2}, dependsOn=[{"type": "SEQUENTIAL"}])["jobId"]
    assert fake.target_ids_for(f"{chain}:1") == [] and len(fake.target_ids_for(f"{chain}:0")) == 1
    fake.finish(fake.target_ids_for(f"{upstream}:1")[0])
    client.describe_jobs(jobs=[paired])
    assert fake.target_ids_for(f"{paired}:0") == [] and len(fake.target_ids_for(f"{paired}:1")) == 1
    fake.finish(fake.target_ids_for(f"{chain}:0")[0])
    client.describe_jobs(jobs=[chain])
    assert len(fake.target_ids_for(f"{chain}:1")) == 1


def test_evaluate_on_exit_resubmits_per_rule_and_records_each_attempt(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    strategy = {"attempts": 3, "evaluateOnExit": [{"action": "EXIT", "onExitCode": "2"}, {"action": "RETRY", "onExitCode": "*"}]}
    job_id = client.submit_job(jobName="flaky", jobQueue="gpu", jobDefinition="render", retryStrategy=strategy)["jobId"]
    fake.finish(fake.target_ids_for(job_id)[0], exit_code=1)
    assert describe(client, job_id)["status"] == "RUNNABLE"
    assert [s.attempt_group for s in fake.submissions] == [1, 2]
    assert fake.submissions[1].payload["environment"]["AWS_BATCH_JOB_ATTEMPT"] == "2"
    fake.finish(fake.target_ids_for(job_id)[1], exit_code=2)
    job = describe(client, job_id)
    assert job["status"] == "FAILED" and len(job["attempts"]) == 2
    assert [attempt["container"]["exitCode"] for attempt in job["attempts"]] == [1, 2]
    assert len(fake.submissions) == 2


def test_a_timed_out_attempt_is_not_retried(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    job_id = client.submit_job(
        jobName="slow", jobQueue="gpu", jobDefinition="render", retryStrategy={"attempts": 3}, timeout={"attemptDurationSeconds": 60}
    )["jobId"]
    assert fake.submissions[0].max_attempts == 1 and fake.submissions[0].timeout_seconds == 60
    fake.finish(fake.target_ids_for(job_id)[0], exit_code=137, timed_out=True)
    assert describe(client, job_id)["status"] == "FAILED"
    assert len(fake.submissions) == 1


def test_cancel_only_stops_jobs_that_have_not_started(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    waiting = client.submit_job(jobName="waiting", jobQueue="gpu", jobDefinition="render")["jobId"]
    running = client.submit_job(jobName="running", jobQueue="gpu", jobDefinition="render")["jobId"]
    fake.start(running)
    assert_shape("CancelJob", client.cancel_job(jobId=waiting, reason="not needed"))
    client.cancel_job(jobId=running, reason="too late")
    cancelled = describe(client, waiting)
    assert (cancelled["status"], cancelled["statusReason"], cancelled["isCancelled"]) == ("FAILED", "not needed", True)
    assert describe(client, running)["status"] == "RUNNING"
    assert_shape("TerminateJob", client.terminate_job(jobId=running, reason="stop it"))
    terminated = describe(client, running)
    assert (terminated["status"], terminated["statusReason"], terminated["isTerminated"]) == ("FAILED", "stop it", True)


def test_terminate_on_a_target_that_cannot_stop_records_the_outcome(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch, can_stop_running=False)
    job_id = client.submit_job(jobName="gone", jobQueue="gpu", jobDefinition="render")["jobId"]
    fake.start(job_id)
    client.terminate_job(jobId=job_id, reason="abort")
    fake.finish(job_id)
    job = describe(client, job_id)
    assert (job["status"], job["statusReason"], job["isTerminated"]) == ("FAILED", "abort", True)


def test_cancelling_a_held_job_and_an_array_parent(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    first = client.submit_job(jobName="first", jobQueue="gpu", jobDefinition="render")["jobId"]
    held = client.submit_job(jobName="held", jobQueue="gpu", jobDefinition="render", dependsOn=[{"jobId": first}])["jobId"]
    client.cancel_job(jobId=held, reason="no longer needed")
    assert describe(client, held)["isCancelled"] is True
    parent = client.submit_job(jobName="frames", jobQueue="gpu", jobDefinition="render", arrayProperties={"size": 2})["jobId"]
    client.cancel_job(jobId=parent, reason="scrap")
    job = describe(client, parent)
    assert job["status"] == "FAILED" and job["arrayProperties"]["statusSummary"]["FAILED"] == 2


def test_list_jobs_defaults_to_running_and_paginates_with_opaque_tokens(tmp_path, monkeypatch):
    client, fake = make_client(tmp_path, monkeypatch)
    ids = [client.submit_job(jobName=f"job-{i}", jobQueue="gpu", jobDefinition="render")["jobId"] for i in range(5)]
    for job_id in ids[:3]:
        fake.start(job_id)
    assert sorted(job["jobId"] for job in client.list_jobs(jobQueue="gpu")["jobSummaryList"]) == sorted(ids[:3])
    pages = list(client.get_paginator("list_jobs").paginate(jobQueue="gpu", jobStatus="RUNNABLE", PaginationConfig={"PageSize": 1}))
    assert [len(page["jobSummaryList"]) for page in pages] == [1, 1]
    for page in pages:
        assert_shape("ListJobs", page)
    full = client.get_paginator("list_jobs").paginate(jobQueue="gpu", filters=[{"name": "JOB_NAME", "values": ["job-*"]}]).build_full_result()
    assert len(full["jobSummaryList"]) == 5
    with pytest.raises(ClientError) as raised:
        client.list_jobs(jobQueue="gpu", jobStatus="RUNNABLE", nextToken="garbage")
    assert raised.value.response["Error"]["Code"] == "ClientException"


def test_state_dir_lets_another_client_see_emulated_jobs(tmp_path, monkeypatch):
    state_dir = tmp_path / "state"
    client, fake = make_client(tmp_path, monkeypatch, state_dir=state_dir)
    parent = client.submit_job(jobName="frames", jobQueue="gpu", jobDefinition="render", arrayProperties={"size": 2})["jobId"]
    other, _ = make_client(tmp_path, monkeypatch, state_dir=state_dir)
    other._emulated.target = fake
    assert describe(other, parent)["arrayProperties"]["size"] == 2
