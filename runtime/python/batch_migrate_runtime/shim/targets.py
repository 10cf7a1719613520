"""Adapters that put one AWS Batch attempt-group onto a target job and read it back as a `TargetJob`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, List, Optional

from ..common_compute import CommonCompute, TERMINAL_JOB_STATES
from ..errors import ApiError
from ..salad import NAME_PATTERN, SaladCloud, TERMINAL_JOB_STATUSES
from . import model


@dataclass
class TargetJob:
    """A target job, already mapped to AWS Batch's vocabulary."""

    target_id: str
    status: str
    status_reason: Optional[str]
    is_cancelled: bool
    is_terminated: bool
    created_at: Optional[int]
    started_at: Optional[int]
    stopped_at: Optional[int]
    attempt_starts: List[Optional[int]]
    exit_code: Optional[int] = None
    container_reason: Optional[str] = None
    timed_out: bool = False
    metadata: Dict[str, Any] = field(default_factory=dict)
    target_queue: Optional[str] = None


@dataclass
class TargetSubmission:
    """What the emulation layer asks a target to run: one attempt-group of one AWS job."""

    shim_job_id: str
    attempt_group: int
    payload: Dict[str, Any]
    metadata: Dict[str, Any]
    name: str
    definition_name: str
    queue_name: str
    max_attempts: int
    timeout_seconds: Optional[int]
    parameters: Dict[str, str]
    definition_mapping: Dict[str, Any]
    queue_mapping: Dict[str, Any]


class CommonComputeTarget:
    label = "common-compute"
    # Cancel of a leased job marks it failed but keeps the lease: the run goes on and can still complete.
    can_stop_running = False
    can_emulate_retries = True
    fixed_attempts: Optional[int] = None

    def __init__(self, client: CommonCompute) -> None:
        self.client = client

    def to_target_job(self, raw: Dict[str, Any]) -> TargetJob:
        view = model.common_compute_status(raw)
        error = raw.get("error") if isinstance(raw.get("error"), dict) else {}
        attempts = int(raw.get("attempts") or 0)
        terminal = raw.get("state") in TERMINAL_JOB_STATES
        started_at = raw.get("started_at")
        # started_at is the first lease's (targets.md A.4); later leases report no start time.
        attempt_starts: List[Optional[int]] = ([started_at] if attempts else []) + [None] * max(attempts - 1, 0)
        return TargetJob(
            target_id=str(raw["id"]),
            status=view["status"],
            status_reason=view.get("statusReason"),
            is_cancelled=view["isCancelled"],
            is_terminated=view["isTerminated"],
            created_at=raw.get("created_at"),
            started_at=started_at,
            # completed_at is set only on completion; stopped_at [ext] also covers failed jobs.
            stopped_at=(raw.get("stopped_at") or raw.get("completed_at")) if terminal else None,
            attempt_starts=attempt_starts,
            exit_code=model.exit_code_from_error(error) if raw.get("state") in ("failed", "dead_letter") else (0 if raw.get("state") == "completed" else None),
            container_reason=error.get("code"),
            timed_out=error.get("code") == "timeout",
            metadata=dict(raw.get("metadata") or {}),
        )

    def submit(self, submission: TargetSubmission) -> TargetJob:
        mapping = submission.definition_mapping
        workload = mapping.get("workload") or submission.definition_name
        priority = submission.queue_mapping.get("priority") or mapping.get("priority") or "batch"
        input_uri_parameter = mapping.get("inputUriParameter")
        input_uri = submission.parameters.get(input_uri_parameter) if input_uri_parameter else None
        job_input = submission.parameters if mapping.get("input") == "parameters" else submission.payload
        raw = self.client.jobs.submit(
            workload,
            None if input_uri else job_input,
            input_uri=input_uri,
            name=submission.name,
            priority=priority,
            model=mapping.get("model"),
            max_attempts=submission.max_attempts,
            timeout_seconds=submission.timeout_seconds,
            metadata=submission.metadata,
            idempotency_key=f"{submission.shim_job_id}#{submission.attempt_group}",
        )
        return self.to_target_job(raw)

    def get(self, target_id: str, target_queue: Optional[str]) -> Optional[TargetJob]:
        try:
            return self.to_target_job(self.client.jobs.get(target_id))
        except ApiError as error:
            if error.status in (400, 404):
                return None
            raise

    def cancel(self, job: TargetJob, reason: str) -> None:
        try:
            self.client.jobs.cancel(job.target_id, reason)
        except ApiError as error:
            if error.status != 404:  # 404: already terminal, which AWS treats as a successful no-op
                raise

    def list_queue(self, queue_name: str, target_queue: Optional[str]) -> Iterator[TargetJob]:
        for raw in self.client.jobs.iterate():
            if (raw.get("metadata") or {}).get("aws_job_queue") == queue_name:
                yield self.to_target_job(raw)


