"""Request checks the shim makes before any target is called.

Missing or unknown parameters and wrong Python types raise `ParamValidationError`, as botocore does on the
client side; everything AWS Batch itself would reject, and everything the shim cannot honour, raises
`ClientException`.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Mapping, Tuple

from .errors import client_exception


def _load_param_validation_error() -> type:
    try:
        from botocore.exceptions import ParamValidationError as BotocoreParamValidationError
    except ImportError:

        class StdlibParamValidationError(ValueError):
            """Standard-library stand-in for botocore.exceptions.ParamValidationError."""

            def __init__(self, report: str) -> None:
                super().__init__(f"Parameter validation failed:\n{report}")
                self.kwargs = {"report": report}

        return StdlibParamValidationError
    return BotocoreParamValidationError


ParamValidationError = _load_param_validation_error()

# Top-level input members of each operation in botocore's batch 2016-08-10 model: name → (python types, required).
OPERATION_INPUTS: Dict[str, Dict[str, Tuple[Tuple[type, ...], bool]]] = {
    "SubmitJob": {
        "jobName": ((str,), True),
        "jobQueue": ((str,), True),
        "jobDefinition": ((str,), True),
        "shareIdentifier": ((str,), False),
        "schedulingPriorityOverride": ((int,), False),
        "arrayProperties": ((dict,), False),
        "dependsOn": ((list, tuple), False),
        "parameters": ((dict,), False),
        "containerOverrides": ((dict,), False),
        "nodeOverrides": ((dict,), False),
        "retryStrategy": ((dict,), False),
        "propagateTags": ((bool,), False),
        "timeout": ((dict,), False),
        "tags": ((dict,), False),
        "eksPropertiesOverride": ((dict,), False),
        "ecsPropertiesOverride": ((dict,), False),
        "consumableResourcePropertiesOverride": ((dict,), False),
    },
    "DescribeJobs": {"jobs": ((list, tuple), True)},
    "ListJobs": {
        "jobQueue": ((str,), False),
        "arrayJobId": ((str,), False),
        "multiNodeJobId": ((str,), False),
        "jobStatus": ((str,), False),
        "maxResults": ((int,), False),
        "nextToken": ((str,), False),
        "filters": ((list, tuple), False),
    },
    "CancelJob": {"jobId": ((str,), True), "reason": ((str,), True)},
    "TerminateJob": {"jobId": ((str,), True), "reason": ((str,), True)},
    "RegisterJobDefinition": {
        "jobDefinitionName": ((str,), True),
        "type": ((str,), True),
        "parameters": ((dict,), False),
        "schedulingPriority": ((int,), False),
        "containerProperties": ((dict,), False),
        "nodeProperties": ((dict,), False),
        "retryStrategy": ((dict,), False),
        "propagateTags": ((bool,), False),
        "timeout": ((dict,), False),
        "tags": ((dict,), False),
        "platformCapabilities": ((list, tuple), False),
        "eksProperties": ((dict,), False),
        "ecsProperties": ((dict,), False),
        "consumableResourceProperties": ((dict,), False),
    },
    "DescribeJobDefinitions": {
        "jobDefinitions": ((list, tuple), False),
        "maxResults": ((int,), False),
        "jobDefinitionName": ((str,), False),
        "status": ((str,), False),
        "nextToken": ((str,), False),
    },
    "DescribeJobQueues": {"jobQueues": ((list, tuple), False), "maxResults": ((int,), False), "nextToken": ((str,), False)},
    "DescribeComputeEnvironments": {
        "computeEnvironments": ((list, tuple), False),
        "maxResults": ((int,), False),
        "nextToken": ((str,), False),
    },
    "TagResource": {"resourceArn": ((str,), True), "tags": ((dict,), True)},
    "UntagResource": {"resourceArn": ((str,), True), "tagKeys": ((list, tuple), True)},
    "ListTagsForResource": {"resourceArn": ((str,), True)},
    # Served on target local only (the executor implements them).
    "CreateComputeEnvironment": {
        "computeEnvironmentName": ((str,), True),
        "type": ((str,), True),
        "state": ((str,), False),
        "unmanagedvCpus": ((int,), False),
        "computeResources": ((dict,), False),
        "serviceRole": ((str,), False),
        "tags": ((dict,), False),
        "eksConfiguration": ((dict,), False),
        "context": ((str,), False),
    },
    "UpdateComputeEnvironment": {
        "computeEnvironment": ((str,), True),
        "state": ((str,), False),
        "unmanagedvCpus": ((int,), False),
        "computeResources": ((dict,), False),
        "serviceRole": ((str,), False),
        "updatePolicy": ((dict,), False),
        "context": ((str,), False),
    },
    "DeleteComputeEnvironment": {
        "computeEnvironment": ((str,), True),
    },
    "CreateJobQueue": {
        "jobQueueName": ((str,), True),
        "state": ((str,), False),
        "schedulingPolicyArn": ((str,), False),
        "priority": ((int,), True),
        "computeEnvironmentOrder": ((list, tuple), False),
        "serviceEnvironmentOrder": ((list, tuple), False),
        "jobQueueType": ((str,), False),
        "tags": ((dict,), False),
        "jobStateTimeLimitActions": ((list, tuple), False),
    },
    "UpdateJobQueue": {
        "jobQueue": ((str,), True),
        "state": ((str,), False),
        "schedulingPolicyArn": ((str,), False),
        "priority": ((int,), False),
        "computeEnvironmentOrder": ((list, tuple), False),
        "serviceEnvironmentOrder": ((list, tuple), False),
        "jobStateTimeLimitActions": ((list, tuple), False),
    },
    "DeleteJobQueue": {
        "jobQueue": ((str,), True),
    },
    "DeregisterJobDefinition": {
        "jobDefinition": ((str,), True),
    },
    "CreateSchedulingPolicy": {
        "name": ((str,), True),
        "quotaSharePolicy": ((dict,), False),
        "fairsharePolicy": ((dict,), False),
        "tags": ((dict,), False),
    },
    "UpdateSchedulingPolicy": {
        "arn": ((str,), True),
        "quotaSharePolicy": ((dict,), False),
        "fairsharePolicy": ((dict,), False),
    },
    "DeleteSchedulingPolicy": {
        "arn": ((str,), True),
    },
    "DescribeSchedulingPolicies": {
        "arns": ((list, tuple), True),
    },
    "ListSchedulingPolicies": {
        "maxResults": ((int,), False),
        "nextToken": ((str,), False),
    },
}

JOB_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$")
JOB_DEFINITION_NAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
JOB_STATUSES = ("SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED")


def check_params(operation: str, params: Mapping[str, Any]) -> None:
    members = OPERATION_INPUTS[operation]
    problems = []
    for name in params:
        if name not in members:
            problems.append(f'Unknown parameter in input: "{name}", must be one of: {", ".join(members)}')
    for name, (types, required) in members.items():
        if name not in params:
            if required:
                problems.append(f'Missing required parameter in input: "{name}"')
            continue
        value = params[name]
        valid = isinstance(value, types) and not (isinstance(value, bool) and bool not in types)
        if not valid:
            expected = "/".join(t.__name__ for t in types)
            problems.append(f"Invalid type for parameter {name}, value: {value!r}, type: {type(value)}, valid types: {expected}")
    if problems:
        raise ParamValidationError(report="\n".join(problems))


def _glob_ok(pattern: Any) -> bool:
    return isinstance(pattern, str) and len(pattern) <= 512 and "*" not in pattern[:-1]


FAIR_SHARE_MEMBERS = ("shareIdentifier", "schedulingPriorityOverride")


def check_submit_job(params: Mapping[str, Any], target_label: str) -> None:
    """AWS Batch's own SubmitJob rules (targets.md C.3/C.4), then what no shim target can do."""
    op = "SubmitJob"
    if not JOB_NAME_PATTERN.match(params["jobName"]):
        raise client_exception(op, "jobName must be 1-128 characters of letters, digits, '-' and '_', starting with a letter or digit")
    for unsupported, why in (
        ("nodeOverrides", "multi-node parallel jobs are not supported"),
        ("eksPropertiesOverride", "EKS job properties are not supported"),
        ("ecsPropertiesOverride", "ECS task properties overrides are not supported"),
        ("consumableResourcePropertiesOverride", "consumable resources are not supported"),
        ("shareIdentifier", "fair-share scheduling is not supported (no queue here has a scheduling policy)"),
        ("schedulingPriorityOverride", "fair-share scheduling priorities are not supported"),
    ):
        # On local the executor has scheduling policies, and decides per queue as AWS does.
        if unsupported in params and not (target_label == "local" and unsupported in FAIR_SHARE_MEMBERS):
            raise client_exception(op, f"{unsupported}: {why} on target {target_label}")
    array = params.get("arrayProperties")
    if array is not None:
        size = array.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or not 2 <= size <= 10000:
            raise client_exception(op, "arrayProperties.size must be between 2 and 10000")
    depends_on = list(params.get("dependsOn") or [])
    if len(depends_on) > 20:
        raise client_exception(op, "dependsOn accepts at most 20 jobs")
    for dependency in depends_on:
        kind = dependency.get("type")
        if kind is not None and kind not in ("N_TO_N", "SEQUENTIAL"):
            raise client_exception(op, f"dependsOn type must be N_TO_N or SEQUENTIAL, not {kind!r}")
        if kind == "SEQUENTIAL":
            if array is None:
                raise client_exception(op, "a SEQUENTIAL dependency is only valid on an array job")
            if dependency.get("jobId"):
                raise client_exception(op, "a SEQUENTIAL dependency takes no jobId")
        elif not dependency.get("jobId"):
            raise client_exception(op, "each dependsOn entry needs a jobId")
        if kind == "N_TO_N" and array is None:
            raise client_exception(op, "an N_TO_N dependency is only valid on an array job")
    check_retry_strategy(op, params.get("retryStrategy"))
    check_timeout(op, params.get("timeout"))
    check_reserved_environment(op, (params.get("containerProperties") or {}).get("environment"), "containerProperties.environment")
    check_reserved_environment(op, (params.get("containerOverrides") or {}).get("environment"), "containerOverrides.environment")
    tags = params.get("tags") or {}
    if len(tags) > 50:
        raise client_exception(op, "at most 50 tags")


