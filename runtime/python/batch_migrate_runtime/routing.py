"""Where a Batch job queue and job definition go on the target, read from `migrate.config.json` at run time.

Code rewritten by `migrate apply --to native` calls these when the queue or definition is only known at run time:

    batch.jobs.submit(**common_compute_route(queue, definition), input=params, name=name)
    batch.create_queue_job(salad_queue(queue, definition), {"parameters": params})
    batch.jobs.submit(**common_compute_submit_arguments(submit_kwargs))
    batch.create_queue_job(**salad_submit_arguments(submit_kwargs))
    [job for job in batch.iterate_queue_jobs(salad_queue_of(queue)) if job["status"] == "running"]

The mapping is the one `apply` uses for literal names: the definition's `commonCompute.workload` (else its name) and
`commonCompute.model`, the queue's `commonCompute.priority`; on SaladCloud the queue's (else the definition's)
`salad.queue`. A name the config does not map raises ConfigurationError naming the key to add.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from .errors import ApiError, ConfigurationError, SaladError
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


def salad_queue_of(job_queue: str, *, config_path: Optional[str] = None) -> str:
    """The SaladCloud queue a Batch job queue maps to (its `salad.queue`), for listing that queue's jobs."""
    registry, source = _registry(config_path)
    queue = registry.queue_name(job_queue)
    salad = registry.queue_mapping_for(queue, "salad").get("queue")
    if not salad:
        raise ConfigurationError(f"job queue {queue!r} has no salad.queue in {source}")
    return str(salad)


# The SubmitJob fields a target call can carry; any other one is refused by name (it would be dropped silently).
_SUBMIT_FIELDS = frozenset({"jobName", "jobQueue", "jobDefinition", "parameters", "retryStrategy", "timeout"})


def _submit_fields(arguments: Mapping[str, Any], target: str) -> Dict[str, Any]:
    if not isinstance(arguments, Mapping):
        raise TypeError(f"submit_job arguments must be a mapping, not {type(arguments).__name__}")
    unknown = sorted(set(arguments) - _SUBMIT_FIELDS)
    if unknown:
        raise ConfigurationError(
            f"submit_job field(s) {', '.join(unknown)} have no {target} counterpart; "
            "drop them or keep this call on AWS Batch"
        )
    for required in ("jobName", "jobQueue", "jobDefinition"):
        if not arguments.get(required):
            raise ConfigurationError(f"submit_job needs {required} (AWS Batch refuses a job without it)")
    retry = arguments.get("retryStrategy") or {}
    if set(retry) - {"attempts"}:
        raise ConfigurationError(f"retryStrategy {sorted(set(retry) - {'attempts'})} has no {target} counterpart")
    timeout = arguments.get("timeout") or {}
    if set(timeout) - {"attemptDurationSeconds"}:
        raise ConfigurationError(f"timeout {sorted(set(timeout) - {'attemptDurationSeconds'})} has no {target} counterpart")
    return {
        "name": arguments["jobName"],
        "queue": arguments["jobQueue"],
        "definition": arguments["jobDefinition"],
        "parameters": dict(arguments.get("parameters") or {}),
        "attempts": retry.get("attempts"),
        "timeout": timeout.get("attemptDurationSeconds"),
    }


def common_compute_submit_arguments(arguments: Mapping[str, Any], *, config_path: Optional[str] = None) -> Dict[str, Any]:
    """boto3 `submit_job` keyword arguments → those of `CommonCompute().jobs.submit`."""
    fields = _submit_fields(arguments, "Common Compute")
    submit: Dict[str, Any] = dict(common_compute_route(fields["queue"], fields["definition"], config_path=config_path))
    submit["input"] = fields["parameters"]
    submit["name"] = fields["name"]
    if fields["attempts"] is not None:
        submit["max_attempts"] = int(fields["attempts"])
    if fields["timeout"] is not None:
        submit["timeout_seconds"] = int(fields["timeout"])
    return submit


def salad_submit_arguments(arguments: Mapping[str, Any], *, config_path: Optional[str] = None) -> Dict[str, Any]:
    """boto3 `submit_job` keyword arguments → those of `SaladCloud().create_queue_job`.

    The Batch parameters travel as `input.parameters` (what the job wrapper reads), the job name in `metadata`.
    SaladCloud retries every job 4 times and cannot stop a running one, so other attempts or a timeout are refused.
    """
    fields = _submit_fields(arguments, "SaladCloud")
    if fields["timeout"] is not None:
        raise ConfigurationError("SaladCloud cannot stop a running job: a submit_job timeout cannot be kept")
    if fields["attempts"] is not None and int(fields["attempts"]) > 4:
        raise ConfigurationError("SaladCloud retries every job 4 times: retryStrategy.attempts above 4 cannot be kept")
    return {
        "queue_name": salad_queue(fields["queue"], fields["definition"], config_path=config_path),
        "input": {"parameters": fields["parameters"]},
        "metadata": {"name": fields["name"]},
    }


