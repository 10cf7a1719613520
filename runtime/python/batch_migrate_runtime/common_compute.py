"""Common Compute jobs client (standard library only).

Which parts of the API are real and which are assumed (reference/targets.md A.2 and A.4):

Real, verified from the Common Compute backend source and used exactly:
  - `Authorization: Bearer cc_(live|test)_…` keys, `CC_API_KEY`;
  - the `Idempotency-Key` request header;
  - `GET /v1/jobs/{id}`: exactly `id, type, state (queued|leased|completed|failed|dead_letter), priority
    (batch|standard|priority), attempts, input_uri, result_uri, parent_job_id, customer_id, created_at,
    completed_at, progress` (epoch ms; `completed_at` only on completion; `progress` a number or None);
  - `POST /v1/jobs/{id}/cancel` → `{"ok": true}`, only from queued|leased (404 otherwise), state becomes failed
    (a leased job keeps its lease and can still complete);
  - jobs are created by the workload endpoints (`/v1/embeddings`, `/v1/audio/transcriptions`,
    `/v1/video/transcode`, `/v1/images/*`, `/v1/chat/*`): `client.workloads.create(endpoint, body)`;
  - `GET /v1/jobs/{id}/result` → the result bytes, or 202 while the job is not completed;
  - errors as `{"error": "<message>"}`.

Assumed (marked [ext] in targets.md A.4; the real backend does not route them, and the local executor serves
them only with `--cc-extensions`; runtime/README.md lists them):
  - `POST /v1/jobs` (generic submit) with `workload`, `model_id`, `input`/`input_uri`, `priority`,
    `max_attempts`, `timeout_seconds`, `name`, `metadata`…, answered 201 with the job plus `upload_url`,
    `locked_price_usd`, `eta_seconds`;
  - `GET /v1/jobs` (list) with `state`, `workload`, `priority`, `created_after`, `created_before`, `limit`,
    `cursor`, answered `{"data": [...], "next_cursor": …}`;
  - the shape of `GET /v1/me/logs` (the path itself is documented);
  - a JSON body `{"reason": …}` on cancel, and the `job_id`, `name`, `workload`, `model_id`, `max_attempts`,
    `started_at`, `stopped_at`, `error`, `metadata` job fields.
"""

from __future__ import annotations

import json
import os
import time
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any, Dict, Iterator, Optional
from urllib.parse import quote

from ._http import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_SECONDS, JsonHttpClient, RetryPolicy
from .errors import CommonComputeError, ConfigurationError

DEFAULT_BASE_URL = "https://api.commoncompute.ai"
JOB_STATES = ("queued", "leased", "completed", "failed", "dead_letter")
TERMINAL_JOB_STATES = frozenset({"completed", "failed", "dead_letter"})
PRIORITIES = ("batch", "standard", "priority")

Job = Dict[str, Any]


class ResultNotReadyError(CommonComputeError):
    """`GET /v1/jobs/{id}/result` answered 202: the job has not completed yet."""

    @property
    def state(self) -> Optional[str]:
        return self.body.get("state") if isinstance(self.body, dict) else None


@dataclass
class JobResult:
    """The stored result object of a completed job."""

    content_type: str
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def text(self) -> str:
        return self.body.decode("utf-8")


def _api_root(base_url: str) -> str:
    """Accepts a base URL with or without the `/v1` suffix (the vendor's own docs show both)."""
    trimmed = base_url.rstrip("/")
    return trimmed[: -len("/v1")] if trimmed.endswith("/v1") else trimmed


def _with_job_id_alias(job: Any) -> Any:
    if isinstance(job, dict) and "id" in job and "job_id" not in job:
        job["job_id"] = job["id"]
    return job