class SaladTarget:
    label = "salad"
    can_stop_running = False
    can_emulate_retries = False
    fixed_attempts: Optional[int] = 4

    def __init__(self, client: SaladCloud, known_queues: Iterable[str]) -> None:
        self.client = client
        self.known_queues = sorted(set(known_queues))

    def to_target_job(self, raw: Dict[str, Any], target_queue: Optional[str]) -> TargetJob:
        view = model.salad_status(raw)
        starts, stopped = model.salad_event_times(raw)
        final = model.final_failure(raw.get("output")) if raw.get("status") == "succeeded" else None
        return TargetJob(
            target_id=str(raw["id"]),
            status=view["status"],
            status_reason=view.get("statusReason"),
            is_cancelled=view["isCancelled"],
            is_terminated=view["isTerminated"],
            created_at=model.iso_to_epoch_ms(raw.get("create_time")),
            started_at=starts[-1] if starts else None,
            stopped_at=stopped if raw.get("status") in TERMINAL_JOB_STATUSES else None,
            attempt_starts=list(starts),
            exit_code=final["exitCode"] if final else (0 if raw.get("status") == "succeeded" else None),
            timed_out=bool(final and final["timedOut"]),
            metadata=dict(raw.get("metadata") or {}),
            target_queue=target_queue,
        )

    def queue_for(self, queue_name: str, definition_mapping: Dict[str, Any], queue_mapping: Dict[str, Any]) -> str:
        salad_queue = queue_mapping.get("queue") or definition_mapping.get("queue") or definition_mapping.get("saladQueue") or queue_name
        if not NAME_PATTERN.match(salad_queue):
            raise ValueError(
                f"job queue {queue_name!r} has no SaladCloud queue mapping and is not itself a valid SaladCloud queue name; "
                "map it with BATCH_MIGRATE_QUEUE_MAP or jobQueues.<name>.salad.queue in migrate.config.json"
            )
        return salad_queue

    def check_definition(self, definition_name: str, mapping: Dict[str, Any]) -> None:
        """SaladCloud's long jobs run under Kelpie, which the shim does not drive: refuse them before anything else."""
        kelpie = mapping.get("kelpieContainerGroup")
        if kelpie is not None:
            raise ValueError(
                f"job definition {definition_name} runs under Kelpie on SaladCloud (its timeout is over 30 minutes, "
                f"container group {json.dumps(kelpie)}); the shim does not submit Kelpie jobs: create them with Kelpie's API "
                "(POST /jobs with container_group_id, see kelpie-job.json under migration/salad/), or shorten the job to run on a Salad queue"
            )

    def submit(self, submission: TargetSubmission) -> TargetJob:
        self.check_definition(submission.definition_name, submission.definition_mapping)
        salad_queue = self.queue_for(submission.queue_name, submission.definition_mapping, submission.queue_mapping)
        raw = self.client.create_queue_job(salad_queue, submission.payload, metadata=submission.metadata)
        return self.to_target_job(raw, salad_queue)

    def get(self, target_id: str, target_queue: Optional[str]) -> Optional[TargetJob]:
        candidates = [target_queue] if target_queue else self.known_queues
        for queue in candidates:
            try:
                return self.to_target_job(self.client.get_queue_job(queue, target_id), queue)
            except ApiError as error:
                if error.status not in (400, 404):
                    raise
        return None

    def cancel(self, job: TargetJob, reason: str) -> None:
        try:
            self.client.delete_queue_job(job.target_queue or "", job.target_id)
        except ApiError as error:
            if error.status not in (400, 404, 409):  # the job left `pending` meanwhile: AWS's no-op
                raise

    def list_queue(self, queue_name: str, target_queue: Optional[str]) -> Iterator[TargetJob]:
        if not target_queue:
            return
        for raw in self.client.iterate_queue_jobs(target_queue):
            if (raw.get("metadata") or {}).get("aws_job_queue") == queue_name:
                yield self.to_target_job(raw, target_queue)
