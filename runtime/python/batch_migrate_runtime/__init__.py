"""batch-migrate runtime for Python: Common Compute and SaladCloud clients, and a boto3-shaped AWS Batch shim.

`from batch_migrate_runtime import boto3` replaces `import boto3` (see batch_migrate_runtime.boto3).
"""

from . import boto3
from .common_compute import CommonCompute
from .errors import ApiError, CommonComputeError, ConfigurationError, RuntimeClientError, SaladError, TransportError
from .routing import (
    common_compute_route,
    common_compute_states,
    common_compute_submit_arguments,
    described_jobs,
    salad_queue,
    salad_queue_of,
    salad_queue_of_job,
    salad_states,
    salad_submit_arguments,
)
from .salad import SaladCloud

__all__ = [
    "ApiError",
    "CommonCompute",
    "CommonComputeError",
    "ConfigurationError",
    "RuntimeClientError",
    "SaladCloud",
    "SaladError",
    "TransportError",
    "boto3",
    "common_compute_route",
    "common_compute_states",
    "common_compute_submit_arguments",
    "described_jobs",
    "salad_queue",
    "salad_queue_of",
    "salad_queue_of_job",
    "salad_states",
    "salad_submit_arguments",
]
__version__ = "0.1.0"