class Jobs:
    """`client.jobs`: submit, get, list, cancel, result."""

    def __init__(self, http: JsonHttpClient) -> None:
        self._http = http

    def submit(
        self,
        workload: str,
        input: Any = None,
        *,
        name: Optional[str] = None,
        priority: Optional[str] = None,
        model: Optional[str] = None,
        idempotency_key: Optional[str] = None,
        input_uri: Optional[str] = None,
        input_filename: Optional[str] = None,
        max_attempts: Optional[int] = None,
        max_spend_usd: Optional[float] = None,
        timeout_seconds: Optional[int] = None,
        metadata: Optional[Dict[str, Any]] = None,
        webhook: Optional[str] = None,
    ) -> Job:
        """Submits a job (`POST /v1/jobs`, assumed shape) and returns the created job.

        Without `idempotency_key` a fresh one is generated, so a retried request cannot create a second job.
        Without `input` and `input_uri` the server returns an `upload_url` to PUT the input to (see
        `upload_input`).
        """
        if not workload:
            raise ValueError("workload is required")
        if priority is not None and priority not in PRIORITIES:
            raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}, not {priority!r}")
        if max_attempts is not None and not 1 <= max_attempts <= 10:
            raise ValueError("max_attempts must be between 1 and 10")
        body: Dict[str, Any] = {"workload": workload}
        optional_fields = {
            "model_id": model,
            "input": input,
            "input_uri": input_uri,
            "input_filename": input_filename,
            "priority": priority,
            "max_attempts": max_attempts,
            "max_spend_usd": max_spend_usd,
            "timeout_seconds": timeout_seconds,
            "name": name,
            "metadata": metadata,
            "webhook": webhook,
        }
        body.update({key: value for key, value in optional_fields.items() if value is not None})
        response = self._http.request(
            "POST",
            "/v1/jobs",
            json_body=body,
            headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
        )
        return _with_job_id_alias(response.json())

    def get(self, job_id: str) -> Job:
        """`GET /v1/jobs/{id}` (real). Raises CommonComputeError with status 404 for an unknown id."""
        return _with_job_id_alias(self._http.request("GET", f"/v1/jobs/{quote(job_id, safe='')}").json())

    def list(
        self,
        *,
        state: Optional[str] = None,
        workload: Optional[str] = None,
        priority: Optional[str] = None,
        created_after: Optional[int] = None,
        created_before: Optional[int] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Dict[str, Any]:
        """One page of `GET /v1/jobs` (assumed): `{"data": [job…], "next_cursor": str | None}`."""
        query = {
            "state": state,
            "workload": workload,
            "priority": priority,
            "created_after": created_after,
            "created_before": created_before,
            "limit": limit,
            "cursor": cursor,
        }
        page = self._http.request("GET", "/v1/jobs", query=query).json() or {}
        for job in page.get("data") or []:
            _with_job_id_alias(job)
        page.setdefault("data", [])
        page.setdefault("next_cursor", None)
        return page

    def iterate(self, **filters: Any) -> Iterator[Job]:
        """Every job matching the `list` filters, following `next_cursor` across pages."""
        cursor = filters.pop("cursor", None)
        while True:
            page = self.list(cursor=cursor, **filters)
            yield from page["data"]
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def cancel(self, job_id: str, reason: Optional[str] = None) -> Dict[str, Any]:
        """`POST /v1/jobs/{id}/cancel` (real): only queued or leased jobs; the job becomes `failed`.

        Raises CommonComputeError with status 404 when the job is unknown or already terminal. The `reason`
        body is assumed; the real endpoint ignores a body.
        """
        body = {"reason": reason} if reason else None
        return self._http.request("POST", f"/v1/jobs/{quote(job_id, safe='')}/cancel", json_body=body).json() or {}

    def result(self, job_id: str) -> JobResult:
        """`GET /v1/jobs/{id}/result` (real). Raises ResultNotReadyError (status 202) until the job completes."""
        response = self._http.request("GET", f"/v1/jobs/{quote(job_id, safe='')}/result", ok_statuses=frozenset({202}))
        if response.status == 202:
            message = "Result not ready"
            payload: Any = None
            try:
                payload = response.json()
                message = payload.get("error", message) if isinstance(payload, dict) else message
            except ValueError:
                pass
            raise ResultNotReadyError(
                f"GET result of job {job_id}: {message}",
                status=202,
                server_message=message,
                body=payload,
                method="GET",
                url=self._http.url_for(f"/v1/jobs/{job_id}/result"),
            )
        return JobResult(response.content_type, response.body)

    def logs(self, job_id: str, **filters: Any) -> Dict[str, Any]:
        """One page of this job's log lines from `/v1/me/logs` (shape assumed)."""
        return Logs(self._http).list(job_id=job_id, **filters)

    def wait(self, job_id: str, *, timeout: float = 600.0, poll_interval: float = 1.0) -> Job:
        """Polls `get` until the job is terminal (completed, failed, dead_letter) or `timeout` elapses."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(job_id)
            if job.get("state") in TERMINAL_JOB_STATES:
                return job
            if time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} still {job.get('state')} after {timeout} s")
            time.sleep(poll_interval)

    def upload_input(self, upload_url: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """PUTs the input bytes to the presigned `upload_url` returned by submit (no auth header)."""
        request = urllib.request.Request(upload_url, data=data, method="PUT", headers={"Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=self._http.timeout) as response:
            response.read()


class Logs:
    """`client.logs`: `GET /v1/me/logs` (the path is documented by Common Compute; the shape is assumed)."""

    def __init__(self, http: JsonHttpClient) -> None:
        self._http = http

    def list(
        self,
        *,
        job_id: Optional[str] = None,
        since: Optional[int] = None,
        until: Optional[int] = None,
        level: Optional[str] = None,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Dict[str, Any]:
        """`{"data": [{"ts", "job_id", "attempt", "level", "source", "message"}…], "next_cursor"}`."""
        query = {"job_id": job_id, "since": since, "until": until, "level": level, "limit": limit, "cursor": cursor}
        page = self._http.request("GET", "/v1/me/logs", query=query).json() or {}
        page.setdefault("data", [])
        page.setdefault("next_cursor", None)
        return page


class CommonCompute:
    """Common Compute client: `CommonCompute().jobs.submit(workload=…, input=…)`.

    `base_url` defaults to `CC_BASE_URL`, then `https://api.commoncompute.ai` (with or without `/v1`);
    `api_key` defaults to `CC_API_KEY` and is sent as `Authorization: Bearer <key>`.
    """

    def __init__(
        self,
        base_url: Optional[str] = None,
        api_key: Optional[str] = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: Optional[RetryPolicy] = None,
    ) -> None:
        resolved_key = api_key if api_key is not None else os.environ.get("CC_API_KEY")
        if not resolved_key:
            raise ConfigurationError("Common Compute needs an API key: pass api_key= or set CC_API_KEY")
        resolved_url = base_url or os.environ.get("CC_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = _api_root(resolved_url)
        self._http = JsonHttpClient(
            self.base_url,
            {"Authorization": f"Bearer {resolved_key}"},
            timeout=timeout,
            retry=retry or RetryPolicy(max_retries=max_retries),
            error_class=CommonComputeError,
        )
        self.jobs = Jobs(self._http)
        self.logs = Logs(self._http)
        self.workloads = Workloads(self._http)


class Workloads:
    """`client.workloads`: the real endpoints that create jobs."""

    def __init__(self, http: JsonHttpClient) -> None:
        self._http = http

    def create(self, endpoint: str, body: Dict[str, Any], *, idempotency_key: Optional[str] = None) -> Dict[str, Any]:
        """POSTs a JSON body to a workload endpoint (`/v1/embeddings`, `/v1/chat/completions`, …).

        Returns `{"done": True, "status", "content_type", "body"}` when the endpoint answered with the result, or
        `{"done": False, "id", "status": "processing", "count"?}` after its 202; follow that with `jobs.wait(id)`.
        An Idempotency-Key is always sent (a fresh one unless given): the workload endpoints honour it.
        """
        if not (endpoint in WORKLOAD_ENDPOINTS or endpoint.startswith(("/v1/images/", "/v1/chat/"))):
            raise ValueError(f"{endpoint!r} is not a Common Compute workload endpoint")
        response = self._http.request(
            "POST", endpoint, json_body=body, headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
        )
        if response.status == 202:
            return {"done": False, **(response.json() or {})}
        return {"done": True, "status": response.status, "content_type": response.content_type, "body": response.body}


WORKLOAD_ENDPOINTS = ("/v1/embeddings", "/v1/audio/transcriptions", "/v1/video/transcode")
