from __future__ import annotations

import pytest

from batch_migrate_runtime.shim import model


@pytest.mark.parametrize(
    ("job", "status", "reason", "cancelled", "terminated"),
    [
        ({"state": "queued", "attempts": 0}, "RUNNABLE", None, False, False),
        ({"state": "queued", "attempts": 1}, "RUNNABLE", None, False, False),
        ({"state": "leased", "attempts": 1}, "RUNNING", None, False, False),
        ({"state": "completed"}, "SUCCEEDED", "Essential container in task exited", False, False),
        ({"state": "failed", "error": {"code": "cancelled", "message": "user asked"}}, "FAILED", "user asked", True, False),
        (
            {"state": "failed", "started_at": 5, "error": {"code": "cancelled", "message": "stop"}},
            "FAILED",
            "stop",
            False,
            True,
        ),
        ({"state": "failed"}, "FAILED", "Cancelled", True, False),
        ({"state": "failed", "error": {"code": "runner_error", "message": "boom"}}, "FAILED", "boom", False, False),
        (
            {"state": "dead_letter", "max_attempts": 3, "error": {"code": "runner_error", "message": "exit 2"}},
            "FAILED",
            "Max attempts (3) exhausted: exit 2",
            False,
            False,
        ),
    ],
)
def test_common_compute_states_map_to_aws_status(job, status, reason, cancelled, terminated):
    view = model.common_compute_status(job)
    assert view["status"] == status
    assert view.get("statusReason") == reason
    assert view["isCancelled"] is cancelled
    assert view["isTerminated"] is terminated


@pytest.mark.parametrize(
    ("salad_status", "status", "reason", "cancelled"),
    [
        ("pending", "RUNNABLE", None, False),
        ("running", "RUNNING", None, False),
        ("succeeded", "SUCCEEDED", "Essential container in task exited", False),
        ("failed", "FAILED", "Essential container in task exited", False),
        ("cancelled", "FAILED", "Cancelled", True),
    ],
)
def test_salad_statuses_map_to_aws_status(salad_status, status, reason, cancelled):
    view = model.salad_status({"status": salad_status})
    assert (view["status"], view.get("statusReason"), view["isCancelled"]) == (status, reason, cancelled)


def test_unknown_target_states_are_rejected_not_guessed():
    with pytest.raises(ValueError):
        model.common_compute_status({"state": "cancelled"})
    with pytest.raises(ValueError):
        model.salad_status({"status": "completed"})


def test_salad_times_become_epoch_milliseconds():
    assert model.iso_to_epoch_ms("1970-01-01T00:00:01Z") == 1000
    assert model.iso_to_epoch_ms("2024-05-01T12:00:00.123456789+00:00") == 1714564800123
    assert model.iso_to_epoch_ms("2024-05-01T14:00:00.5+02:00") == 1714564800500
    assert model.iso_to_epoch_ms(None) is None
    job = {
        "events": [
            {"action": "created", "time": "1970-01-01T00:00:01Z"},
            {"action": "started", "time": "1970-01-01T00:00:02Z"},
            {"action": "started", "time": "1970-01-01T00:00:05Z"},
            {"action": "succeeded", "time": "1970-01-01T00:00:09Z"},
        ]
    }
    assert model.salad_event_times(job) == ([2000, 5000], 9000)


def test_evaluate_on_exit_first_match_wins_and_no_match_retries():
    rules = [
        {"action": "EXIT", "onExitCode": "1"},
        {"action": "RETRY", "onStatusReason": "Host EC2*"},
        {"action": "EXIT", "onReason": "*"},
    ]
    assert model.evaluate_on_exit(rules, exit_code=1, reason=None, status_reason=None) == "EXIT"
    assert model.evaluate_on_exit(rules, exit_code=137, reason="x", status_reason="Host EC2 (i-1) terminated.") == "RETRY"
    assert model.evaluate_on_exit(rules, exit_code=2, reason="OutOfMemoryError", status_reason=None) == "EXIT"
    assert model.evaluate_on_exit(rules[:1], exit_code=2, reason=None, status_reason=None) == "RETRY"
    assert model.evaluate_on_exit([{"action": "exit", "onExitCode": "4*"}], exit_code=42, reason=None, status_reason=None) == "EXIT"
    assert model.evaluate_on_exit([{"action": "EXIT", "onExitCode": "4"}], exit_code=42, reason=None, status_reason=None) == "RETRY"


def test_parameter_substitution_replaces_every_reference_and_keeps_unknown_ones():
    command = ["ffmpeg", "-i", "Ref::inputfile", "-c", "Ref::codec", "out.Ref::codec", "Ref::missing"]
    assert model.substitute_parameters(command, {"inputfile": "in.mov", "codec": "mp4"}) == [
        "ffmpeg",
        "-i",
        "in.mov",
        "-c",
        "mp4",
        "out.mp4",
        "Ref::missing",
    ]
    assert model.substitute_parameters(["Ref::a", "Ref::ab"], {"a": "1", "ab": "2"}) == ["1", "2"]


def _summary(job_id, status, created, name="job", definition="arn:aws:batch:r:1:job-definition/render:2"):
    return {"jobId": job_id, "jobName": name, "status": status, "createdAt": created, "jobDefinition": definition}


