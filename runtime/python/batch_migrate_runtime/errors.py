"""Errors raised by the target clients (not by the shim, which raises botocore-shaped errors)."""

from __future__ import annotations

from typing import Any, Optional


class RuntimeClientError(Exception):
    """Base of every error the target clients raise."""


class TransportError(RuntimeClientError):
    """The server could not be reached (refused, reset, timed out) even after the bounded retries."""

    def __init__(self, message: str, *, method: str, url: str, attempts: int) -> None:
        super().__init__(message)
        self.method = method
        self.url = url
        self.attempts = attempts


class ApiError(RuntimeClientError):
    """The server answered with a non-success HTTP status.

    `status` is the HTTP status, `server_message` the server's own message, `code` its machine code when it
    sent one, and `body` the decoded error body.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int,
        server_message: str,
        code: Optional[str] = None,
        body: Any = None,
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.server_message = server_message
        self.code = code
        self.body = body
        self.method = method
        self.url = url
        self.attempts = attempts

    @property
    def is_not_found(self) -> bool:
        return self.status == 404


class CommonComputeError(ApiError):
    """An error answer from the Common Compute API."""


class SaladError(ApiError):
    """An error answer from the SaladCloud API (RFC 7807 problem details)."""


class ConfigurationError(RuntimeClientError):
    """A required setting (base URL, API key, organization…) is missing or malformed."""
