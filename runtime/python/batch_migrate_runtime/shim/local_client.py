"""The boto3-shaped Batch client on target local: the job and registry operations of every target, plus AWS
Batch's admin operations, which the local executor implements with AWS's rules (compute environments, job
queues, scheduling policies, deregister_job_definition). Test fixtures that create their own compute environments
and queues run there; Common Compute and SaladCloud have no such resources, so their client has no such methods."""

from __future__ import annotations

from typing import Any, Dict, Mapping, Type

from .client import PAGINATED_OPERATIONS, BatchShimClient
from .validation import check_params

LOCAL_ADMIN_OPERATIONS = (
    "CreateComputeEnvironment",
    "UpdateComputeEnvironment",
    "DeleteComputeEnvironment",
    "CreateJobQueue",
    "UpdateJobQueue",
    "DeleteJobQueue",
    "DeregisterJobDefinition",
    "CreateSchedulingPolicy",
    "UpdateSchedulingPolicy",
    "DeleteSchedulingPolicy",
    "DescribeSchedulingPolicies",
    "ListSchedulingPolicies",
)

LOCAL_PAGINATED_OPERATIONS = {**PAGINATED_OPERATIONS, "list_scheduling_policies": ("ListSchedulingPolicies", "schedulingPolicies")}


class LocalBatchShimClient(BatchShimClient):
    paginated_operations = LOCAL_PAGINATED_OPERATIONS

    def _admin(self, op: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        check_params(op, params)
        assert self._local is not None
        return self._respond(self._local.call(op, params))

    def create_compute_environment(self, **params: Any) -> Dict[str, Any]:
        return self._admin("CreateComputeEnvironment", params)

    def update_compute_environment(self, **params: Any) -> Dict[str, Any]:
        return self._admin("UpdateComputeEnvironment", params)

    def delete_compute_environment(self, **params: Any) -> Dict[str, Any]:
        return self._admin("DeleteComputeEnvironment", params)

    def create_job_queue(self, **params: Any) -> Dict[str, Any]:
        return self._admin("CreateJobQueue", params)

    def update_job_queue(self, **params: Any) -> Dict[str, Any]:
        return self._admin("UpdateJobQueue", params)

    def delete_job_queue(self, **params: Any) -> Dict[str, Any]:
        return self._admin("DeleteJobQueue", params)

    def deregister_job_definition(self, **params: Any) -> Dict[str, Any]:
        return self._admin("DeregisterJobDefinition", params)

    def create_scheduling_policy(self, **params: Any) -> Dict[str, Any]:
        return self._admin("CreateSchedulingPolicy", params)

    def update_scheduling_policy(self, **params: Any) -> Dict[str, Any]:
        return self._admin("UpdateSchedulingPolicy", params)

    def delete_scheduling_policy(self, **params: Any) -> Dict[str, Any]:
        return self._admin("DeleteSchedulingPolicy", params)

    def describe_scheduling_policies(self, **params: Any) -> Dict[str, Any]:
        return self._admin("DescribeSchedulingPolicies", params)

    def list_scheduling_policies(self, **params: Any) -> Dict[str, Any]:
        return self._admin("ListSchedulingPolicies", params)


def client_class_for(target: str) -> Type[BatchShimClient]:
    """The shim's client class on a target: the local one serves the admin operations too."""
    return LocalBatchShimClient if target == "local" else BatchShimClient