# AWS Batch job status → the target states it becomes (the table apply uses for literal statuses).
_COMMON_COMPUTE_STATES = {
    "SUBMITTED": ("queued",),
    "PENDING": ("queued",),
    "RUNNABLE": ("queued",),
    "STARTING": ("leased",),
    "RUNNING": ("leased",),
    "SUCCEEDED": ("completed",),
    "FAILED": ("failed", "dead_letter"),
}
_SALAD_STATES = {
    "SUBMITTED": ("pending",),
    "PENDING": ("pending",),
    "RUNNABLE": ("pending",),
    "STARTING": ("running",),
    "RUNNING": ("running",),
    "SUCCEEDED": ("succeeded",),
    "FAILED": ("failed", "cancelled"),
}


def _states(table: Dict[str, "tuple[str, ...]"], statuses: Any, target: str) -> "tuple[str, ...]":
    wanted = [statuses] if isinstance(statuses, str) else list(statuses)
    states: list = []
    for status in wanted:
        if status not in table:
            raise ValueError(f"{status!r} is not an AWS Batch job status ({', '.join(table)}); {target} cannot map it")
        states.extend(state for state in table[status] if state not in states)
    return tuple(states)


def common_compute_states(statuses: Any) -> "tuple[str, ...]":
    """A Batch status (or several) → the Common Compute job states it stands for: `"SUCCEEDED"` → `("completed",)`."""
    return _states(_COMMON_COMPUTE_STATES, statuses, "Common Compute")


def salad_states(statuses: Any) -> "tuple[str, ...]":
    """A Batch status (or several) → the SaladCloud queue job statuses it stands for."""
    return _states(_SALAD_STATES, statuses, "SaladCloud")


# Job id → SaladCloud queue, for jobs this process already found (a queue job's id never moves to another queue).
_QUEUE_OF_JOB: Dict[str, str] = {}


def _mapped_salad_queues(registry: Registry) -> "list[str]":
    queues: list = []
    for mappings in registry.target_mappings.values():
        merged = dict(mappings.get("flat") or {})
        merged.update(mappings.get("salad") or {})
        queue = merged.get("queue")
        if queue and queue not in queues:
            queues.append(str(queue))
    return queues


def salad_queue_of_job(client: Any, job_id: str, *, config_path: Optional[str] = None) -> str:
    """The SaladCloud queue holding `job_id`, for `get_queue_job` / `delete_queue_job` when Batch code only knows the id.

    Looks the job up in each queue migrate.config.json maps (one GET per queue until found, remembered for the
    process). Raises ConfigurationError when no mapped queue holds it.
    """
    if job_id in _QUEUE_OF_JOB:
        return _QUEUE_OF_JOB[job_id]
    registry, source = _registry(config_path)
    queues = _mapped_salad_queues(registry)
    if len(queues) == 1:
        return queues[0]
    for queue in queues:
        try:
            client.get_queue_job(queue, job_id)
        except SaladError as error:
            if error.status == 404:
                continue
            raise
        _QUEUE_OF_JOB[job_id] = queue
        return queue
    raise UnknownJobError(
        f"job {job_id!r} is in none of the SaladCloud queues {source} maps ({', '.join(queues) or 'none'}); "
        "map the job queue it was submitted to under jobQueues.<name>.salad.queue"
    )


class UnknownJobError(ConfigurationError):
    """No SaladCloud queue migrate.config.json maps holds the job."""


def described_jobs(get: Callable[[str], Dict[str, Any]], job_ids: Iterable[str]) -> List[Dict[str, Any]]:
    """The jobs of `job_ids` that exist, in order, read one by one with `get`: what DescribeJobs answers, which
    leaves out the ids it does not know (reference/targets.md) where the targets answer 404 for each."""
    jobs = []
    for job_id in job_ids:
        try:
            jobs.append(get(job_id))
        except UnknownJobError:
            continue
        except ApiError as error:
            if error.status != 404:
                raise
    return jobs
