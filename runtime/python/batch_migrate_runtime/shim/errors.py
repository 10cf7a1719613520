"""Errors shaped like botocore's: `ClientError(error_response, operation_name)` with
`response["Error"]["Code"]`, plus the modelled Batch exceptions `ClientException` and `ServerException`.

When botocore is importable our classes subclass the real `botocore.exceptions.ClientError`, so a user's
`except ClientError` keeps working unchanged; otherwise a standard-library class of the same shape is used.
"""

from __future__ import annotations

import uuid
from typing import Any, Dict, Optional


def _load_botocore_client_error() -> Optional[type]:
    try:
        from botocore.exceptions import ClientError as BotocoreClientError
    except ImportError:
        return None
    return BotocoreClientError


_BOTOCORE_CLIENT_ERROR = _load_botocore_client_error()

if _BOTOCORE_CLIENT_ERROR is not None:
    ClientError = _BOTOCORE_CLIENT_ERROR
else:

    class ClientError(Exception):  # type: ignore[no-redef]
        """Standard-library stand-in for botocore.exceptions.ClientError (same constructor and fields)."""

        MSG_TEMPLATE = "An error occurred ({error_code}) when calling the {operation_name} operation: {error_message}"

        def __init__(self, error_response: Dict[str, Any], operation_name: str) -> None:
            error = error_response.get("Error", {})
            message = self.MSG_TEMPLATE.format(
                error_code=error.get("Code", "Unknown"),
                error_message=error.get("Message", "Unknown"),
                operation_name=operation_name,
            )
            super().__init__(message)
            self.response = error_response
            self.operation_name = operation_name


class ClientException(ClientError):  # type: ignore[misc, valid-type]
    """Bad request: invalid parameters, unknown resources, or what the target cannot honour."""


class ServerException(ClientError):  # type: ignore[misc, valid-type]
    """The target failed or could not be reached."""


ERROR_CLASSES = {"ClientException": ClientException, "ServerException": ServerException}


def error_response(code: str, message: str, http_status: int) -> Dict[str, Any]:
    request_id = str(uuid.uuid4())
    return {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {
            "RequestId": request_id,
            "HTTPStatusCode": http_status,
            "HTTPHeaders": {"x-amzn-requestid": request_id, "x-amzn-errortype": code},
            "RetryAttempts": 0,
        },
    }


def client_exception(operation_name: str, message: str) -> ClientException:
    return ClientException(error_response("ClientException", message, 400), operation_name)


def server_exception(operation_name: str, message: str) -> ServerException:
    return ServerException(error_response("ServerException", message, 500), operation_name)


def error_for_code(operation_name: str, code: str, message: str, http_status: int) -> ClientError:
    error_class = ERROR_CLASSES.get(code, ClientError)
    return error_class(error_response(code, message, http_status), operation_name)


class BatchExceptions:
    """`client.exceptions`: the modelled error classes, plus botocore's `from_code`."""

    ClientError = ClientError
    ClientException = ClientException
    ServerException = ServerException

    def from_code(self, code: str) -> type:
        return ERROR_CLASSES.get(code, ClientError)
