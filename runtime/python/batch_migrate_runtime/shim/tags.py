"""TagResource / UntagResource / ListTagsForResource on common-compute and salad: the shim keeps the tags of the
resources it knows, with AWS's rules. A job's tags live in its journal record (shared with other processes through
BATCH_MIGRATE_STATE_DIR, and read back by describe_jobs); a job queue's, job definition's or compute environment's
live in the registry loaded from migrate.config.json, for this process, as register_job_definition's revisions do.
Same rules as the executor's AWS face (runtime/src/executor/faces/aws-tags.ts) and the TypeScript shim (tags.ts)."""

from __future__ import annotations

from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from .errors import client_exception
from .journal import Journal
from .registry import Registry

MAX_TAGS = 50

Tagged = Tuple[Dict[str, str], Callable[[Dict[str, str]], None]]


class ShimTagging:
    def __init__(self, registry: Registry, journal: Journal) -> None:
        self.registry = registry
        self.journal = journal

    def list_tags(self, op: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        tags, _ = self._resolve(op, params["resourceArn"])
        return {"tags": dict(tags)}

    def tag_resource(self, op: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        tags, save = self._resolve(op, params["resourceArn"])
        merged = {**tags, **_check_tags(op, params["tags"])}
        if len(merged) > MAX_TAGS:
            raise client_exception(op, f"a resource can have at most {MAX_TAGS} tags")
        save(merged)
        return {}

    def untag_resource(self, op: str, params: Mapping[str, Any]) -> Dict[str, Any]:
        tags, save = self._resolve(op, params["resourceArn"])
        keys = [str(key) for key in params["tagKeys"]]
        if not 1 <= len(keys) <= MAX_TAGS:
            raise client_exception(op, f"tagKeys must list 1 to {MAX_TAGS} tag keys")
        for key in keys:
            _check_key(op, key)
        save({key: value for key, value in tags.items() if key not in keys})
        return {}

    def _resolve(self, op: str, arn: str) -> Tagged:
        prefix = self.registry.arn("")
        if not arn.startswith(prefix):
            raise client_exception(op, f"resourceArn {arn} is not a valid AWS Batch resource ARN")
        kind, slash, name = arn[len(prefix) :].partition("/")
        found: Optional[Tagged] = None
        if slash and kind == "job":
            record = self.journal.get(name)
            if record is not None and record.get("kind") == "array-child":
                raise client_exception(op, "array and multi-node child jobs cannot be tagged")
            if record is not None:

                def save_job(tags: Dict[str, str], record: Dict[str, Any] = record) -> None:
                    self.journal.put({**record, "tags": tags})

                found = (dict(record.get("tags") or {}), save_job)
        elif slash and kind == "job-definition":
            found = _registry_entry(self.registry.find_job_definition(arn), "jobDefinitionArn", arn)
        elif slash and kind == "job-queue":
            found = _registry_entry(self.registry.job_queues.get(name), "jobQueueArn", arn)
        elif slash and kind == "compute-environment":
            found = _registry_entry(self.registry.compute_environments.get(name), "computeEnvironmentArn", arn)
        if found is None:
            raise client_exception(op, f"resource {arn} does not exist")
        return found


def _registry_entry(entry: Optional[Dict[str, Any]], arn_key: str, arn: str) -> Optional[Tagged]:
    if entry is None or entry.get(arn_key) != arn:
        return None

    def save(tags: Dict[str, str]) -> None:
        entry["tags"] = tags

    return (dict(entry.get("tags") or {}), save)


def _check_key(op: str, key: str) -> None:
    if not 1 <= len(key) <= 128:
        raise client_exception(op, "a tag key must be 1 to 128 characters")
    if key.lower().startswith("aws:"):
        raise client_exception(op, "tag keys starting with aws: are reserved for AWS use")


def _check_tags(op: str, value: Mapping[str, Any]) -> Dict[str, str]:
    if not 1 <= len(value) <= MAX_TAGS:
        raise client_exception(op, f"tags must hold 1 to {MAX_TAGS} tags")
    tags: Dict[str, str] = {}
    for key, tag_value in value.items():
        _check_key(op, str(key))
        if not isinstance(tag_value, str) or len(tag_value) > 256:
            raise client_exception(op, f"tag {key}: the value must be a string of at most 256 characters")
        tags[str(key)] = tag_value
    return tags
