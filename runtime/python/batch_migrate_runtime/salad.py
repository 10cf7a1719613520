"""SaladCloud Job Queues client (standard library only).

Paths, operation names and the snake_case wire format follow SaladCloud's OpenAPI spec
(reference/targets.md B.2-B.4); nothing here is assumed. Method names match the official SDK's
`sdk.queues.*` operationIds (`create_queue_job`, `get_queue_job`, `list_queue_jobs`, `delete_queue_job`…).
There is no cancel operation: `delete_queue_job` cancels, and only while the job is still `pending`.
Responses are the JSON objects as sent (`id`, `status`, `events`, `output`, `create_time`…).
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, Iterator, Optional
from urllib.parse import quote

from ._http import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_SECONDS, JsonHttpClient, RetryPolicy
from .errors import ConfigurationError, SaladError

DEFAULT_BASE_URL = "https://api.salad.com/api/public"
JOB_STATUSES = ("pending", "running", "succeeded", "cancelled", "failed")
TERMINAL_JOB_STATUSES = frozenset({"succeeded", "cancelled", "failed"})
MAX_PAGE_SIZE = 100
MAX_METADATA_PROPERTIES = 20
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{0,61}[a-z0-9]$")

QueueJob = Dict[str, Any]


def _check_name(kind: str, value: Optional[str]) -> str:
    if not value:
        raise ConfigurationError(f"SaladCloud needs a {kind} name")
    if not NAME_PATTERN.match(value):
        raise ValueError(
            f"{kind} name {value!r} is not a SaladCloud name (2-63 chars of a-z, 0-9 and '-', starting with a letter)"
        )
    return value


def _segment(value: str) -> str:
    return quote(value, safe="")


class SaladCloud:
    """SaladCloud Job Queue client.

    `api_key` defaults to `SALAD_API_KEY` and is sent as `Salad-Api-Key`; `base_url` defaults to
    `SALAD_BASE_URL`, then `https://api.salad.com/api/public`. `organization_name` and `project_name`
    (defaults `SALAD_ORGANIZATION_NAME`, `SALAD_PROJECT_NAME`, the variables SaladCloud sets inside its
    containers) are used when a call does not pass its own.
    """

    def __init__(
        self,
        api_key: Optional[str] = None,
        *,
        base_url: Optional[str] = None,
        organization_name: Optional[str] = None,
        project_name: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry: Optional[RetryPolicy] = None,
    ) -> None:
        resolved_key = api_key if api_key is not None else os.environ.get("SALAD_API_KEY")
        if not resolved_key:
            raise ConfigurationError("SaladCloud needs an API key: pass api_key= or set SALAD_API_KEY")
        self.base_url = (base_url or os.environ.get("SALAD_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.organization_name = organization_name or os.environ.get("SALAD_ORGANIZATION_NAME")
        self.project_name = project_name or os.environ.get("SALAD_PROJECT_NAME")
        self._http = JsonHttpClient(
            self.base_url,
            {"Salad-Api-Key": resolved_key},
            timeout=timeout,
            retry=retry or RetryPolicy(max_retries=max_retries),
            error_class=SaladError,
        )

    def _project_path(self, organization_name: Optional[str], project_name: Optional[str]) -> str:
        organization = _check_name("organization", organization_name or self.organization_name)
        project = _check_name("project", project_name or self.project_name)
        return f"/organizations/{_segment(organization)}/projects/{_segment(project)}"

    def _queue_path(self, queue_name: str, organization_name: Optional[str], project_name: Optional[str]) -> str:
        queue = _check_name("queue", queue_name)
        return f"{self._project_path(organization_name, project_name)}/queues/{_segment(queue)}"

    # Queues

    def list_queues(self, *, organization_name: Optional[str] = None, project_name: Optional[str] = None) -> Dict[str, Any]:
        """`GET …/queues` → `{"items": [Queue…]}`."""
        return self._http.request("GET", f"{self._project_path(organization_name, project_name)}/queues").json()

    def create_queue(
        self,
        name: str,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
        organization_name: Optional[str] = None,
        project_name: Optional[str] = None,
    ) -> Dict[str, Any]:
        """`POST …/queues` with a QueuePrototype `{name, display_name, description}` → 201 Queue."""
        body: Dict[str, Any] = {"name": _check_name("queue", name)}
        if display_name is not None:
            body["display_name"] = display_name
        if description is not None:
            body["description"] = description
        path = f"{self._project_path(organization_name, project_name)}/queues"
        return self._http.request("POST", path, json_body=body).json()

    def get_queue(
        self, queue_name: str, *, organization_name: Optional[str] = None, project_name: Optional[str] = None
    ) -> Dict[str, Any]:
        return self._http.request("GET", self._queue_path(queue_name, organization_name, project_name)).json()

    def update_queue(
        self,
        queue_name: str,
        *,
        display_name: Optional[str] = None,
        description: Optional[str] = None,
        organization_name: Optional[str] = None,
        project_name: Optional[str] = None,
    ) -> Dict[str, Any]:
        """`PATCH …/queues/{queue_name}` with a QueuePatch `{display_name?, description?}`."""
        body = {key: value for key, value in (("display_name", display_name), ("description", description)) if value is not None}
        path = self._queue_path(queue_name, organization_name, project_name)
        headers = {"Content-Type": "application/merge-patch+json"}
        return self._http.request("PATCH", path, json_body=body, headers=headers).json()

    def delete_queue(
        self, queue_name: str, *, organization_name: Optional[str] = None, project_name: Optional[str] = None
    ) -> None:
        self._http.request("DELETE", self._queue_path(queue_name, organization_name, project_name))

    # Queue jobs

    def create_queue_job(
        self,
        queue_name: str,
        input: Any,
        *,
        metadata: Optional[Dict[str, Any]] = None,
        webhook: Optional[str] = None,
        organization_name: Optional[str] = None,
        project_name: Optional[str] = None,
    ) -> QueueJob:
        """`POST …/queues/{queue_name}/jobs` with a QueueJobPrototype `{input, metadata?, webhook?}` → 201 QueueJob.

        Only `input` reaches the app: the queue worker forwards the input body and nothing else.
        """
        if metadata is not None and len(metadata) > MAX_METADATA_PROPERTIES:
            raise ValueError(f"SaladCloud job metadata holds at most {MAX_METADATA_PROPERTIES} properties")
        body: Dict[str, Any] = {"input": input}
        if metadata is not None:
            body["metadata"] = metadata
        if webhook is not None:
            body["webhook"] = webhook
        path = f"{self._queue_path(queue_name, organization_name, project_name)}/jobs"
        return self._http.request("POST", path, json_body=body).json()

    def get_queue_job(
        self,
        queue_name: str,
        queue_job_id: str,
        *,
        organization_name: Optional[str] = None,
        project_name: Optional[str] = None,
    ) -> QueueJob:
        path = f"{self._queue_path(queue_name, organization_name, project_name)}/jobs/{_segment(queue_job_id)}"
        return self._http.request("GET", path).json()

    def list_queue_jobs(
        self,
        queue_name: str,
        *,
        page: Optional[int] = None,
        page_size: Optional[int] = None,
        organization_name: Optional[str] = None,
        project_name: Optional[str] = None,
    ) -> Dict[str, Any]:
        """`GET …/queues/{queue_name}/jobs?page=&page_size=` → `{"items": [QueueJob…]}` (no total, no cursor)."""
        if page is not None and page < 1:
            raise ValueError("page starts at 1")
        if page_size is not None and not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        path = f"{self._queue_path(queue_name, organization_name, project_name)}/jobs"
        return self._http.request("GET", path, query={"page": page, "page_size": page_size}).json()

    def iterate_queue_jobs(
        self,
        queue_name: str,
        *,
        page_size: int = MAX_PAGE_SIZE,
        organization_name: Optional[str] = None,
        project_name: Optional[str] = None,
    ) -> Iterator[QueueJob]:
        """Every job of the queue; the collection has no cursor, so a short page marks the end."""
        page = 1
        while True:
            items = self.list_queue_jobs(
                queue_name,
                page=page,
                page_size=page_size,
                organization_name=organization_name,
                project_name=project_name,
            ).get("items") or []
            yield from items
            if len(items) < page_size:
                return
            page += 1

    def delete_queue_job(
        self,
        queue_name: str,
        queue_job_id: str,
        *,
        organization_name: Optional[str] = None,
        project_name: Optional[str] = None,
    ) -> None:
        """Cancels the job (`DELETE …/jobs/{id}`, 202). SaladCloud only cancels jobs that are still pending."""
        path = f"{self._queue_path(queue_name, organization_name, project_name)}/jobs/{_segment(queue_job_id)}"
        self._http.request("DELETE", path)
