"""Safe to merge: with no target configured `boto3.client("batch")` from the shim is the real botocore client;
`"target"` in migrate.config.json (what `migrate init --target` writes) or BATCH_MIGRATE_TARGET flips it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import json, logging, sys
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    import boto3 as real_boto3
    from botocore.client import BaseClient
    from moto import mock_aws
    from batch_migrate_runtime import boto3
    from batch_migrate_runtime.shim import BatchShimClient

    with mock_aws():
        batch = boto3.client("batch", region_name="eu-west-1")
        session_batch = boto3.Session(region_name="eu-west-1").client("batch")
        real = real_boto3.client("batch", region_name="eu-west-1")
        shimmed = [isinstance(c, BatchShimClient) for c in (batch, session_batch)]
        real_client = [isinstance(c, BaseClient) and type(c).__name__ == type(real).__name__ for c in (batch, session_batch)]
        # The call goes through botocore (moto intercepts botocore's HTTP layer).
        queues = batch.describe_job_queues()["jobQueues"]
    print(json.dumps({"shimmed": shimmed, "real": real_client, "queues": queues, "region": batch.meta.region_name}))
    """
)


def run(cwd: Path, env_extra: dict) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("BATCH_MIGRATE_")}
    env.update({"PYTHONPATH": str(PACKAGE_ROOT), "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", **env_extra})
    return subprocess.run([sys.executable, "-c", SCRIPT], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_no_target_configured_is_the_real_botocore_client(tmp_path):
    (tmp_path / "migrate.config.json").write_text(json.dumps({"region": "eu-west-1"}), encoding="utf-8")
    done = run(tmp_path, {})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result == {"shimmed": [False, False], "real": [True, True], "queues": [], "region": "eu-west-1"}
    info = [line for line in done.stderr.splitlines() if line.startswith("INFO batch_migrate_runtime.shim")]
    assert info == ["INFO batch_migrate_runtime.shim batch-migrate shim target aws (from the default: no target configured): every AWS Batch call goes to the real AWS SDK"]


def test_target_in_the_config_file_flips_it_and_the_variable_flips_it_back(tmp_path):
    config = tmp_path / "migrate.config.json"
    config.write_text(json.dumps({"target": "salad"}), encoding="utf-8")
    nested = tmp_path / "src" / "jobs"
    nested.mkdir(parents=True)
    done = run(nested, {"SALAD_API_KEY": "k", "SALAD_BASE_URL": "http://127.0.0.1:9"})
    # Salad rejects nothing here: DescribeJobQueues is answered from the local registry.
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["shimmed"] == [True, True]
    info = [line for line in done.stderr.splitlines() if line.startswith("INFO batch_migrate_runtime.shim")]
    assert info == [f"INFO batch_migrate_runtime.shim batch-migrate shim target salad (from {config}): AWS Batch calls go to salad"]

    back = run(nested, {"BATCH_MIGRATE_TARGET": "aws"})
    assert back.returncode == 0, back.stderr
    assert json.loads(back.stdout)["shimmed"] == [False, False]
