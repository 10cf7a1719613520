"""Where a Batch job queue and job definition go on the target, read from `migrate.config.json` at run time.

Code rewritten by `migrate apply --to native` calls these when the queue or definition is only known at run time:

    batch.jobs.submit(**common_compute_route(queue, definition), input=params, name=name)
    batch.create_queue_job(salad_queue(queue, definition), {"parameters": params})

The mapping is the one `apply` uses for literal names: the definition's `commonCompute.workload` (else its name) and
`commonCompute.model`, the queue's `commonCompute.priority`; on SaladCloud the queue's (else the definition's)
`salad.queue`. A name the config does not map raises ConfigurationError naming the key to add.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Optional

from .errors import ConfigurationError
from .shim.registry import Registry
from .shim.settings import CONFIG_FILE_NAME, find_config_file, load_config_document


def _registry(config_path: Optional[str]) -> "tuple[Registry, str]":
    explicit = config_path or os.environ.get("BATCH_MIGRATE_CONFIG")
    path = Path(explicit) if explicit else find_config_file(Path.cwd())
    if path is None or not path.is_file():
        raise ConfigurationError(
            f"no {CONFIG_FILE_NAME} found (looked in {explicit or Path.cwd()} and its parents); "
            "run `migrate init --target …` or set BATCH_MIGRATE_CONFIG"
        )
    document = load_config_document(path)
    return Registry.from_config(document, region="us-east-1", account_id="000000000000"), str(path)


def _definition_name(registry: Registry, job_definition: str, source: str) -> str:
    """`name`, `name:revision` or an ARN → the name; any revision maps the same way."""
    text = job_definition.split("job-definition/", 1)[1] if job_definition.startswith("arn:") and "job-definition/" in job_definition else job_definition
    name = text.partition(":")[0]
    if name not in registry.job_definitions:
        raise ConfigurationError(f"job definition {name!r} is not in {source}: add it under jobDefinitions")
    return name


def common_compute_route(job_queue: str, job_definition: str, *, config_path: Optional[str] = None) -> Dict[str, Any]:
    """`workload`, `priority` and (when mapped) `model` for `CommonCompute().jobs.submit`."""
    registry, source = _registry(config_path)
    name = _definition_name(registry, job_definition, source)
    queue = registry.queue_name(job_queue)
    priority = registry.queue_mapping_for(queue, "common-compute").get("priority")
    if not priority:
        raise ConfigurationError(f"job queue {queue!r} has no commonCompute.priority in {source}")
    mapping = registry.mapping_for(name, "common-compute")
    route: Dict[str, Any] = {"workload": mapping.get("workload") or name, "priority": priority}
    if mapping.get("model"):
        route["model"] = mapping["model"]
    return route


def salad_queue(job_queue: str, job_definition: str, *, config_path: Optional[str] = None) -> str:
    """The SaladCloud queue name for `SaladCloud().create_queue_job`."""
    registry, source = _registry(config_path)
    name = _definition_name(registry, job_definition, source)
    queue = registry.queue_name(job_queue)
    salad = registry.queue_mapping_for(queue, "salad").get("queue") or registry.mapping_for(name, "salad").get("queue")
    if not salad:
        raise ConfigurationError(f"job queue {queue!r} has no salad.queue in {source}")
    return str(salad)
