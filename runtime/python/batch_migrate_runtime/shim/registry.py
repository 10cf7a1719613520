"""Local registry of job definitions, job queues and compute environments.

It is seeded from `migrate.config.json` and grows with `register_job_definition` calls (in memory, per client).
Entries are kept in botocore's output shapes; each may carry a `commonCompute` / `salad` section that maps it
to the target (workload and model, priority tier, SaladCloud queue), which is never shown in responses.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from ..errors import ConfigurationError

TARGET_SECTION_KEYS = {
    "common-compute": ("commonCompute", "common-compute", "common_compute"),
    "salad": ("salad", "saladCloud", "saladcloud"),
}
JOB_DEFINITION_FIELDS = (
    "parameters",
    "schedulingPriority",
    "containerProperties",
    "nodeProperties",
    "retryStrategy",
    "propagateTags",
    "timeout",
    "tags",
    "platformCapabilities",
    "eksProperties",
    "ecsProperties",
    "consumableResourceProperties",
)


def _entries(section: Any, name_keys: Tuple[str, ...], kind: str) -> Iterable[Tuple[str, Dict[str, Any]]]:
    """Accepts both `{name: {...}}` and `[{"<name key>": name, ...}]`."""
    if section is None:
        return []
    if isinstance(section, dict):
        return [(str(name), dict(body or {})) for name, body in section.items()]
    if isinstance(section, list):
        entries = []
        for body in section:
            if not isinstance(body, dict):
                raise ConfigurationError(f"each entry of {kind} must be an object")
            name = next((body[key] for key in name_keys if body.get(key)), None)
            if not name:
                raise ConfigurationError(f"an entry of {kind} has none of {', '.join(name_keys)}")
            entries.append((str(name), dict(body)))
        return entries
    raise ConfigurationError(f"{kind} must be an object or a list")


def target_section(entry: Mapping[str, Any], target: str) -> Dict[str, Any]:
    for key in TARGET_SECTION_KEYS.get(target, ()):
        value = entry.get(key)
        if isinstance(value, dict):
            return value
    targets = entry.get("targets")
    if isinstance(targets, dict) and isinstance(targets.get(target), dict):
        return targets[target]
    return {}


@dataclass
class Registry:
    region: str
    account_id: str
    job_definitions: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)
    target_mappings: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    job_queues: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    compute_environments: Dict[str, Dict[str, Any]] = field(default_factory=dict)
    queues_declared: bool = False

    def arn(self, resource: str) -> str:
        return f"arn:aws:batch:{self.region}:{self.account_id}:{resource}"

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, region: str, account_id: str) -> "Registry":
        registry = cls(region=region, account_id=account_id)
        for name, body in _entries(config.get("computeEnvironments"), ("computeEnvironmentName", "name"), "computeEnvironments"):
            registry.add_compute_environment(name, body)
        for name, body in _entries(config.get("jobQueues"), ("jobQueueName", "name"), "jobQueues"):
            registry.add_job_queue(name, body)
        for name, body in _entries(config.get("jobDefinitions"), ("jobDefinitionName", "name"), "jobDefinitions"):
            definition = body.get("definition") if isinstance(body.get("definition"), dict) else body
            registry.register_job_definition({**definition, "jobDefinitionName": name}, mapping_source=body)
        return registry

    # Job definitions

    def register_job_definition(self, request: Mapping[str, Any], *, mapping_source: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
        name = request["jobDefinitionName"]
        revisions = self.job_definitions.setdefault(name, [])
        revision = len(revisions) + 1
        definition: Dict[str, Any] = {
            "jobDefinitionName": name,
            "jobDefinitionArn": self.arn(f"job-definition/{name}:{revision}"),
            "revision": revision,
            "status": "ACTIVE",
            "type": request.get("type", "container"),
        }
        for key in JOB_DEFINITION_FIELDS:
            if key in request:
                definition[key] = copy.deepcopy(request[key])
        definition.setdefault("parameters", {})
        definition.setdefault("tags", {})
        definition.setdefault("platformCapabilities", ["EC2"])
        definition.setdefault("containerOrchestrationType", "ECS")
        revisions.append(definition)
        if mapping_source is not None:
            self.target_mappings[name] = {
                target: target_section(mapping_source, target) for target in TARGET_SECTION_KEYS
            }
            self.target_mappings[name]["flat"] = {
                key: mapping_source[key] for key in ("workload", "model", "saladQueue") if key in mapping_source
            }
        return definition

    def find_job_definition(self, reference: str) -> Optional[Dict[str, Any]]:
        """`name`, `name:revision` or an ARN; without a revision the latest ACTIVE one."""
        text = reference.split("job-definition/", 1)[1] if reference.startswith("arn:") and "job-definition/" in reference else reference
        name, _, revision_text = text.partition(":")
        revisions = self.job_definitions.get(name) or []
        if revision_text:
            if not revision_text.isdigit():
                return None
            wanted = int(revision_text)
            return next((definition for definition in revisions if definition["revision"] == wanted), None)
        active = [definition for definition in revisions if definition["status"] == "ACTIVE"]
        return active[-1] if active else None

    def mapping_for(self, definition_name: str, target: str) -> Dict[str, Any]:
        mappings = self.target_mappings.get(definition_name) or {}
        merged = dict(mappings.get("flat") or {})
        merged.update(mappings.get(target) or {})
        return merged

    def all_job_definitions(self) -> List[Dict[str, Any]]:
        return [definition for name in sorted(self.job_definitions) for definition in self.job_definitions[name]]

    # Queues and compute environments

    def add_compute_environment(self, name: str, body: Mapping[str, Any]) -> Dict[str, Any]:
        environment: Dict[str, Any] = {
            "computeEnvironmentName": name,
            "computeEnvironmentArn": self.arn(f"compute-environment/{name}"),
            "type": body.get("type", "MANAGED"),
            "state": body.get("state", "ENABLED"),
            "status": "VALID",
            "statusReason": "ComputeEnvironment Healthy",
            "tags": dict(body.get("tags") or {}),
            "containerOrchestrationType": "ECS",
        }
        for key in ("computeResources", "serviceRole", "unmanagedvCpus"):
            if key in body:
                environment[key] = copy.deepcopy(body[key])
        self.compute_environments[name] = environment
        return environment

    def add_job_queue(self, name: str, body: Mapping[str, Any]) -> Dict[str, Any]:
        order = body.get("computeEnvironmentOrder")
        if order is None:
            order = [{"order": index + 1, "computeEnvironment": ce} for index, ce in enumerate(body.get("computeEnvironments") or [])]
        resolved_order = []
        for item in order:
            environment = str(item["computeEnvironment"])
            arn = environment if environment.startswith("arn:") else self.arn(f"compute-environment/{environment}")
            resolved_order.append({"order": int(item.get("order", len(resolved_order) + 1)), "computeEnvironment": arn})
        numeric_priority = body.get("priority")
        queue: Dict[str, Any] = {
            "jobQueueName": name,
            "jobQueueArn": self.arn(f"job-queue/{name}"),
            "state": body.get("state", "ENABLED"),
            "status": "VALID",
            "statusReason": "JobQueue Healthy",
            "priority": numeric_priority if isinstance(numeric_priority, int) else 1,
            "computeEnvironmentOrder": resolved_order,
            "tags": dict(body.get("tags") or {}),
            "jobStateTimeLimitActions": [],
        }
        self.job_queues[name] = queue
        self.queues_declared = True
        self.target_mappings[f"queue:{name}"] = {
            target: target_section(body, target) for target in TARGET_SECTION_KEYS
        }
        flat = {}
        if isinstance(numeric_priority, str):
            flat["priority"] = numeric_priority
        if body.get("saladQueue"):
            flat["queue"] = body["saladQueue"]
        self.target_mappings[f"queue:{name}"]["flat"] = flat
        return queue

    def queue_name(self, reference: str) -> str:
        return reference.rsplit("job-queue/", 1)[1] if reference.startswith("arn:") and "job-queue/" in reference else reference

    def find_job_queue(self, reference: str) -> Optional[Dict[str, Any]]:
        """A declared queue, or (when the config declares none) an implicit one so any queue name works."""
        name = self.queue_name(reference)
        if name in self.job_queues:
            return self.job_queues[name]
        if self.queues_declared:
            return None
        return {"jobQueueName": name, "jobQueueArn": self.arn(f"job-queue/{name}")}

    def compute_environment_of(self, queue_name: str) -> Optional[str]:
        """AWS_BATCH_CE_NAME: the first compute environment in the queue's order, when the config declares it."""
        order = (self.job_queues.get(self.queue_name(queue_name)) or {}).get("computeEnvironmentOrder")
        if not isinstance(order, list) or not order:
            return None
        first = sorted(order, key=lambda entry: int((entry or {}).get("order") or 0))[0] or {}
        reference = first.get("computeEnvironment")
        if not isinstance(reference, str):
            return None
        return reference.rsplit("/", 1)[-1] if reference.startswith("arn:") else reference

    def queue_mapping_for(self, queue_name: str, target: str) -> Dict[str, Any]:
        mappings = self.target_mappings.get(f"queue:{queue_name}") or {}
        merged = dict(mappings.get("flat") or {})
        merged.update(mappings.get(target) or {})
        return merged
