"""The AWS Batch shim: botocore-shaped client, errors and configuration over the targets."""

from .client import BatchShimClient
from .errors import ClientError, ClientException, ServerException
from .local_client import LocalBatchShimClient
from .settings import ShimSettings

__all__ = ["BatchShimClient", "ClientError", "ClientException", "LocalBatchShimClient", "ServerException", "ShimSettings"]
