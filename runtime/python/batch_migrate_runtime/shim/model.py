"""Pure conversions between AWS Batch shapes and the targets' job objects: status mapping, timestamps,
evaluateOnExit matching, parameter substitution, ListJobs filtering and opaque pagination tokens."""

from __future__ import annotations

import base64
import calendar
import datetime as dt
import hashlib
import json
import re
import time
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

JOB_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED"})
NOT_STARTED_STATUSES = frozenset({"SUBMITTED", "PENDING", "RUNNABLE"})
NORMAL_EXIT_REASON = "Essential container in task exited"
DEPENDENCY_FAILED_REASON = "Dependent Job failed"
TIMEOUT_REASON = "Job attempt duration exceeded timeout"

DESCRIBE_JOBS_MAX_IDS = 100
LIST_JOBS_DEFAULT_PAGE = 100
LIST_JOBS_MAX_WITH_STATUS = 1000
LIST_JOBS_MAX_WITH_FILTERS = 100
FRACTION_PATTERN = re.compile(r"\.(\d+)")
LIST_JOBS_FILTER_NAMES = ("JOB_NAME", "JOB_DEFINITION", "BEFORE_CREATED_AT", "AFTER_CREATED_AT", "SHARE_IDENTIFIER")


def now_ms() -> int:
    return int(time.time() * 1000)


def iso_to_epoch_ms(value: Optional[str]) -> Optional[int]:
    """SaladCloud date-times (RFC 3339, `Z` or offset, optional fraction) → epoch milliseconds."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    fraction = FRACTION_PATTERN.search(text)
    if fraction:
        digits = fraction.group(1)
        text = text[: fraction.start()] + "." + digits[:6].ljust(6, "0") + text[fraction.end() :]
    parsed = dt.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.timezone.utc)
    whole_seconds = calendar.timegm(parsed.utctimetuple())
    return whole_seconds * 1000 + parsed.microsecond // 1000


# Common Compute (targets.md A.4, "Mapping for the AWS Batch shim")


def common_compute_status(job: Mapping[str, Any]) -> Dict[str, Any]:
    """Maps a Common Compute job to `{status, statusReason?, isCancelled, isTerminated}`.

    Common Compute has no cancelled state: cancel sets `failed`. A cancelled job that had started
    (`started_at` set) was running, which AWS calls terminated.
    """
    state = job.get("state")
    error = job.get("error") if isinstance(job.get("error"), dict) else {}
    error_code = error.get("code")
    error_message = error.get("message")
    view: Dict[str, Any] = {"isCancelled": False, "isTerminated": False}
    if state == "queued":
        view["status"] = "RUNNABLE"
    elif state == "leased":
        view["status"] = "RUNNING"
    elif state == "completed":
        view["status"] = "SUCCEEDED"
        view["statusReason"] = NORMAL_EXIT_REASON
    elif state == "dead_letter":
        max_attempts = job.get("max_attempts") or job.get("attempts") or 3
        last_error = error_message or error_code or "unknown error"
        view["status"] = "FAILED"
        already_worded = last_error.startswith("Max attempts (")
        view["statusReason"] = last_error if already_worded else f"Max attempts ({max_attempts}) exhausted: {last_error}"
        # AWS words a non-zero exit and a timeout its own way, whatever the target said.
        if error_code == "timeout":
            view["statusReason"] = TIMEOUT_REASON
        elif exit_code_from_error(error) is not None:
            view["statusReason"] = NORMAL_EXIT_REASON
    elif state == "failed":
        view["status"] = "FAILED"
        cancelled = error_code == "cancelled" or (error_code is None and not error_message)
        if cancelled:
            was_running = job.get("started_at") is not None
            view["isTerminated" if was_running else "isCancelled"] = True
            view["statusReason"] = error_message or "Cancelled"
        else:
            view["statusReason"] = error_message or error_code or "Job failed"
    else:
        raise ValueError(f"unknown Common Compute job state {state!r}")
    return view


# SaladCloud (targets.md E.4)


EXIT_CODE_IN_MESSAGE = re.compile(r"\bexit code (-?\d+)\b")


def exit_code_from_error(error: Mapping[str, Any]) -> Optional[int]:
    """The assumed `error.exit_code` field, else an "exit code N" in the error message."""
    value = error.get("exit_code")
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    match = EXIT_CODE_IN_MESSAGE.search(str(error.get("message") or ""))
    return int(match.group(1)) if match else None


def salad_status(job: Mapping[str, Any]) -> Dict[str, Any]:
    status = job.get("status")
    view: Dict[str, Any] = {"isCancelled": False, "isTerminated": False}
    if status == "pending":
        view["status"] = "RUNNABLE"
    elif status == "running":
        view["status"] = "RUNNING"
    elif status == "succeeded":
        # The job wrapper completes a job whose failure AWS would not retry (its last attempt, or a timeout).
        report = final_failure(job.get("output"))
        view["status"] = "FAILED" if report else "SUCCEEDED"
        view["statusReason"] = TIMEOUT_REASON if report and report["timedOut"] else NORMAL_EXIT_REASON
    elif status == "failed":
        # The queue's 4 attempts all failed: to AWS, the container exited non-zero each time.
        view["status"] = "FAILED"
        view["statusReason"] = NORMAL_EXIT_REASON
    elif status == "cancelled":
        view["status"] = "FAILED"
        view["isCancelled"] = True
        view["statusReason"] = "Cancelled"
    else:
        raise ValueError(f"unknown SaladCloud job status {status!r}")
    return view


def final_failure(output: Any) -> Optional[Dict[str, Any]]:
    """The job wrapper's report of a failure it answered as final (`lastAttempt: true`), else None."""
    if not isinstance(output, dict) or output.get("lastAttempt") is not True or output.get("exitCode") == 0:
        return None
    exit_code = output.get("exitCode")
    return {"exitCode": exit_code if isinstance(exit_code, int) else None, "timedOut": output.get("timedOut") is True}