def check_reserved_environment(op: str, environment: Any, field: str) -> None:
    """AWS refuses environment variable names starting with AWS_BATCH, in a job definition and in overrides alike."""
    for variable in environment if isinstance(environment, list) else []:
        name = str((variable or {}).get("name", ""))
        if name.startswith("AWS_BATCH"):
            raise client_exception(op, f"{field}: environment variable names starting with AWS_BATCH are reserved ({name})")


def check_retry_strategy(op: str, strategy: Any) -> None:
    if strategy is None:
        return
    attempts = strategy.get("attempts")
    rules = strategy.get("evaluateOnExit")
    if attempts is None and rules:
        raise client_exception(op, "retryStrategy.attempts is required when evaluateOnExit is given")
    if attempts is not None and (not isinstance(attempts, int) or isinstance(attempts, bool) or not 1 <= attempts <= 10):
        raise client_exception(op, "retryStrategy.attempts must be between 1 and 10")
    for rule in rules or []:
        if str(rule.get("action", "")).upper() not in ("RETRY", "EXIT"):
            raise client_exception(op, "evaluateOnExit.action must be RETRY or EXIT")
        for key in ("onStatusReason", "onReason", "onExitCode"):
            if key in rule and not _glob_ok(rule[key]):
                raise client_exception(op, f"evaluateOnExit.{key} must be at most 512 characters with '*' only at the end")
        if "onExitCode" in rule and not rule["onExitCode"].rstrip("*").isdigit() and rule["onExitCode"] != "*":
            raise client_exception(op, "evaluateOnExit.onExitCode may contain only digits and a trailing '*'")
    if rules is not None and len(rules) > 5:
        raise client_exception(op, "evaluateOnExit accepts at most 5 conditions")


def check_timeout(op: str, timeout: Any) -> None:
    if timeout is None:
        return
    seconds = timeout.get("attemptDurationSeconds")
    if seconds is not None and (not isinstance(seconds, int) or seconds < 60):
        raise client_exception(op, "timeout.attemptDurationSeconds must be at least 60")


def check_register_job_definition(params: Mapping[str, Any]) -> None:
    op = "RegisterJobDefinition"
    if not JOB_DEFINITION_NAME_PATTERN.match(params["jobDefinitionName"]):
        raise client_exception(op, "jobDefinitionName must be 1-128 characters of letters, digits, '-' and '_'")
    if params["type"] not in ("container", "multinode"):
        raise client_exception(op, "type must be container or multinode")
    check_retry_strategy(op, params.get("retryStrategy"))
    check_timeout(op, params.get("timeout"))
    check_reserved_environment(op, (params.get("containerProperties") or {}).get("environment"), "containerProperties.environment")
