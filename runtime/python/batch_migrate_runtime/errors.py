"""Errors raised by the target clients (not by the shim, which raises botocore-shaped errors)."""

from __future__ import annotations

from typing import Any, Dict, Optional

# The code AWS Batch answers for the same HTTP status (its API reference lists ClientException and ServerException for
# every operation; throttling is TooManyRequestsException with 429, per AWS's knowledge center "aws-batch-requests-error";
# a bad or missing key is rejected before the service, as UnrecognizedClientException / AccessDeniedException).
_AWS_CODE_BY_STATUS = {401: "UnrecognizedClientException", 403: "AccessDeniedException", 429: "TooManyRequestsException"}


def aws_error_code(status: int) -> str:
    """The AWS Batch error code for a target's HTTP error status."""
    if status in _AWS_CODE_BY_STATUS:
        return _AWS_CODE_BY_STATUS[status]
    return "ServerException" if status >= 500 else "ClientException"


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

    @property
    def response(self) -> Dict[str, Any]:
        """The error as botocore's `ClientError.response` shapes it, so a handler written for boto3 reads it as is.

        `Error.Code` is the code AWS Batch answers for the same HTTP status (`aws_error_code`), `Error.Message`
        the target's own message (its text, not AWS's), and `ResponseMetadata.HTTPStatusCode` the target's real
        status, so a retry on 429 or 5xx still happens where it did.
        """
        return {
            "Error": {"Code": aws_error_code(self.status), "Message": self.server_message},
            "ResponseMetadata": {"HTTPStatusCode": self.status, "RetryAttempts": max(0, self.attempts - 1)},
        }


class CommonComputeError(ApiError):
    """An error answer from the Common Compute API."""


class SaladError(ApiError):
    """An error answer from the SaladCloud API (RFC 7807 problem details)."""


class ConfigurationError(RuntimeClientError):
    """A required setting (base URL, API key, organization…) is missing or malformed."""