def test_list_jobs_without_status_or_filter_returns_running_only_newest_first():
    jobs = [_summary("a", "RUNNING", 1), _summary("b", "SUCCEEDED", 2), _summary("c", "RUNNING", 3)]
    assert [job["jobId"] for job in model.select_jobs(jobs, job_status=None, filters=None)] == ["c", "a"]
    assert [job["jobId"] for job in model.select_jobs(jobs, job_status="SUCCEEDED", filters=None)] == ["b"]


def test_list_jobs_filters_ignore_status_and_match_like_aws():
    jobs = [
        _summary("a", "RUNNING", 1, name="Transcode-1"),
        _summary("b", "SUCCEEDED", 2, name="transcode-2", definition="arn:aws:batch:r:1:job-definition/merge:1"),
        _summary("c", "FAILED", 3, name="merge"),
    ]
    by_name = model.select_jobs(jobs, job_status="RUNNING", filters=[{"name": "JOB_NAME", "values": ["TRANSCODE*"]}])
    assert [job["jobId"] for job in by_name] == ["b", "a"]
    by_definition = model.select_jobs(jobs, job_status=None, filters=[{"name": "JOB_DEFINITION", "values": ["render"]}])
    assert [job["jobId"] for job in by_definition] == ["c", "a"]
    by_revision = model.select_jobs(jobs, job_status=None, filters=[{"name": "JOB_DEFINITION", "values": ["merge:1"]}])
    assert [job["jobId"] for job in by_revision] == ["b"]
    after = model.select_jobs(jobs, job_status=None, filters=[{"name": "AFTER_CREATED_AT", "values": ["1"]}])
    assert [job["jobId"] for job in after] == ["c", "b"]
    before = model.select_jobs(jobs, job_status=None, filters=[{"name": "BEFORE_CREATED_AT", "values": ["3"]}])
    assert [job["jobId"] for job in before] == ["b", "a"]


def test_next_tokens_are_opaque_and_bound_to_their_query():
    items = list(range(250))
    fingerprint = model.query_fingerprint({"jobQueue": "q", "jobStatus": "RUNNING"})
    first, token = model.paginate(items, offset=0, page_size=100, fingerprint=fingerprint)
    assert first == list(range(100))
    assert token and "100" not in token
    offset = model.decode_next_token(token, fingerprint)
    second, token = model.paginate(items, offset=offset, page_size=100, fingerprint=fingerprint)
    third, last_token = model.paginate(items, offset=model.decode_next_token(token, fingerprint), page_size=100, fingerprint=fingerprint)
    assert second == list(range(100, 200)) and third == list(range(200, 250)) and last_token is None
    other = model.query_fingerprint({"jobQueue": "other", "jobStatus": "RUNNING"})
    with pytest.raises(ValueError, match="different query"):
        model.decode_next_token(token, other)
    with pytest.raises(ValueError):
        model.decode_next_token("not-a-token", fingerprint)


def test_summary_keeps_only_job_summary_members():
    detail = {
        "jobArn": "arn",
        "jobId": "id",
        "jobName": "n",
        "jobQueue": "q",
        "status": "FAILED",
        "statusReason": "r",
        "createdAt": 1,
        "container": {"exitCode": 3, "command": ["x"]},
        "arrayProperties": {"index": 2},
        "parameters": {},
    }
    assert model.summary_from_detail(detail) == {
        "jobArn": "arn",
        "jobId": "id",
        "jobName": "n",
        "status": "FAILED",
        "statusReason": "r",
        "createdAt": 1,
        "container": {"exitCode": 3},
        "arrayProperties": {"index": 2},
    }


def test_dead_letter_reason_is_worded_as_aws_and_exit_codes_are_read():
    job = {"state": "dead_letter", "max_attempts": 2, "error": {"code": "runner_error", "message": "Max attempts (2) exhausted: exit code 3"}}
    assert model.common_compute_status(job)["statusReason"] == "Essential container in task exited"
    timed_out = {"state": "dead_letter", "error": {"code": "timeout", "message": "ran too long"}}
    assert model.common_compute_status(timed_out)["statusReason"] == "Job attempt duration exceeded timeout"
    lost = {"state": "dead_letter", "max_attempts": 2, "error": {"code": "lease_expired", "message": "Max attempts (2) exhausted: lease expired"}}
    assert model.common_compute_status(lost)["statusReason"] == "Max attempts (2) exhausted: lease expired"
    assert model.exit_code_from_error(job["error"]) == 3
    assert model.exit_code_from_error({"exit_code": 137, "message": "exit code 1"}) == 137
    assert model.exit_code_from_error({"message": "lease expired"}) is None


def test_common_compute_start_time_belongs_to_the_first_attempt():
    from batch_migrate_runtime.shim.targets import CommonComputeTarget

    job = {"id": "j1", "state": "failed", "attempts": 3, "started_at": 1_700_000_000_000, "completed_at": 1_700_000_060_000}
    target_job = CommonComputeTarget(client=None).to_target_job(job)  # type: ignore[arg-type]
    assert target_job.attempt_starts == [1_700_000_000_000, None, None]
