"""The boto3-shaped AWS Batch client the shim returns for `boto3.client("batch")`."""

from __future__ import annotations

import copy
import uuid
from email.utils import formatdate
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional

from ..common_compute import CommonCompute
from ..errors import ApiError, TransportError
from ..salad import SaladCloud
from . import model
from .emulated import EmulatedBackend
from .errors import BatchExceptions, ClientError, client_exception, server_exception
from .journal import Journal
from .local import LocalExecutorBackend
from .registry import Registry
from .settings import ShimSettings
from .tags import ShimTagging
from .targets import CommonComputeTarget, SaladTarget
from .validation import check_params, check_register_job_definition, check_submit_job

PAGINATED_OPERATIONS = {
    "list_jobs": ("ListJobs", "jobSummaryList"),
    "describe_job_definitions": ("DescribeJobDefinitions", "jobDefinitions"),
    "describe_job_queues": ("DescribeJobQueues", "jobQueues"),
    "describe_compute_environments": ("DescribeComputeEnvironments", "computeEnvironments"),
}
REGISTRY_PAGE_DEFAULT = 100


def response_metadata() -> Dict[str, Any]:
    request_id = str(uuid.uuid4())
    return {
        "RequestId": request_id,
        "HTTPStatusCode": 200,
        "HTTPHeaders": {
            "date": formatdate(usegmt=True),
            "content-type": "application/json",
            "x-amzn-requestid": request_id,
        },
        "RetryAttempts": 0,
    }


class ClientMeta:
    def __init__(self, region_name: str, target: str) -> None:
        self.region_name = region_name
        self.service_name = "batch"
        self.endpoint_url = f"batch-migrate://{target}"
        self.target = target