def salad_event_times(job: Mapping[str, Any]) -> Tuple[List[int], Optional[int]]:
    """Start times of every attempt (`started` events) and the terminal event's time, in epoch ms."""
    starts: List[int] = []
    stopped: Optional[int] = None
    for event in job.get("events") or []:
        moment = iso_to_epoch_ms(event.get("time"))
        if moment is None:
            continue
        action = event.get("action")
        if action == "started":
            starts.append(moment)
        elif action in ("succeeded", "failed", "cancelled"):
            stopped = moment
    return starts, stopped


# Retry rules (targets.md C.4, D.5)


def glob_matches(pattern: str, value: Optional[str]) -> bool:
    """AWS Batch's evaluateOnExit globs: exact match, or a prefix match when the pattern ends in `*`."""
    if value is None:
        return pattern == "*"
    if pattern.endswith("*"):
        return value.startswith(pattern[:-1])
    return value == pattern


def evaluate_on_exit(
    rules: Sequence[Mapping[str, Any]],
    *,
    exit_code: Optional[int],
    reason: Optional[str],
    status_reason: Optional[str],
) -> str:
    """First matching rule decides RETRY or EXIT; when none matches the job is retried."""
    for rule in rules:
        conditions = (
            ("onExitCode", None if exit_code is None else str(exit_code)),
            ("onReason", reason),
            ("onStatusReason", status_reason),
        )
        if all(glob_matches(rule[key], value) for key, value in conditions if key in rule):
            return str(rule.get("action", "RETRY")).upper()
    return "RETRY"


def substitute_parameters(command: Sequence[str], parameters: Mapping[str, str]) -> List[str]:
    """`Ref::name` → value in every command element; a whole-token reference first, then every occurrence.

    Unresolved placeholders stay as literal text, as on AWS Batch.
    """
    resolved = []
    for element in command:
        if element.startswith("Ref::") and element[5:] in parameters:
            resolved.append(str(parameters[element[5:]]))
            continue
        for name in sorted(parameters, key=len, reverse=True):
            element = element.replace(f"Ref::{name}", str(parameters[name]))
        resolved.append(element)
    return resolved


