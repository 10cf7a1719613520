"""One scripted AWS Batch scenario, run unchanged against any boto3-shaped Batch client."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional

from botocore_shapes import shape_errors

TERMINAL = ("SUCCEEDED", "FAILED")
EXIT_WITH_CODE = ["python3", "-c", "import sys, time; time.sleep(float(sys.argv[2])); sys.exit(int(sys.argv[1]))", "Ref::code", "Ref::sleep"]


@dataclass
class Observations:
    responses: List[tuple] = field(default_factory=list)
    submit_keys: set = field(default_factory=set)
    statuses: Dict[str, List[str]] = field(default_factory=dict)
    details: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    job_ids: Dict[str, str] = field(default_factory=dict)
    array_children: List[str] = field(default_factory=list)
    listed_succeeded: set = field(default_factory=set)
    listed_default: set = field(default_factory=set)
    first_page: Dict[str, Any] = field(default_factory=dict)
    paginated_ids: List[str] = field(default_factory=list)
    error_codes: Dict[str, str] = field(default_factory=dict)
    unknown_describe: List[Any] = field(default_factory=list)


class Recorder:
    """Wraps the client so every response is kept with its operation name for the shape check."""

    def __init__(self, client: Any, observations: Observations) -> None:
        self.client = client
        self.observations = observations

    def __call__(self, operation: str, method: str, **params: Any) -> Dict[str, Any]:
        response = getattr(self.client, method)(**params)
        self.observations.responses.append((operation, response))
        return response


def _error_code(call: Callable[[], Any]) -> str:
    try:
        call()
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        response = getattr(error, "response", None)
        return response["Error"]["Code"] if response else type(error).__name__
    return "no error"


def _poll(call: Recorder, job_id: str, *, until: Callable[[Dict[str, Any]], bool], timeout: float = 30.0) -> List[str]:
    seen: List[str] = []
    deadline = time.monotonic() + timeout
    while True:
        job = call("DescribeJobs", "describe_jobs", jobs=[job_id])["jobs"][0]
        if not seen or seen[-1] != job["status"]:
            seen.append(job["status"])
        if until(job):
            return seen
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still {job['status']} after {timeout} s (seen {seen})")
        time.sleep(0.05)


def run_scenario(client: Any, queue: str, definition_prefix: str, *, long_sleep: str = "30") -> Observations:
    observations = Observations()
    call = Recorder(client, observations)
    ok_definition = f"{definition_prefix}-ok"
    failing_definition = f"{definition_prefix}-fails"
    for name, code, retry in ((ok_definition, "0", None), (failing_definition, "3", {"attempts": 2})):
        request = {
            "jobDefinitionName": name,
            "type": "container",
            "parameters": {"code": code, "sleep": "0"},
            "containerProperties": {"image": "alpine:3", "vcpus": 1, "memory": 128, "command": EXIT_WITH_CODE},
        }
        if retry:
            request["retryStrategy"] = retry
        call("RegisterJobDefinition", "register_job_definition", **request)

    def terminal(job: Dict[str, Any]) -> bool:
        return job["status"] in TERMINAL

    simple = call("SubmitJob", "submit_job", jobName="simple", jobQueue=queue, jobDefinition=ok_definition)
    observations.submit_keys = set(simple)
    observations.job_ids["simple"] = simple["jobId"]
    observations.statuses["simple"] = _poll(call, simple["jobId"], until=terminal)

    array = call("SubmitJob", "submit_job", jobName="frames", jobQueue=queue, jobDefinition=ok_definition, arrayProperties={"size": 3})
    observations.job_ids["array"] = array["jobId"]
    observations.statuses["array"] = _poll(call, array["jobId"], until=terminal)
    children = call("ListJobs", "list_jobs", arrayJobId=array["jobId"], jobStatus="SUCCEEDED")
    observations.array_children = sorted(job["jobId"] for job in children["jobSummaryList"])

    dependent = call(
        "SubmitJob", "submit_job", jobName="merge", jobQueue=queue, jobDefinition=ok_definition, dependsOn=[{"jobId": array["jobId"]}]
    )
    observations.job_ids["dependent"] = dependent["jobId"]
    observations.statuses["dependent"] = _poll(call, dependent["jobId"], until=terminal)

    flaky = call("SubmitJob", "submit_job", jobName="flaky", jobQueue=queue, jobDefinition=failing_definition)
    observations.job_ids["retried"] = flaky["jobId"]
    observations.statuses["retried"] = _poll(call, flaky["jobId"], until=terminal)

    sleeper = call(
        "SubmitJob", "submit_job", jobName="sleeper", jobQueue=queue, jobDefinition=ok_definition, parameters={"sleep": long_sleep}
    )
    observations.job_ids["terminated"] = sleeper["jobId"]
    waiting = call(
        "SubmitJob", "submit_job", jobName="waiting", jobQueue=queue, jobDefinition=ok_definition, dependsOn=[{"jobId": sleeper["jobId"]}]
    )
    observations.job_ids["cancelled"] = waiting["jobId"]
    before_cancel = _poll(call, waiting["jobId"], until=lambda job: job["status"] == "PENDING" or terminal(job))
    call("CancelJob", "cancel_job", jobId=waiting["jobId"], reason="not needed any more")
    after_cancel = _poll(call, waiting["jobId"], until=terminal)
    observations.statuses["cancelled"] = before_cancel + [status for status in after_cancel if status != before_cancel[-1]]
    before_terminate = _poll(call, sleeper["jobId"], until=lambda job: job["status"] in ("RUNNING",) + TERMINAL)
    observations.listed_default = {job["jobId"] for job in call("ListJobs", "list_jobs", jobQueue=queue)["jobSummaryList"]}
    call("TerminateJob", "terminate_job", jobId=sleeper["jobId"], reason="taking too long")
    after_terminate = _poll(call, sleeper["jobId"], until=terminal)
    observations.statuses["terminated"] = before_terminate + [s for s in after_terminate if s != before_terminate[-1]]

    for key, job_id in observations.job_ids.items():
        observations.details[key] = call("DescribeJobs", "describe_jobs", jobs=[job_id])["jobs"][0]

    listed = call("ListJobs", "list_jobs", jobQueue=queue, jobStatus="SUCCEEDED")
    observations.listed_succeeded = {job["jobId"] for job in listed["jobSummaryList"]}
    observations.first_page = call("ListJobs", "list_jobs", jobQueue=queue, jobStatus="SUCCEEDED", maxResults=1)
    for page in client.get_paginator("list_jobs").paginate(jobQueue=queue, jobStatus="SUCCEEDED", PaginationConfig={"PageSize": 1}):
        observations.responses.append(("ListJobs", page))
        observations.paginated_ids.extend(job["jobId"] for job in page["jobSummaryList"])

    observations.unknown_describe = call("DescribeJobs", "describe_jobs", jobs=["00000000-0000-0000-0000-000000000000"])["jobs"]
    observations.error_codes = {
        "unknown queue": _error_code(lambda: client.submit_job(jobName="x", jobQueue="no-such-queue", jobDefinition=ok_definition)),
        "unknown definition": _error_code(lambda: client.submit_job(jobName="x", jobQueue=queue, jobDefinition="no-such-definition")),
        "empty reason": _error_code(lambda: client.cancel_job(jobId=simple["jobId"], reason="")),
        "missing reason": _error_code(lambda: client.cancel_job(jobId=simple["jobId"])),
        "cancel unknown job": _error_code(lambda: client.cancel_job(jobId="00000000-0000-0000-0000-000000000000", reason="r")),
    }
    return observations


def all_shape_errors(observations: Observations) -> List[str]:
    errors: List[str] = []
    for operation, response in observations.responses:
        errors.extend(f"{operation}: {error}" for error in shape_errors(operation, response))
    return errors


def first_shape_error(observations: Observations) -> Optional[str]:
    errors = all_shape_errors(observations)
    return errors[0] if errors else None
