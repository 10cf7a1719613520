"""The Common Compute and SaladCloud clients against the local executor over loopback HTTP."""

from __future__ import annotations

import time
import uuid

import pytest

from batch_migrate_runtime import CommonCompute, CommonComputeError, SaladCloud, SaladError
from batch_migrate_runtime.common_compute import TERMINAL_JOB_STATES, ResultNotReadyError


@pytest.fixture
def cc(executor):
    return CommonCompute(executor.base_url, executor.api_key)


@pytest.fixture
def salad(executor):
    return SaladCloud(executor.api_key, base_url=executor.base_url, organization_name="acme-corp", project_name="dev-env")


def wait_for(read, done, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"still waiting: {value}"
        time.sleep(0.05)


def test_common_compute_job_lifecycle(cc, executor):
    job = cc.jobs.submit(workload=executor.workload, input={"parameters": {"code": "0"}}, name="lifecycle", priority="standard")
    assert job["state"] in ("queued", "leased") and job["job_id"] == job["id"] and job["priority"] == "standard"
    assert isinstance(job["created_at"], int)
    finished = wait_for(lambda: cc.jobs.get(job["id"]), lambda j: j["state"] in TERMINAL_JOB_STATES)
    assert finished["state"] == "completed" and finished["attempts"] == 1
    assert finished["completed_at"] >= finished["created_at"]
    assert cc.jobs.result(job["id"]).json() == {"echo": {"parameters": {"code": "0"}}}
    lines = cc.jobs.logs(job["id"])["data"]
    assert lines and all(line["job_id"] == job["id"] for line in lines)


def test_common_compute_failure_goes_to_dead_letter_after_max_attempts(cc, executor):
    job = cc.jobs.submit(workload=executor.workload, input={"parameters": {"code": "4"}}, max_attempts=2)
    finished = cc.jobs.wait(job["id"], timeout=20, poll_interval=0.05)
    assert finished["state"] == "dead_letter" and finished["attempts"] == 2
    with pytest.raises(ResultNotReadyError) as raised:
        cc.jobs.result(job["id"])
    assert raised.value.state == "dead_letter"


def test_common_compute_idempotency_key_returns_the_same_job(cc, executor):
    key = str(uuid.uuid4())
    first = cc.jobs.submit(workload=executor.workload, input={}, idempotency_key=key)
    second = cc.jobs.submit(workload=executor.workload, input={}, idempotency_key=key)
    assert first["id"] == second["id"]


def test_common_compute_cancel_list_and_errors(cc, executor):
    running = cc.jobs.submit(workload=executor.workload, input={"parameters": {"sleep": "20"}}, name="to-cancel")
    assert cc.jobs.cancel(running["id"], reason="changed my mind") == {"ok": True}
    cancelled = wait_for(lambda: cc.jobs.get(running["id"]), lambda j: j["state"] in TERMINAL_JOB_STATES)
    assert cancelled["state"] == "failed" and cancelled["error"]["code"] == "cancelled"
    with pytest.raises(CommonComputeError) as raised:
        cc.jobs.cancel(running["id"])
    assert raised.value.status == 404
    with pytest.raises(CommonComputeError) as raised:
        cc.jobs.get(str(uuid.uuid4()))
    assert raised.value.status == 404 and raised.value.server_message
    first_page = cc.jobs.list(limit=1)
    assert len(first_page["data"]) == 1 and first_page["next_cursor"]
    assert running["id"] in {job["id"] for job in cc.jobs.iterate(state="failed")}
    with pytest.raises(CommonComputeError) as raised:
        CommonCompute(executor.base_url, "cc_test_wrong").jobs.get(running["id"])
    assert raised.value.status == 401


def test_salad_queue_crud_and_jobs(salad, executor):
    queue = salad.get_queue(executor.salad_queue) if executor.salad_queue in {q["name"] for q in salad.list_queues()["items"]} else salad.create_queue(executor.salad_queue, display_name="Echo Queue")
    assert queue["name"] == executor.salad_queue
    updated = salad.update_queue(executor.salad_queue, description="echoes its input")
    assert updated["description"] == "echoes its input"
    job = salad.create_queue_job(executor.salad_queue, {"parameters": {"code": "0"}}, metadata={"source": "pytest"})
    assert job["status"] in ("pending", "running") and job["metadata"] == {"source": "pytest"}
    done = wait_for(lambda: salad.get_queue_job(executor.salad_queue, job["id"]), lambda j: j["status"] in ("succeeded", "failed"))
    assert done["status"] == "succeeded"
    assert done["output"]["echo"] == {"parameters": {"code": "0"}} and done["output"]["job_id"] == job["id"]
    assert [event["action"] for event in done["events"]][:2] == ["created", "started"]
    listed = salad.list_queue_jobs(executor.salad_queue, page=1, page_size=1)
    assert len(listed["items"]) == 1
    assert job["id"] in {item["id"] for item in salad.iterate_queue_jobs(executor.salad_queue, page_size=2)}


def test_salad_cancel_only_while_pending(salad, executor):
    if executor.salad_queue not in {q["name"] for q in salad.list_queues()["items"]}:
        salad.create_queue(executor.salad_queue)
    blocker = salad.create_queue_job(executor.salad_queue, {"parameters": {"sleep": "3"}})
    waiting = salad.create_queue_job(executor.salad_queue, {"parameters": {}})
    wait_for(lambda: salad.get_queue_job(executor.salad_queue, blocker["id"]), lambda j: j["status"] == "running")
    salad.delete_queue_job(executor.salad_queue, waiting["id"])
    assert salad.get_queue_job(executor.salad_queue, waiting["id"])["status"] == "cancelled"
    with pytest.raises(SaladError) as raised:
        salad.delete_queue_job(executor.salad_queue, blocker["id"])
    assert 400 <= raised.value.status < 500
    with pytest.raises(SaladError) as raised:
        salad.get_queue_job(executor.salad_queue, str(uuid.uuid4()))
    assert raised.value.status == 404