# ListJobs (targets.md C.3)


def list_filter_matches(summary: Mapping[str, Any], job_filter: Mapping[str, Any]) -> bool:
    name = job_filter["name"]
    values = [str(value) for value in job_filter.get("values") or []]
    if not values:
        return True
    value = values[0]
    if name == "JOB_NAME":
        job_name = str(summary.get("jobName", "")).lower()
        wanted = value.lower()
        return job_name.startswith(wanted[:-1]) if wanted.endswith("*") else job_name == wanted
    if name == "JOB_DEFINITION":
        definition = str(summary.get("jobDefinition", ""))
        short = definition.rsplit("/", 1)[-1]
        short_name = short.split(":", 1)[0]
        if value.endswith("*"):
            return short_name.startswith(value[:-1])
        if value.startswith("arn:"):
            return definition == value
        return short_name == value or short == value
    if name == "BEFORE_CREATED_AT":
        return int(summary.get("createdAt", 0)) < int(value)
    if name == "AFTER_CREATED_AT":
        return int(summary.get("createdAt", 0)) > int(value)
    if name == "SHARE_IDENTIFIER":
        return summary.get("shareIdentifier") == value
    return True


def select_jobs(
    jobs: Iterable[Mapping[str, Any]],
    *,
    job_status: Optional[str],
    filters: Optional[Sequence[Mapping[str, Any]]],
) -> List[Mapping[str, Any]]:
    """Applies ListJobs' selection rules and sorts newest first.

    No status and no filter means RUNNING only; with a filter the status is ignored, except with
    SHARE_IDENTIFIER.
    """
    selected = []
    for job in jobs:
        if filters:
            if not all(list_filter_matches(job, job_filter) for job_filter in filters):
                continue
            share_filter = any(job_filter["name"] == "SHARE_IDENTIFIER" for job_filter in filters)
            if share_filter and job_status and job.get("status") != job_status:
                continue
        elif job.get("status") != (job_status or "RUNNING"):
            continue
        selected.append(job)
    selected.sort(key=lambda job: (-(job.get("createdAt") or 0), str(job.get("jobId"))))
    return selected


SUMMARY_KEYS = (
    "jobArn",
    "jobId",
    "jobName",
    "createdAt",
    "startedAt",
    "stoppedAt",
    "status",
    "statusReason",
    "jobDefinition",
    "shareIdentifier",
)


def summary_from_detail(detail: Mapping[str, Any]) -> Dict[str, Any]:
    summary = {key: detail[key] for key in SUMMARY_KEYS if key in detail}
    container = detail.get("container") or {}
    container_summary = {key: container[key] for key in ("exitCode", "reason") if key in container}
    if container_summary:
        summary["container"] = container_summary
    array = detail.get("arrayProperties")
    if array:
        summary["arrayProperties"] = {
            key: array[key] for key in ("size", "index", "statusSummary", "statusSummaryLastUpdatedAt") if key in array
        }
    return summary


# Opaque pagination tokens


def query_fingerprint(query: Mapping[str, Any]) -> str:
    canonical = json.dumps(query, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def encode_next_token(offset: int, fingerprint: str) -> str:
    raw = json.dumps({"o": offset, "f": fingerprint}, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_next_token(token: str, fingerprint: str) -> int:
    """Offset from a token this shim issued for the same query; ValueError for anything else."""
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        offset = payload["o"]
        token_fingerprint = payload["f"]
    except (ValueError, KeyError, TypeError) as error:
        raise ValueError("the nextToken is not one this client issued") from error
    if token_fingerprint != fingerprint:
        raise ValueError("the nextToken belongs to a different query")
    if not isinstance(offset, int) or offset < 0:
        raise ValueError("the nextToken is malformed")
    return offset


def paginate(items: Sequence[Any], *, offset: int, page_size: int, fingerprint: str) -> Tuple[List[Any], Optional[str]]:
    page = list(items[offset : offset + page_size])
    next_offset = offset + page_size
    token = encode_next_token(next_offset, fingerprint) if next_offset < len(items) else None
    return page, token