class BatchShimClient:
    """`submit_job`, `describe_jobs`, `list_jobs`, `cancel_job`, `terminate_job`, `get_paginator`, the registry
    operations and `exceptions`, answering in botocore's shapes whatever the target (local_client.py adds the admin
    operations on target local)."""

    paginated_operations = PAGINATED_OPERATIONS

    def __init__(self, settings: ShimSettings) -> None:
        self.settings = settings
        self.registry = Registry.from_config(settings.config, region=settings.region, account_id=settings.account_id)
        self.meta = ClientMeta(settings.region, settings.target)
        self.exceptions = BatchExceptions()
        self._local: Optional[LocalExecutorBackend] = None
        self._emulated: Optional[EmulatedBackend] = None
        self._tagging: Optional[ShimTagging] = None
        if settings.target == "local":
            self._local = LocalExecutorBackend(
                settings.local_base_url, settings.local_api_key, self.registry, timeout=settings.http_timeout, max_retries=settings.max_retries
            )
        elif settings.target == "common-compute":
            target = CommonComputeTarget(
                CommonCompute(settings.cc_base_url, settings.cc_api_key, timeout=settings.http_timeout, max_retries=settings.max_retries)
            )
            self._emulated = EmulatedBackend(target, self.registry, Journal(settings.state_dir), emulate_dependencies=settings.emulate_dependencies)
        elif settings.target == "salad":
            salad = SaladCloud(
                settings.salad_api_key,
                base_url=settings.salad_base_url,
                organization_name=settings.salad_organization,
                project_name=settings.salad_project,
                timeout=settings.http_timeout,
                max_retries=settings.max_retries,
            )
            known_queues = set(settings.queue_map.values())
            for name in self.registry.job_queues:
                mapped = self.registry.queue_mapping_for(name, "salad").get("queue")
                if mapped:
                    known_queues.add(mapped)
            self._emulated = EmulatedBackend(
                SaladTarget(salad, known_queues), self.registry, Journal(settings.state_dir), emulate_dependencies=settings.emulate_dependencies
            )
        else:
            raise ValueError(f"the shim client does not serve target {settings.target!r}")
        for aws_queue, target_value in settings.queue_map.items():
            key = "priority" if settings.target == "common-compute" else "queue"
            mappings = self.registry.target_mappings.setdefault(f"queue:{aws_queue}", {})
            mappings.setdefault(settings.target, {})[key] = target_value

    def __repr__(self) -> str:
        return f"<batch_migrate_runtime.boto3 Batch client target={self.settings.target}>"

    # Job operations

    def submit_job(self, **params: Any) -> Dict[str, Any]:
        check_params("SubmitJob", params)
        check_submit_job(params, self.settings.target)
        if self._local is not None:
            result = self._local.call("SubmitJob", params)
        else:
            assert self._emulated is not None
            result = self._on_target("SubmitJob", self._emulated.submit_job, params)
        return self._respond(result)

    def describe_jobs(self, **params: Any) -> Dict[str, Any]:
        check_params("DescribeJobs", params)
        job_ids = list(params["jobs"])
        if len(job_ids) > model.DESCRIBE_JOBS_MAX_IDS:
            raise client_exception("DescribeJobs", f"jobs accepts at most {model.DESCRIBE_JOBS_MAX_IDS} job IDs")
        if self._local is not None:
            result = self._local.call("DescribeJobs", {"jobs": job_ids})
        else:
            assert self._emulated is not None
            result = {"jobs": self._on_target("DescribeJobs", self._emulated.describe_jobs, job_ids)}
        return self._respond(result)

    def list_jobs(self, **params: Any) -> Dict[str, Any]:
        check_params("ListJobs", params)
        op = "ListJobs"
        owners = [key for key in ("jobQueue", "arrayJobId", "multiNodeJobId") if params.get(key)]
        if len(owners) != 1:
            raise client_exception(op, "exactly one of jobQueue, arrayJobId or multiNodeJobId must be given")
        if "multiNodeJobId" in owners:
            raise client_exception(op, f"multiNodeJobId: multi-node parallel jobs are not supported on target {self.settings.target}")
        status = params.get("jobStatus")
        if status is not None and status not in model.JOB_STATUSES:
            raise client_exception(op, f"jobStatus must be one of {', '.join(model.JOB_STATUSES)}")
        filters = list(params.get("filters") or [])
        if len(filters) > 1:
            raise client_exception(op, "only one filter may be given")
        for job_filter in filters:
            if job_filter.get("name") not in model.LIST_JOBS_FILTER_NAMES:
                raise client_exception(op, f"filter name must be one of {', '.join(model.LIST_JOBS_FILTER_NAMES)}")
        max_results = params.get("maxResults")
        ceiling = model.LIST_JOBS_MAX_WITH_FILTERS if filters else model.LIST_JOBS_MAX_WITH_STATUS
        if max_results is not None and not 1 <= max_results <= ceiling:
            raise client_exception(op, f"maxResults must be between 1 and {ceiling}")
        if self._local is not None:
            return self._respond(self._local.call(op, params))
        assert self._emulated is not None
        emulated = self._emulated
        details = self._on_target(
            op, lambda: emulated.list_job_details(job_queue=params.get("jobQueue"), array_job_id=params.get("arrayJobId"))
        )
        summaries = model.select_jobs(
            [model.summary_from_detail(detail) for detail in details], job_status=status, filters=filters
        )
        fingerprint = model.query_fingerprint({key: params.get(key) for key in ("jobQueue", "arrayJobId", "jobStatus", "filters")})
        offset = self._offset(op, params.get("nextToken"), fingerprint)
        page, token = model.paginate(summaries, offset=offset, page_size=max_results or model.LIST_JOBS_DEFAULT_PAGE, fingerprint=fingerprint)
        result: Dict[str, Any] = {"jobSummaryList": page}
        if token:
            result["nextToken"] = token
        return self._respond(result)

    def cancel_job(self, **params: Any) -> Dict[str, Any]:
        return self._stop("CancelJob", params)

    def terminate_job(self, **params: Any) -> Dict[str, Any]:
        return self._stop("TerminateJob", params)

    def _stop(self, op: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        check_params(op, params)
        if not params["jobId"] or not params["reason"]:
            raise client_exception(op, "jobId and reason must not be empty")
        if len(params["reason"]) > 1024:
            raise client_exception(op, "reason is at most 1024 characters")
        if self._local is not None:
            return self._respond(self._local.call(op, params))
        assert self._emulated is not None
        stop = self._emulated.cancel_job if op == "CancelJob" else self._emulated.terminate_job
        self._on_target(op, stop, params["jobId"], params["reason"])
        return self._respond({})

    # Registry operations

    def register_job_definition(self, **params: Any) -> Dict[str, Any]:
        check_params("RegisterJobDefinition", params)
        check_register_job_definition(params)
        if params["type"] == "multinode" or "nodeProperties" in params:
            raise client_exception("RegisterJobDefinition", f"multi-node parallel job definitions are not supported on target {self.settings.target}")
        if self._local is not None:
            return self._respond(self._local.call("RegisterJobDefinition", params))
        definition = self.registry.register_job_definition(params)
        return self._respond({key: definition[key] for key in ("jobDefinitionName", "jobDefinitionArn", "revision")})

    def describe_job_definitions(self, **params: Any) -> Dict[str, Any]:
        op = "DescribeJobDefinitions"
        check_params(op, params)
        if self._local is not None:
            return self._respond(self._local.call(op, params))
        definitions = self.registry.all_job_definitions()
        wanted = params.get("jobDefinitions")
        if wanted:
            found = [self.registry.find_job_definition(reference) for reference in wanted]
            arns = {definition["jobDefinitionArn"] for definition in found if definition}
            definitions = [definition for definition in definitions if definition["jobDefinitionArn"] in arns]
        if params.get("jobDefinitionName"):
            definitions = [definition for definition in definitions if definition["jobDefinitionName"] == params["jobDefinitionName"]]
        if params.get("status"):
            definitions = [definition for definition in definitions if definition["status"] == params["status"]]
        return self._registry_page(op, "jobDefinitions", definitions, params)

    def describe_job_queues(self, **params: Any) -> Dict[str, Any]:
        op = "DescribeJobQueues"
        check_params(op, params)
        if self._local is not None:
            return self._respond(self._local.call(op, params))
        queues = [self.registry.job_queues[name] for name in sorted(self.registry.job_queues)]
        if params.get("jobQueues"):
            wanted = {self.registry.queue_name(reference) for reference in params["jobQueues"]}
            queues = [queue for queue in queues if queue["jobQueueName"] in wanted]
        return self._registry_page(op, "jobQueues", queues, params)

    def describe_compute_environments(self, **params: Any) -> Dict[str, Any]:
        op = "DescribeComputeEnvironments"
        check_params(op, params)
        if self._local is not None:
            return self._respond(self._local.call(op, params))
        environments = [self.registry.compute_environments[name] for name in sorted(self.registry.compute_environments)]
        if params.get("computeEnvironments"):
            wanted = {reference.rsplit("compute-environment/", 1)[-1] for reference in params["computeEnvironments"]}
            environments = [environment for environment in environments if environment["computeEnvironmentName"] in wanted]
        return self._registry_page(op, "computeEnvironments", environments, params)

    # Tag operations

    def tag_resource(self, **params: Any) -> Dict[str, Any]:
        return self._tag_operation("TagResource", params)

    def untag_resource(self, **params: Any) -> Dict[str, Any]:
        return self._tag_operation("UntagResource", params)

    def list_tags_for_resource(self, **params: Any) -> Dict[str, Any]:
        return self._tag_operation("ListTagsForResource", params)

    def _tag_operation(self, op: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        check_params(op, params)
        if self._local is not None:
            return self._respond(self._local.call(op, params))
        assert self._emulated is not None
        if self._tagging is None:
            self._tagging = ShimTagging(self.registry, self._emulated.journal)
        tagging = self._tagging
        handler = {"TagResource": tagging.tag_resource, "UntagResource": tagging.untag_resource, "ListTagsForResource": tagging.list_tags}[op]
        return self._respond(handler(op, params))

    def _registry_page(self, op: str, key: str, items: List[Dict[str, Any]], params: Mapping[str, Any]) -> Dict[str, Any]:
        max_results = params.get("maxResults")
        if max_results is not None and not 1 <= max_results <= 100:
            raise client_exception(op, "maxResults must be between 1 and 100")
        fingerprint = model.query_fingerprint({k: v for k, v in params.items() if k not in ("nextToken", "maxResults")})
        offset = self._offset(op, params.get("nextToken"), fingerprint)
        page, token = model.paginate(items, offset=offset, page_size=max_results or REGISTRY_PAGE_DEFAULT, fingerprint=fingerprint)
        result: Dict[str, Any] = {key: copy.deepcopy(page)}
        if token:
            result["nextToken"] = token
        return self._respond(result)

    # botocore client surface

    def can_paginate(self, operation_name: str) -> bool:
        return operation_name in self.paginated_operations

    def get_paginator(self, operation_name: str) -> "Paginator":
        if operation_name not in self.paginated_operations:
            raise client_exception(operation_name, f"operation {operation_name} cannot be paginated")
        _, result_key = self.paginated_operations[operation_name]
        return Paginator(getattr(self, operation_name), result_key)

    def get_waiter(self, waiter_name: str) -> Any:
        raise ValueError("Waiter does not exist: batch has no waiters")

    def close(self) -> None:
        """Nothing to release: every request opens and closes its own connection."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        served = sorted(n for n in dir(type(self)) if not n.startswith("_") and n not in _CLIENT_SURFACE)
        raise AttributeError(
            f"the batch-migrate shim does not implement Batch operation {name!r} on target {self.settings.target}; "
            f"it serves {', '.join(served)}"
        )

    # Helpers

    def _offset(self, op: str, token: Optional[str], fingerprint: str) -> int:
        if not token:
            return 0
        try:
            return model.decode_next_token(token, fingerprint)
        except ValueError as error:
            raise client_exception(op, f"Invalid nextToken: {error}") from error

    def _on_target(self, op: str, call: Callable[..., Any], *args: Any) -> Any:
        """Runs one emulated operation; whatever the target raises surfaces as botocore's ClientError, as on AWS:
        ClientException for what the target or the mapping refused, ServerException for a failing or absent target."""
        label = self.settings.target
        try:
            return call(*args)
        except ClientError:
            raise
        except ValueError as error:
            raise client_exception(op, str(error)) from error
        except ApiError as error:
            if 400 <= error.status < 500 and error.status != 429:
                raise client_exception(op, f"target {label} rejected the request: {error.server_message}") from error
            raise server_exception(op, f"target {label} failed: {error.server_message}") from error
        except TransportError as error:
            raise server_exception(op, f"target {label} is not reachable: {error}") from error

    @staticmethod
    def _respond(result: Mapping[str, Any]) -> Dict[str, Any]:
        response = {key: value for key, value in result.items() if key != "ResponseMetadata"}
        response["ResponseMetadata"] = response_metadata()
        return response


# Public names of the client that are not Batch operations.
_CLIENT_SURFACE = {"can_paginate", "get_paginator", "get_waiter", "close", "paginated_operations", "settings", "registry", "meta", "exceptions"}


class Paginator:
    """`client.get_paginator(name).paginate(**params, PaginationConfig={MaxItems, PageSize, StartingToken})`."""

    def __init__(self, method: Any, result_key: str) -> None:
        self._method = method
        self.result_key = result_key

    def paginate(self, **params: Any) -> "PageIterator":
        config = dict(params.pop("PaginationConfig", None) or {})
        return PageIterator(self._method, self.result_key, params, config)


class PageIterator:
    def __init__(self, method: Any, result_key: str, params: Dict[str, Any], config: Dict[str, Any]) -> None:
        self._method = method
        self.result_keys = [result_key]
        self._result_key = result_key
        self._params = params
        self._max_items = config.get("MaxItems")
        self._page_size = config.get("PageSize")
        self._starting_token = config.get("StartingToken")
        self.resume_token: Optional[str] = None

    def __iter__(self) -> Iterator[Dict[str, Any]]:
        token = self._starting_token
        returned = 0
        while True:
            request = dict(self._params)
            if self._page_size:
                request["maxResults"] = self._page_size
            if token:
                request["nextToken"] = token
            page = self._method(**request)
            items = page.get(self._result_key, [])
            if self._max_items is not None and returned + len(items) >= self._max_items:
                keep = self._max_items - returned
                page[self._result_key] = items[:keep]
                # A token can only resume at a page boundary, so a page cut short by MaxItems has none.
                self.resume_token = page.get("nextToken") if keep == len(items) else None
                page.pop("nextToken", None)
                yield page
                return
            returned += len(items)
            yield page
            token = page.get("nextToken")
            if not token:
                self.resume_token = None
                return

    def build_full_result(self) -> Dict[str, Any]:
        items: List[Any] = []
        for page in self:
            items.extend(page.get(self._result_key, []))
        result: Dict[str, Any] = {self._result_key: items}
        if self.resume_token:
            result["NextToken"] = self.resume_token
        return result

    def search(self, expression: str) -> Iterator[Any]:
        try:
            import jmespath
        except ImportError as error:
            raise ImportError("PageIterator.search needs the jmespath package") from error
        compiled = jmespath.compile(expression)
        for page in self:
            result = compiled.search(page)
            if isinstance(result, list):
                yield from result
            else:
                yield result
