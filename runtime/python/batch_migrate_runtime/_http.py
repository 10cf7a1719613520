"""JSON over HTTP on urllib, with bounded retries and typed errors."""

from __future__ import annotations

import json
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from .errors import ApiError, TransportError

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE"})
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_RETRIES = 3
USER_AGENT = "batch-migrate-runtime-python/0.1.0"


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter, bounded in count and in per-wait length."""

    max_retries: int = DEFAULT_MAX_RETRIES
    base_delay_seconds: float = 0.2
    max_delay_seconds: float = 5.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay_for(self, retry_number: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay_seconds)
        ceiling = min(self.max_delay_seconds, self.base_delay_seconds * (2**retry_number))
        return random.uniform(0, ceiling)


@dataclass
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "") or self.headers.get("content-type", "")

    def json(self) -> Any:
        if not self.body:
            return None
        return json.loads(self.body.decode("utf-8"))


def _parse_retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _server_message(body: bytes) -> tuple[str, Optional[str], Any]:
    """Pulls a human message and a machine code out of an error body of any of our targets.

    Common Compute answers `{"error": msg, "code": code}`, SaladCloud RFC 7807 problem details
    `{title, detail, status}`, and AWS-style faces `{"__type"|"code", "message"}`.
    """
    text = body.decode("utf-8", errors="replace").strip()
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        return text[:500], None, text
    if not isinstance(payload, dict):
        return text[:500], None, payload
    code = payload.get("code") or payload.get("__type") or payload.get("type")
    if isinstance(code, str) and "#" in code:
        code = code.rsplit("#", 1)[1]
    message = (
        payload.get("detail")
        or payload.get("message")
        or payload.get("Message")
        or payload.get("error")
        or payload.get("title")
        or text[:500]
    )
    if not isinstance(message, str):
        message = json.dumps(message)
    return message, code if isinstance(code, str) else None, payload


class JsonHttpClient:
    """One base URL, fixed auth headers, JSON in and out."""

    def __init__(
        self,
        base_url: str,
        auth_headers: Mapping[str, str],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        retry: Optional[RetryPolicy] = None,
        error_class: type[ApiError] = ApiError,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth_headers = dict(auth_headers)
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.error_class = error_class

    def url_for(self, path: str, query: Optional[Mapping[str, Any]] = None) -> str:
        url = self.base_url + path
        if query:
            pairs = [(key, _query_value(value)) for key, value in query.items() if value is not None]
            if pairs:
                url += "?" + urllib.parse.urlencode(pairs)
        return url

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        json_body: Any = None,
        headers: Optional[Mapping[str, str]] = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> HttpResponse:
        """Sends the request, retrying what is safe to repeat; raises on any other non-2xx.

        A repeatable request (GET, PUT, DELETE, HEAD, or one with an Idempotency-Key header) is retried after
        408/429/5xx and connection failures. Any other request (a SaladCloud job POST has no idempotency key, so a
        repeat can create a duplicate job) is retried only when the answer proves it was not applied: 429, or a
        refused connection. Statuses in `ok_statuses` (for example 202 "result not ready") are returned.
        """
        url = self.url_for(path, query)
        body = None if json_body is None else json.dumps(json_body).encode("utf-8")
        all_headers = {"Accept": "application/json", "User-Agent": USER_AGENT, **self.auth_headers}
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        if headers:
            all_headers.update(headers)
        repeatable = method.upper() in IDEMPOTENT_METHODS or any(
            name.lower() == "idempotency-key" for name in all_headers
        )

        retry_number = 0
        while True:
            outcome = self._send_once(method, url, body, all_headers)
            retry_after: Optional[float] = None
            if isinstance(outcome, HttpResponse):
                if 200 <= outcome.status < 300 or outcome.status in ok_statuses:
                    return outcome
                retryable = outcome.status in RETRYABLE_STATUSES if repeatable else outcome.status == 429
                if not retryable or retry_number >= self.retry.max_retries:
                    raise self._error_from(method, url, outcome, retry_number)
                retry_after = _parse_retry_after(outcome.headers.get("Retry-After"))
            elif retry_number >= self.retry.max_retries or not (repeatable or _is_refused(outcome)):
                raise TransportError(
                    f"{method} {url} failed after {retry_number + 1} attempt(s): {outcome}",
                    method=method,
                    url=url,
                    attempts=retry_number + 1,
                ) from outcome
            self.retry.sleep(self.retry.delay_for(retry_number, retry_after))
            retry_number += 1

    def _send_once(self, method: str, url: str, body: Optional[bytes], headers: Mapping[str, str]):
        request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return HttpResponse(response.status, dict(response.headers.items()), response.read())
        except urllib.error.HTTPError as error:
            with error:
                payload = error.read()
            return HttpResponse(error.code, dict(error.headers.items()) if error.headers else {}, payload)
        except (urllib.error.URLError, ConnectionError, socket.timeout, TimeoutError) as error:
            return error

    def _error_from(self, method: str, url: str, response: HttpResponse, retries: int) -> ApiError:
        message, code, payload = _server_message(response.body)
        return self.error_class(
            f"{method} {url} returned HTTP {response.status}: {message}",
            status=response.status,
            server_message=message,
            code=code,
            body=payload,
            method=method,
            url=url,
            attempts=retries + 1,
        )


def _is_refused(error: BaseException) -> bool:
    """A refused connection never reached the server, so even a POST can be sent again."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return isinstance(reason, ConnectionRefusedError)


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
