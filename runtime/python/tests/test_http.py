from __future__ import annotations

import socket

import pytest

from batch_migrate_runtime import CommonCompute, CommonComputeError, SaladCloud, SaladError, TransportError
from batch_migrate_runtime._http import RetryPolicy
from scripted_server import ScriptedServer

JOB = {"id": "11111111-1111-1111-1111-111111111111", "state": "queued", "attempts": 0, "created_at": 1}


def no_wait(max_retries: int = 3) -> RetryPolicy:
    waits = []
    policy = RetryPolicy(max_retries=max_retries, sleep=waits.append)
    policy.waits = waits  # type: ignore[attr-defined]
    return policy


def test_retries_429_and_5xx_then_succeeds_honouring_retry_after():
    replies = [(429, {"Retry-After": "0.25"}, {"error": "slow down"}), (503, {}, {"error": "busy"}), (200, {}, JOB)]
    with ScriptedServer(replies) as server:
        policy = no_wait()
        client = CommonCompute(server.url, "cc_test_key", retry=policy)
        assert client.jobs.get(JOB["id"])["job_id"] == JOB["id"]
    assert len(server.requests) == 3
    assert policy.waits[0] == 0.25 and len(policy.waits) == 2


def test_retries_are_bounded_and_the_error_carries_status_and_server_message():
    with ScriptedServer([(502, {}, {"error": "bad gateway"})] * 3) as server:
        client = CommonCompute(server.url, "cc_test_key", retry=no_wait(max_retries=2))
        with pytest.raises(CommonComputeError) as raised:
            client.jobs.get("x")
    assert len(server.requests) == 3
    assert raised.value.status == 502 and raised.value.server_message == "bad gateway" and raised.value.attempts == 3


def test_client_errors_are_not_retried():
    with ScriptedServer([(404, {}, {"error": "Job not found"})]) as server:
        client = CommonCompute(server.url, "cc_test_key", retry=no_wait())
        with pytest.raises(CommonComputeError) as raised:
            client.jobs.get("missing")
    assert len(server.requests) == 1
    assert raised.value.is_not_found and "Job not found" in str(raised.value)


def test_connection_errors_retry_then_raise_transport_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    policy = no_wait(max_retries=2)
    client = CommonCompute(f"http://127.0.0.1:{port}", "cc_test_key", retry=policy, timeout=2)
    with pytest.raises(TransportError) as raised:
        client.jobs.get("x")
    assert raised.value.attempts == 3 and len(policy.waits) == 2


def test_common_compute_submit_sends_bearer_idempotency_key_and_the_assumed_body():
    with ScriptedServer([(201, {}, {**JOB, "upload_url": None})]) as server:
        client = CommonCompute(server.url + "/v1", "cc_test_key")
        job = client.jobs.submit("coreml_embed", {"input": ["a"]}, name="emb", priority="standard", model="bge-small", idempotency_key="k-1")
    request = server.requests[0]
    assert request["method"] == "POST" and request["path"] == "/v1/jobs"
    assert request["headers"]["Authorization"] == "Bearer cc_test_key"
    assert request["headers"]["Idempotency-Key"] == "k-1"
    assert request["body"] == {"workload": "coreml_embed", "input": {"input": ["a"]}, "name": "emb", "priority": "standard", "model_id": "bge-small"}
    assert job["job_id"] == JOB["id"]


def test_common_compute_result_not_ready_is_a_typed_error():
    from batch_migrate_runtime.common_compute import ResultNotReadyError

    with ScriptedServer([(202, {}, {"error": "Result not ready", "state": "leased"})]) as server:
        client = CommonCompute(server.url, "cc_test_key")
        with pytest.raises(ResultNotReadyError) as raised:
            client.jobs.result("abc")
    assert raised.value.state == "leased" and raised.value.status == 202


def test_salad_errors_read_rfc7807_problem_details():
    problem = {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "The queue job was not found"}
    with ScriptedServer([(404, {"Content-Type": "application/problem+json"}, problem)]) as server:
        client = SaladCloud("salad-key", base_url=server.url, organization_name="acme-corp", project_name="dev-env")
        with pytest.raises(SaladError) as raised:
            client.get_queue_job("fifo-queue", "00000000-0000-0000-0000-000000000000")
    assert raised.value.status == 404 and raised.value.server_message == "The queue job was not found"
    assert server.requests[0]["headers"]["Salad-Api-Key"] == "salad-key"
    assert server.requests[0]["path"] == "/organizations/acme-corp/projects/dev-env/queues/fifo-queue/jobs/00000000-0000-0000-0000-000000000000"


def test_salad_rejects_names_the_api_would_reject_before_sending():
    client = SaladCloud("salad-key", base_url="http://127.0.0.1:9", organization_name="Acme_Corp", project_name="dev-env")
    with pytest.raises(ValueError, match="organization name"):
        client.list_queues()
    with pytest.raises(ValueError, match="page_size"):
        SaladCloud("k", base_url="http://127.0.0.1:9", organization_name="acme", project_name="dev").list_queue_jobs("q1", page_size=101)


def test_salad_job_post_is_repeated_after_429_only_because_salad_has_no_idempotency_key():
    job = {"id": "j-1", "input": {}, "status": "pending", "events": [], "create_time": "t", "update_time": "t"}
    with ScriptedServer([(429, {}, {"title": "Too Many Requests"}), (503, {}, {"title": "busy"}), (201, {}, job)]) as server:
        client = SaladCloud(
            "salad-key", base_url=server.url, organization_name="acme-corp", project_name="dev-env", retry=no_wait()
        )
        with pytest.raises(SaladError) as raised:
            client.create_queue_job("fifo-queue", {"x": 1})
    assert raised.value.status == 503
    assert [request["method"] for request in server.requests] == ["POST", "POST"]


def test_salad_container_variables_name_the_organization_and_project(monkeypatch):
    monkeypatch.setenv("SALAD_ORGANIZATION_NAME", "acme-corp")
    monkeypatch.setenv("SALAD_PROJECT_NAME", "dev-env")
    client = SaladCloud("salad-key", base_url="http://127.0.0.1:9")
    assert (client.organization_name, client.project_name) == ("acme-corp", "dev-env")


def test_common_compute_workload_endpoint_returns_the_result_or_the_processing_job():
    processing = {"id": "job-1", "status": "processing", "count": 1}
    with ScriptedServer([(202, {}, processing), (200, {}, {"object": "list", "data": []})]) as server:
        client = CommonCompute(server.url, "cc_test_key", retry=no_wait())
        later = client.workloads.create("/v1/embeddings", {"input": ["a"]})
        done = client.workloads.create("/v1/embeddings", {"input": ["a"]}, idempotency_key="k-1")
    assert later == {"done": False, **processing}
    assert done["done"] is True and done["status"] == 200
    assert [request["path"] for request in server.requests] == ["/v1/embeddings", "/v1/embeddings"]
    assert server.requests[1]["headers"]["Idempotency-Key"] == "k-1"
    with pytest.raises(ValueError, match="workload endpoint"):
        client.workloads.create("/v1/jobs", {})
