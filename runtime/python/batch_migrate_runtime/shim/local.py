"""BATCH_MIGRATE_TARGET=local: the local executor's AWS Batch face (`POST /v1/<operation>`).

The executor implements AWS Batch's job model itself (arrays, dependencies, retries with evaluateOnExit,
timeouts, the job definition's command with `Ref::` parameters), so nothing is emulated here: requests go
through as AWS's REST-JSON wire format and the answers come back as AWS shapes. The project's registry
(`migrate.config.json`) is copied into the executor on first use, so the jobs run the registered commands.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Dict, Mapping, Optional

from .._http import JsonHttpClient, RetryPolicy
from ..errors import ApiError, ConfigurationError, TransportError
from .errors import ClientError, client_exception, error_for_code, server_exception
from .registry import Registry

# The compute environment the executor stands for, for queues whose config names none.
LOCAL_COMPUTE_ENVIRONMENT = "batch-migrate-local"
REGISTRY_OPERATIONS = ("RegisterJobDefinition", "DescribeJobDefinitions", "DescribeJobQueues", "DescribeComputeEnvironments")


class LocalExecutorBackend:
    def __init__(self, base_url: Optional[str], api_key: Optional[str], registry: Registry, *, timeout: float, max_retries: int) -> None:
        if not base_url:
            raise ConfigurationError("BATCH_MIGRATE_TARGET=local needs the executor's address in CC_BASE_URL (or BATCH_MIGRATE_ENDPOINT)")
        root = base_url.rstrip("/")
        if root.endswith("/v1"):
            root = root[: -len("/v1")]
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.http = JsonHttpClient(root, headers, timeout=timeout, retry=RetryPolicy(max_retries=max_retries))
        self.registry = registry
        self._seeded = False
        self._refused: Dict[str, str] = {}

    def call(self, operation: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        if not self._seeded:
            try:
                self._seed_registry()
            except TransportError as error:
                # Reported against the user's call, not the seeding request; seeding is tried again next call.
                raise server_exception(operation, f"the local executor at {self.http.base_url} is not reachable: {error}") from error
        refusal = self._refusal_for(operation, params)
        if refusal is not None:
            raise refusal
        return self._post(operation, params)

    def _refusal_for(self, operation: str, params: Mapping[str, Any]) -> Optional[ClientError]:
        """What the executor refused from migrate.config.json fails only the calls that use it."""
        if operation != "SubmitJob":
            return None
        definition = _resource_name(str(params.get("jobDefinition") or "")).split(":")[0]
        queue = _resource_name(str(params.get("jobQueue") or ""))
        for key in (f"job definition {definition}", f"job queue {queue}"):
            if key in self._refused:
                return client_exception(operation, f"{key} in migrate.config.json was refused by the local executor: {self._refused[key]}")
        return None

    def _post(self, operation: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        """AWS's wire form: the tag operations are REST paths on the resource's ARN, the others `POST /v1/<operation>`."""
        tags_path = "/v1/tags/" + urllib.parse.quote(str(params.get("resourceArn") or ""), safe="")
        try:
            if operation == "TagResource":
                response = self.http.request("POST", tags_path, json_body={"tags": params["tags"]})
            elif operation == "UntagResource":
                keys = urllib.parse.urlencode([("tagKeys", str(key)) for key in params["tagKeys"]])
                response = self.http.request("DELETE", f"{tags_path}?{keys}")
            elif operation == "ListTagsForResource":
                response = self.http.request("GET", tags_path)
            else:
                response = self.http.request("POST", f"/v1/{operation.lower()}", json_body=dict(params))
        except ApiError as error:
            code = error.code or ("ServerException" if error.status >= 500 else "ClientException")
            raise error_for_code(operation, code, error.server_message, error.status) from error
        except TransportError as error:
            raise server_exception(operation, f"the local executor is not reachable: {error}") from error
        payload = response.json()
        return payload if isinstance(payload, dict) else {}

    def _seed_post(self, operation: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        """A seeding request: a transport failure stays a TransportError, for `call` to report."""
        try:
            response = self.http.request("POST", f"/v1/{operation.lower()}", json_body=dict(params))
        except ApiError as error:
            code = error.code or ("ServerException" if error.status >= 500 else "ClientException")
            raise error_for_code(operation, code, error.server_message, error.status) from error
        payload = response.json()
        return payload if isinstance(payload, dict) else {}

    def _seed_one(self, key: str, operation: str, request: Mapping[str, Any]) -> bool:
        """Creates one resource; a ClientException refuses that resource only."""
        try:
            self._seed_post(operation, request)
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 400) >= 500:
                raise
            self._refused[key] = error.response.get("Error", {}).get("Message", str(error))
            return False
        return True

    def _seed_registry(self) -> None:
        """Creates on the executor the compute environments, queues and job definitions the config declares and
        the executor lacks (matched by name), so a fresh executor runs the project's jobs."""
        if self._seeded:
            return
        self._refused = {}
        try:
            environments = {item["computeEnvironmentName"] for item in self._seed_post("DescribeComputeEnvironments", {}).get("computeEnvironments", [])}
            # The config's computeResources describe capacity on AWS (and often lack members CreateComputeEnvironment
            # requires, such as subnets); on the executor the executor itself is the compute, so each is UNMANAGED.
            for name, environment in self.registry.compute_environments.items():
                if name not in environments:
                    request: Dict[str, Any] = {"computeEnvironmentName": name, "type": "UNMANAGED", "state": environment.get("state", "ENABLED")}
                    tags = environment.get("tags")
                    if isinstance(tags, dict) and tags and all(isinstance(value, str) for value in tags.values()):
                        request["tags"] = tags
                    if self._seed_one(f"compute environment {name}", "CreateComputeEnvironment", request):
                        environments.add(name)
            queues = {item["jobQueueName"] for item in self._seed_post("DescribeJobQueues", {}).get("jobQueues", [])}
            for name, queue in self.registry.job_queues.items():
                if name in queues:
                    continue
                order = [
                    {"order": entry.get("order"), "computeEnvironment": _resource_name(str(entry.get("computeEnvironment")))}
                    for entry in queue.get("computeEnvironmentOrder", [])
                ]
                order = [entry for entry in order if entry["computeEnvironment"] in environments]
                if not order:
                    # A queue whose compute environments the config does not name runs on one the executor stands for.
                    if LOCAL_COMPUTE_ENVIRONMENT not in environments:
                        self._seed_post("CreateComputeEnvironment", {"computeEnvironmentName": LOCAL_COMPUTE_ENVIRONMENT, "type": "UNMANAGED"})
                        environments.add(LOCAL_COMPUTE_ENVIRONMENT)
                    order = [{"order": 1, "computeEnvironment": LOCAL_COMPUTE_ENVIRONMENT}]
                self._seed_one(
                    f"job queue {name}",
                    "CreateJobQueue",
                    {"jobQueueName": name, "state": queue.get("state", "ENABLED"), "priority": queue.get("priority", 1), "computeEnvironmentOrder": order},
                )
            for name in sorted(self.registry.job_definitions):
                existing = self._seed_post("DescribeJobDefinitions", {"jobDefinitionName": name, "status": "ACTIVE"}).get("jobDefinitions", [])
                if existing:
                    continue
                for definition in self.registry.job_definitions[name]:
                    request = {key: value for key, value in definition.items() if key not in ("jobDefinitionArn", "revision", "status", "containerOrchestrationType")}
                    self._seed_one(f"job definition {name}", "RegisterJobDefinition", request)
            self._seeded = True
        except (ClientError, TransportError):
            self._seeded = False
            raise


def _resource_name(reference: str) -> str:
    """`name`, `name:3` or an ARN (`…:job-definition/name:3`) → the part after the last `/`."""
    return reference.rsplit("/", 1)[-1] if reference.startswith("arn:") else reference
