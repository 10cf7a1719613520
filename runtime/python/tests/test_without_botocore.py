"""With neither boto3 nor botocore importable, the shim still works and raises its own ClientError."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import os, sys
    for name in ("boto3", "botocore", "botocore.exceptions"):
        sys.modules[name] = None
    os.environ.update({"BATCH_MIGRATE_TARGET": "common-compute", "CC_API_KEY": "cc_test_x", "CC_BASE_URL": "http://127.0.0.1:9"})
    from batch_migrate_runtime import boto3
    from batch_migrate_runtime.shim.errors import ClientError
    batch = boto3.client("batch")
    try:
        batch.submit_job(jobName="a", jobQueue="q", jobDefinition="missing")
    except batch.exceptions.ClientException as error:
        assert isinstance(error, ClientError) and type(error).__mro__[1].__module__ == "batch_migrate_runtime.shim.errors"
        assert error.response["Error"] == {"Code": "ClientException", "Message": "job definition missing not found or not ACTIVE"}
        assert error.operation_name == "SubmitJob"
        assert str(error) == "An error occurred (ClientException) when calling the SubmitJob operation: job definition missing not found or not ACTIVE"
    else:
        raise AssertionError("no ClientException")
    try:
        batch.submit_job(jobName="a")
    except ValueError as error:
        assert "Missing required parameter" in str(error)
    try:
        boto3.client("s3")
    except ImportError as error:
        assert "boto3 is not installed" in str(error)
    else:
        raise AssertionError("s3 without boto3 did not fail")
    print("ok")
    """
)


def test_stdlib_error_classes_and_a_clear_error_for_other_services(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=tmp_path, env={"PYTHONPATH": str(PACKAGE_ROOT), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
