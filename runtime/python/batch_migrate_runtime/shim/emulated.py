"""AWS Batch job semantics on top of a target that has fewer of them (Common Compute, SaladCloud).

Emulated here, client-side (targets.md E.1):
  - array jobs: the parent exists only in the shim; each child `<parent>:<i>` is one target job;
  - dependsOn (plain, N_TO_N, SEQUENTIAL): a dependent job is held by the shim in PENDING and submitted to the
    target when every dependency has SUCCEEDED, or FAILED with "Dependent Job failed" when one fails;
  - retryStrategy with evaluateOnExit (Common Compute only): each attempt is one target job with
    max_attempts=1, and the shim resubmits per the rules (first match wins, RETRY when none match, no retry
    after a cancel, a terminate or a timeout).
Emulated work advances whenever the client is called (describe_jobs, list_jobs, submit_job…), not in the
background: a held job reaches the target only while some process keeps calling the shim.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from ..errors import ApiError, TransportError
from . import model
from .errors import client_exception, server_exception
from .validation import check_reserved_environment
from .journal import Journal, JobRecord
from .registry import Registry
from .targets import CommonComputeTarget, SaladTarget, TargetJob, TargetSubmission

Target = Union[CommonComputeTarget, SaladTarget]


class EmulatedBackend:
    def __init__(self, target: Target, registry: Registry, journal: Journal, *, emulate_dependencies: bool) -> None:
        self.target = target
        self.registry = registry
        self.journal = journal
        self.emulate_dependencies = emulate_dependencies

    # Submit

    def submit_job(self, params: Mapping[str, Any]) -> Dict[str, Any]:
        op = "SubmitJob"
        definition = self.registry.find_job_definition(params["jobDefinition"])
        if definition is None:
            raise client_exception(op, f"job definition {params['jobDefinition']} not found or not ACTIVE")
        check_definition = getattr(self.target, "check_definition", None)
        if check_definition is not None:
            name = definition.get("jobDefinitionName")
            try:
                check_definition(name, self.registry.mapping_for(name, self.target.label))
            except ValueError as error:
                raise client_exception(op, str(error)) from error
        if definition.get("type") == "multinode" or definition.get("nodeProperties"):
            raise client_exception(op, f"multi-node parallel job definitions are not supported on target {self.target.label}")
        queue = self.registry.find_job_queue(params["jobQueue"])
        if queue is None:
            raise client_exception(op, f"job queue {params['jobQueue']} not found")
        # A definition from migrate.config.json has not been through RegisterJobDefinition's checks.
        check_reserved_environment(
            op,
            (definition.get("containerProperties") or {}).get("environment"),
            f"job definition {definition.get('jobDefinitionName')}: containerProperties.environment",
        )
        retry_strategy = params.get("retryStrategy") or definition.get("retryStrategy") or {}
        timeout = params.get("timeout") or definition.get("timeout")
        attempts = int(retry_strategy.get("attempts") or 1)
        rules = retry_strategy.get("evaluateOnExit") or []
        self._check_target_limits(params, attempts, rules, timeout)
        # Every attempt is its own target job, so AWS_BATCH_JOB_ATTEMPT counts up as on AWS.
        emulate_retries = self.target.can_emulate_retries and attempts > 1

        depends_on = list(params.get("dependsOn") or [])
        for dependency in depends_on:
            if dependency.get("jobId") and self._status_of(dependency["jobId"], {}) is None:
                raise client_exception(op, f"dependent job {dependency['jobId']} does not exist")

        parameters = {**(definition.get("parameters") or {}), **(params.get("parameters") or {})}
        container = definition.get("containerProperties") or {}
        overrides = params.get("containerOverrides") or {}
        command = model.substitute_parameters(overrides.get("command") or container.get("command") or [], parameters)
        environment = {item["name"]: item.get("value", "") for item in container.get("environment") or []}
        environment.update({item["name"]: item.get("value", "") for item in overrides.get("environment") or []})
        container_detail = {
            key: copy.deepcopy(container[key])
            for key in ("image", "vcpus", "memory", "jobRoleArn", "executionRoleArn", "resourceRequirements", "instanceType")
            if key in container
        }
        for key in ("vcpus", "memory", "instanceType", "resourceRequirements"):
            if key in overrides:
                container_detail[key] = copy.deepcopy(overrides[key])
        container_detail["command"] = command
        container_detail["environment"] = [{"name": name, "value": value} for name, value in environment.items()]

        array_size = (params.get("arrayProperties") or {}).get("size")
        is_plain = array_size is None and not depends_on and not emulate_retries
        job_id = str(uuid.uuid4())
        base: JobRecord = {
            "jobName": params["jobName"],
            "jobQueue": queue["jobQueueName"],
            "jobQueueArn": queue["jobQueueArn"],
            "jobDefinition": definition["jobDefinitionArn"],
            "definitionName": definition["jobDefinitionName"],
            "createdAt": model.now_ms(),
            "parameters": parameters,
            "container": container_detail,
            "retryStrategy": copy.deepcopy(retry_strategy) if retry_strategy else None,
            "timeout": copy.deepcopy(timeout) if timeout else None,
            "tags": dict(params.get("tags") or {}),
            "propagateTags": bool(params.get("propagateTags", False)),
            "dependsOn": depends_on,
            "maxAttempts": attempts,
            "emulateRetries": emulate_retries,
            "targetIds": [],
            "targetQueue": None,
            "final": None,
        }
        if array_size is None:
            record = {**base, "jobId": job_id, "kind": "single", "waitFor": [d["jobId"] for d in depends_on], "held": bool(depends_on)}
            if is_plain:
                submitted = self._submit_to_target(record, job_id_is_target_id=True)
                job_id = submitted["jobId"]
            elif not record["held"]:
                self._submit_to_target(record)
            else:
                self.journal.put(record)
        else:
            self._submit_array(base, job_id, array_size, depends_on)
        return {"jobArn": self.registry.arn(f"job/{job_id}"), "jobName": params["jobName"], "jobId": job_id}

    def _check_target_limits(self, params: Mapping[str, Any], attempts: int, rules: List[Any], timeout: Any) -> None:
        op = "SubmitJob"
        label = self.target.label
        if params.get("dependsOn") and not self.emulate_dependencies:
            raise client_exception(
                op,
                f"dependsOn: target {label} has no job dependencies; orchestrate them in the application, or set "
                "BATCH_MIGRATE_EMULATE_DEPENDENCIES=1 to have the shim hold the job until its dependencies succeed",
            )
        if self.target.fixed_attempts is not None:
            if attempts > self.target.fixed_attempts:
                raise client_exception(
                    op, f"retryStrategy.attempts={attempts}: target {label} makes at most {self.target.fixed_attempts} attempts per job"
                )
            if rules:
                raise client_exception(
                    op, f"retryStrategy.evaluateOnExit: target {label} reports neither exit codes nor reasons, so the rules cannot be evaluated"
                )
            if timeout is not None:
                raise client_exception(
                    op, f"timeout: target {label} cannot stop a running job; enforce the time limit inside the application"
                )

    def _submit_array(self, base: JobRecord, parent_id: str, size: int, depends_on: List[Mapping[str, Any]]) -> None:
        parent: JobRecord = {**base, "jobId": parent_id, "kind": "array-parent", "arraySize": size, "waitFor": [], "held": False}
        self.journal.put(parent)
        for index in range(size):
            child_id = f"{parent_id}:{index}"
            wait_for: List[str] = []
            for dependency in depends_on:
                kind = dependency.get("type")
                if kind == "SEQUENTIAL":
                    if index > 0:
                        wait_for.append(f"{parent_id}:{index - 1}")
                elif kind == "N_TO_N":
                    wait_for.append(f"{dependency['jobId']}:{index}")
                else:
                    wait_for.append(dependency["jobId"])
            child: JobRecord = {
                **copy.deepcopy(base),
                "jobId": child_id,
                "kind": "array-child",
                "parentId": parent_id,
                "arraySize": size,
                "arrayIndex": index,
                "waitFor": wait_for,
                "held": bool(wait_for),
            }
            if child["held"]:
                self.journal.put(child)
            else:
                self._submit_to_target(child)

    def _payload(self, record: JobRecord, attempt_group: int, *, job_id_known: bool) -> Dict[str, Any]:
        """The job as one JSON document. A plain job's id is the target's own id (the `Salad-Job-Id` header,
        Common Compute's job id), unknown before submission, so `jobId`/AWS_BATCH_JOB_ID are left out there."""
        environment = {item["name"]: item["value"] for item in record["container"]["environment"]}
        payload: Dict[str, Any] = {}
        if self.target.fixed_attempts is None:
            environment["AWS_BATCH_JOB_ATTEMPT"] = str(attempt_group)
        else:
            # The target's queue makes the retries (SaladCloud: up to 4): the job wrapper counts the attempts, and
            # answers the job's last one so that the queue makes no more than AWS would.
            payload["maxAttempts"] = record["maxAttempts"]
        environment["AWS_BATCH_JQ_NAME"] = record["jobQueue"]
        compute_environment = self.registry.compute_environment_of(record["jobQueue"])
        if compute_environment:
            environment["AWS_BATCH_CE_NAME"] = compute_environment
        if job_id_known:
            environment["AWS_BATCH_JOB_ID"] = record["jobId"]
            payload["jobId"] = record["jobId"]
        payload.update({
            "jobName": record["jobName"],
            "jobQueue": record["jobQueue"],
            "jobDefinition": record["jobDefinition"],
            "parameters": record["parameters"],
            "command": record["container"]["command"],
            "environment": environment,
        })
        if record["kind"] == "array-child":
            environment["AWS_BATCH_JOB_ARRAY_INDEX"] = str(record["arrayIndex"])
            environment["AWS_BATCH_JOB_ARRAY_SIZE"] = str(record["arraySize"])
            payload["arrayProperties"] = {"index": record["arrayIndex"], "size": record["arraySize"]}
        return payload

    def _submit_to_target(self, record: JobRecord, *, job_id_is_target_id: bool = False) -> JobRecord:
        attempt_group = len(record["targetIds"]) + 1
        metadata = {
            "aws_job_name": record["jobName"],
            "aws_job_queue": record["jobQueue"],
            "aws_job_definition": record["jobDefinition"],
        }
        if not job_id_is_target_id:
            metadata["aws_job_id"] = record["jobId"]
            metadata["aws_attempt"] = attempt_group
        if record["kind"] == "array-child":
            metadata["aws_array_parent"] = record["parentId"]
            metadata["aws_array_index"] = record["arrayIndex"]
        timeout = (record.get("timeout") or {}).get("attemptDurationSeconds")
        submission = TargetSubmission(
            shim_job_id=record["jobId"],
            attempt_group=attempt_group,
            payload=self._payload(record, attempt_group, job_id_known=not job_id_is_target_id),
            metadata=metadata,
            name=record["jobName"],
            definition_name=record["definitionName"],
            queue_name=record["jobQueue"],
            max_attempts=1 if record["emulateRetries"] else record["maxAttempts"],
            timeout_seconds=timeout,
            parameters={str(k): str(v) for k, v in record["parameters"].items()},
            definition_mapping=self.registry.mapping_for(record["definitionName"], self.target.label),
            queue_mapping=self.registry.queue_mapping_for(record["jobQueue"], self.target.label),
        )
        try:
            created = self.target.submit(submission)
        except ValueError as error:
            raise client_exception("SubmitJob", str(error)) from error
        except ApiError as error:
            if 400 <= error.status < 500 and error.status != 429:
                raise client_exception("SubmitJob", f"target {self.target.label} rejected the job: {error.server_message}") from error
            raise server_exception("SubmitJob", f"target {self.target.label} failed: {error.server_message}") from error
        except TransportError as error:
            raise server_exception("SubmitJob", str(error)) from error
        if job_id_is_target_id:
            record["jobId"] = created.target_id
        record["targetIds"].append(created.target_id)
        record["targetQueue"] = created.target_queue
        record["held"] = False
        self.journal.put(record)
        return record

    # Reading state

    def _target_job(self, record: JobRecord, target_id: str, cache: Dict[str, Optional[TargetJob]]) -> Optional[TargetJob]:
        if target_id not in cache:
            cache[target_id] = self.target.get(target_id, record.get("targetQueue"))
        return cache[target_id]

    def _advance(self, record: JobRecord, cache: Dict[str, Optional[TargetJob]]) -> None:
        if record.get("final") or record["kind"] == "array-parent":
            return
        if record["held"]:
            statuses = [self._status_of(job_id, cache) for job_id in record["waitFor"]]
            if any(status in ("FAILED", None) for status in statuses):
                record["final"] = {"status": "FAILED", "statusReason": model.DEPENDENCY_FAILED_REASON, "stoppedAt": model.now_ms()}
                self.journal.put(record)
            elif all(status == "SUCCEEDED" for status in statuses):
                self._submit_to_target(record)
            return
        if not record["emulateRetries"] or record.get("cancelReason") or record.get("terminateReason"):
            return
        latest = self._target_job(record, record["targetIds"][-1], cache)
        if latest is None or latest.status != "FAILED" or latest.is_cancelled or latest.is_terminated or latest.timed_out:
            return
        if len(record["targetIds"]) >= record["maxAttempts"]:
            return
        decision = model.evaluate_on_exit(
            (record.get("retryStrategy") or {}).get("evaluateOnExit") or [],
            exit_code=latest.exit_code,
            reason=latest.container_reason,
            status_reason=latest.status_reason,
        )
        if decision == "RETRY":
            self._submit_to_target(record)

    def _status_of(self, job_id: str, cache: Dict[str, Optional[TargetJob]]) -> Optional[str]:
        record = self.journal.get(job_id)
        if record is not None:
            return self._detail(record, cache)["status"]
        target_job = self.target.get(job_id, None) if ":" not in job_id else None
        return target_job.status if target_job else None

    def _detail(self, record: JobRecord, cache: Dict[str, Optional[TargetJob]]) -> Dict[str, Any]:
        if record["kind"] == "array-parent":
            return self._array_parent_detail(record, cache)
        self._advance(record, cache)
        detail = self._base_detail(record)
        if record["kind"] == "array-child":
            detail["arrayProperties"] = {"index": record["arrayIndex"]}
        final = record.get("final")
        if record["held"] and not final:
            detail["status"] = "PENDING"
            return detail
        latest = self._target_job(record, record["targetIds"][-1], cache) if record["targetIds"] else None
        if final:
            detail.update({key: value for key, value in final.items() if key != "stoppedAt"})
            if final.get("stoppedAt"):
                detail["stoppedAt"] = final["stoppedAt"]
            if latest is not None and latest.started_at:
                detail["startedAt"] = latest.started_at
            detail["attempts"] = self._attempts(record, cache)
            return detail
        if latest is None:
            detail["status"] = "FAILED"
            detail["statusReason"] = f"the {self.target.label} job {record['targetIds'][-1] if record['targetIds'] else ''} no longer exists"
            return detail
        detail["status"] = latest.status
        if latest.status_reason:
            detail["statusReason"] = latest.status_reason
        if latest.is_cancelled:
            detail["isCancelled"] = True
            detail["statusReason"] = record.get("cancelReason") or record.get("terminateReason") or latest.status_reason
        if latest.is_terminated:
            detail["isTerminated"] = True
            detail["statusReason"] = record.get("terminateReason") or record.get("cancelReason") or latest.status_reason
        if latest.started_at is not None and latest.status not in model.NOT_STARTED_STATUSES:
            detail["startedAt"] = latest.started_at
        if latest.status in model.TERMINAL_STATUSES and latest.stopped_at is not None:
            detail["stoppedAt"] = latest.stopped_at
        if latest.exit_code is not None and latest.status in model.TERMINAL_STATUSES:
            detail["container"]["exitCode"] = latest.exit_code
        detail["attempts"] = self._attempts(record, cache)
        return detail

    def _base_detail(self, record: JobRecord) -> Dict[str, Any]:
        detail: Dict[str, Any] = {
            "jobArn": self.registry.arn(f"job/{record['jobId']}"),
            "jobName": record["jobName"],
            "jobId": record["jobId"],
            "jobQueue": record["jobQueueArn"],
            "status": "SUBMITTED",
            "attempts": [],
            "createdAt": record["createdAt"],
            "dependsOn": copy.deepcopy(record["dependsOn"]),
            "jobDefinition": record["jobDefinition"],
            "parameters": dict(record["parameters"]),
            "container": copy.deepcopy(record["container"]),
            "tags": dict(record["tags"]),
            "propagateTags": record["propagateTags"],
            "platformCapabilities": ["EC2"],
            "isCancelled": False,
            "isTerminated": False,
        }
        if record.get("retryStrategy"):
            detail["retryStrategy"] = copy.deepcopy(record["retryStrategy"])
        if record.get("timeout"):
            detail["timeout"] = copy.deepcopy(record["timeout"])
        return detail

    def _attempts(self, record: JobRecord, cache: Dict[str, Optional[TargetJob]]) -> List[Dict[str, Any]]:
        attempts: List[Dict[str, Any]] = []
        jobs = [self._target_job(record, target_id, cache) for target_id in record["targetIds"]]
        for job in jobs:
            if job is None:
                continue
            finished_starts = job.attempt_starts if job.status in model.TERMINAL_STATUSES else job.attempt_starts[:-1]
            for position, started_at in enumerate(finished_starts):
                attempt: Dict[str, Any] = {"container": {}}
                if started_at is not None:
                    attempt["startedAt"] = started_at
                is_last = position == len(job.attempt_starts) - 1
                if is_last and job.stopped_at is not None:
                    attempt["stoppedAt"] = job.stopped_at
                    if job.status_reason:
                        attempt["statusReason"] = job.status_reason
                    if job.exit_code is not None:
                        attempt["container"]["exitCode"] = job.exit_code
                    if job.container_reason:
                        attempt["container"]["reason"] = job.container_reason
                attempts.append(attempt)
        return attempts

    def _array_parent_detail(self, record: JobRecord, cache: Dict[str, Optional[TargetJob]]) -> Dict[str, Any]:
        children = [self._detail(self.journal.get(f"{record['jobId']}:{i}") or {}, cache) for i in range(record["arraySize"])]
        summary = {status: 0 for status in model.JOB_STATUSES}
        for child in children:
            summary[child["status"]] += 1
        detail = self._base_detail(record)
        detail["arrayProperties"] = {"statusSummary": summary, "size": record["arraySize"], "statusSummaryLastUpdatedAt": model.now_ms()}
        all_terminal = all(child["status"] in model.TERMINAL_STATUSES for child in children)
        if all_terminal:
            detail["status"] = "SUCCEEDED" if summary["SUCCEEDED"] == len(children) else "FAILED"
            detail["stoppedAt"] = max((child.get("stoppedAt") or 0) for child in children) or model.now_ms()
            started = [child["startedAt"] for child in children if child.get("startedAt")]
            if started:
                detail["startedAt"] = min(started)
        else:
            detail["status"] = "PENDING"
        if record.get("cancelReason") and detail["status"] == "FAILED":
            detail["isCancelled"] = True
            detail["statusReason"] = record["cancelReason"]
        if record.get("terminateReason") and detail["status"] == "FAILED":
            detail["isTerminated"] = True
            detail["statusReason"] = record["terminateReason"]
        return detail

    def _stateless_detail(self, job: TargetJob) -> Dict[str, Any]:
        """A job this process did not submit and no state dir records: read from the target job's metadata."""
        metadata = job.metadata
        queue_name = str(metadata.get("aws_job_queue") or "")
        definition_arn = str(metadata.get("aws_job_definition") or "")
        record: JobRecord = {
            "jobId": str(metadata.get("aws_job_id") or job.target_id),
            "jobName": str(metadata.get("aws_job_name") or job.target_id),
            "jobQueue": queue_name,
            "jobQueueArn": self.registry.arn(f"job-queue/{queue_name}"),
            "jobDefinition": definition_arn,
            "definitionName": definition_arn.rsplit("/", 1)[-1].split(":", 1)[0],
            "createdAt": job.created_at or 0,
            "parameters": {},
            "container": {"command": [], "environment": []},
            "tags": {},
            "propagateTags": False,
            "dependsOn": [],
            "maxAttempts": 1,
            "emulateRetries": False,
            "targetIds": [job.target_id],
            "targetQueue": job.target_queue,
            "final": None,
            "kind": "single",
            "held": False,
            "waitFor": [],
        }
        return self._detail(record, {job.target_id: job})

    # Operations

    def describe_jobs(self, job_ids: Iterable[str]) -> List[Dict[str, Any]]:
        cache: Dict[str, Optional[TargetJob]] = {}
        details = []
        for job_id in job_ids:
            record = self.journal.get(job_id)
            if record is not None:
                details.append(self._detail(record, cache))
                continue
            if ":" in job_id:
                continue
            target_job = self.target.get(job_id, None)
            if target_job is not None:
                details.append(self._stateless_detail(target_job))
        return details

    def list_job_details(self, *, job_queue: Optional[str], array_job_id: Optional[str]) -> List[Dict[str, Any]]:
        cache: Dict[str, Optional[TargetJob]] = {}
        if array_job_id:
            parent = self.journal.get(array_job_id)
            if parent is None or parent["kind"] != "array-parent":
                return []
            return [self._detail(self.journal.get(f"{array_job_id}:{i}") or {}, cache) for i in range(parent["arraySize"])]
        if self.registry.find_job_queue(job_queue or "") is None:
            # AWS refuses ListJobs on a queue that does not exist, as it refuses SubmitJob to it.
            raise client_exception("ListJobs", f"job queue {job_queue or ''} not found")
        queue_name = self.registry.queue_name(job_queue or "")
        records = [record for record in self.journal.all() if record["jobQueue"] == queue_name and record["kind"] != "array-child"]
        known_target_ids = {target_id for record in self.journal.all() for target_id in record["targetIds"]}
        target_queues = {record.get("targetQueue") for record in records if record.get("targetQueue")}
        target_queues.add(self._default_target_queue(queue_name))
        outside: List[TargetJob] = []
        for target_queue in target_queues:
            for job in self.target.list_queue(queue_name, target_queue):
                cache[job.target_id] = job
                if job.target_id not in known_target_ids and not job.metadata.get("aws_array_parent") and not job.metadata.get("aws_job_id"):
                    outside.append(job)
        details = [self._detail(record, cache) for record in records]
        details.extend(self._stateless_detail(job) for job in outside)
        return details

    def _default_target_queue(self, queue_name: str) -> Optional[str]:
        if isinstance(self.target, SaladTarget):
            try:
                return self.target.queue_for(queue_name, {}, self.registry.queue_mapping_for(queue_name, self.target.label))
            except ValueError:
                return None
        return None

    def cancel_job(self, job_id: str, reason: str) -> None:
        self._stop(job_id, reason, terminate=False)

    def terminate_job(self, job_id: str, reason: str) -> None:
        self._stop(job_id, reason, terminate=True)

    def _stop(self, job_id: str, reason: str, *, terminate: bool) -> None:
        cache: Dict[str, Optional[TargetJob]] = {}
        record = self.journal.get(job_id)
        if record is None:
            target_job = self.target.get(job_id, None) if ":" not in job_id else None
            if target_job is None:
                # AWS refuses CancelJob/TerminateJob of a job it does not know.
                raise client_exception("TerminateJob" if terminate else "CancelJob", f"job {job_id} not found")
            if target_job.status in model.NOT_STARTED_STATUSES or (terminate and target_job.status == "RUNNING" and self.target.can_stop_running):
                self.target.cancel(target_job, reason)
            return
        if record["kind"] == "array-parent":
            record["terminateReason" if terminate else "cancelReason"] = reason
            self.journal.put(record)
            for index in range(record["arraySize"]):
                self._stop(f"{job_id}:{index}", reason, terminate=terminate)
            return
        status = self._detail(record, cache)["status"]
        if status in model.TERMINAL_STATUSES:
            return
        if record["held"]:
            record["cancelReason"] = reason
            record["final"] = {"status": "FAILED", "statusReason": reason, "isCancelled": True, "stoppedAt": model.now_ms()}
            self.journal.put(record)
            return
        latest = self._target_job(record, record["targetIds"][-1], cache)
        if latest is None:
            return
        if status in model.NOT_STARTED_STATUSES:
            record["cancelReason"] = reason
            self.journal.put(record)
            self.target.cancel(latest, reason)
            return
        if not terminate:
            return
        record["terminateReason"] = reason
        if self.target.can_stop_running:
            self.journal.put(record)
            self.target.cancel(latest, reason)
        else:
            # SaladCloud cannot stop a dispatched job: record AWS's outcome and ignore the late result.
            record["final"] = {"status": "FAILED", "statusReason": reason, "isTerminated": True, "stoppedAt": model.now_ms()}
            self.journal.put(record)
