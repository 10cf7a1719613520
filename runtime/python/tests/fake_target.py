"""An in-memory target for the emulation layer: the test decides when each target job runs and how it ends."""

from __future__ import annotations

import itertools
from typing import Dict, Iterator, List, Optional

from batch_migrate_runtime.shim import model
from batch_migrate_runtime.shim.targets import TargetJob, TargetSubmission


class FakeTarget:
    label = "fake"
    can_emulate_retries = True
    fixed_attempts: Optional[int] = None

    def __init__(self, *, can_stop_running: bool = True) -> None:
        self.can_stop_running = can_stop_running
        self.jobs: Dict[str, TargetJob] = {}
        self.submissions: List[TargetSubmission] = []
        self._ids = itertools.count(1)

    def submit(self, submission: TargetSubmission) -> TargetJob:
        target_id = f"t{next(self._ids)}"
        self.submissions.append(submission)
        self.jobs[target_id] = TargetJob(
            target_id=target_id,
            status="RUNNABLE",
            status_reason=None,
            is_cancelled=False,
            is_terminated=False,
            created_at=model.now_ms(),
            started_at=None,
            stopped_at=None,
            attempt_starts=[],
            metadata=dict(submission.metadata),
        )
        return self.jobs[target_id]

    def get(self, target_id: str, target_queue: Optional[str]) -> Optional[TargetJob]:
        return self.jobs.get(target_id)

    def cancel(self, job: TargetJob, reason: str) -> None:
        job.is_terminated = job.status == "RUNNING"
        job.is_cancelled = not job.is_terminated
        job.status, job.status_reason, job.stopped_at = "FAILED", reason, model.now_ms()

    def list_queue(self, queue_name: str, target_queue: Optional[str]) -> Iterator[TargetJob]:
        return (job for job in self.jobs.values() if job.metadata.get("aws_job_queue") == queue_name)

    # Test controls

    def start(self, target_id: str) -> None:
        job = self.jobs[target_id]
        job.status, job.started_at = "RUNNING", model.now_ms()
        job.attempt_starts.append(job.started_at)

    def finish(self, target_id: str, *, exit_code: int = 0, reason: Optional[str] = None, timed_out: bool = False) -> None:
        if self.jobs[target_id].status != "RUNNING":
            self.start(target_id)
        job = self.jobs[target_id]
        job.status = "SUCCEEDED" if exit_code == 0 else "FAILED"
        job.status_reason = model.NORMAL_EXIT_REASON if exit_code == 0 else (reason or f"exit code {exit_code}")
        job.exit_code, job.container_reason, job.timed_out, job.stopped_at = exit_code, reason, timed_out, model.now_ms()

    def target_ids_for(self, shim_job_id: str) -> List[str]:
        return [job.target_id for job in self.jobs.values() if job.metadata.get("aws_job_id") == shim_job_id]
