"""Validates a response dict against botocore's output shape for a Batch operation (required members,
types, enums), read from the installed botocore service model."""

from __future__ import annotations

from typing import Any, List

import botocore.session

SERVICE_MODEL = botocore.session.get_session().get_service_model("batch")

# Modelled as required but absent on real AWS responses for jobs that have not started (targets.md C.3).
REQUIRED_BUT_OMITTED_BY_AWS = {("JobDetail", "startedAt")}


def shape_errors(operation_name: str, response: dict) -> List[str]:
    output_shape = SERVICE_MODEL.operation_model(operation_name).output_shape
    body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    errors: List[str] = []
    metadata = response.get("ResponseMetadata")
    if not isinstance(metadata, dict) or not {"RequestId", "HTTPStatusCode", "HTTPHeaders", "RetryAttempts"} <= set(metadata):
        errors.append("ResponseMetadata missing or incomplete")
    if output_shape is None:
        if body:
            errors.append(f"{operation_name} has no output members but got {sorted(body)}")
        return errors
    _check(output_shape, body, operation_name, errors)
    return errors


def _check(shape: Any, value: Any, path: str, errors: List[str]) -> None:
    type_name = shape.type_name
    if type_name == "structure":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected structure, got {type(value).__name__}")
            return
        for name in shape.required_members:
            if name not in value and (shape.name, name) not in REQUIRED_BUT_OMITTED_BY_AWS:
                errors.append(f"{path}: missing required member {name}")
        for name, item in value.items():
            if name not in shape.members:
                errors.append(f"{path}: unknown member {name}")
                continue
            _check(shape.members[name], item, f"{path}.{name}", errors)
    elif type_name == "list":
        if not isinstance(value, list):
            errors.append(f"{path}: expected list, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}[{index}]", errors)
    elif type_name == "map":
        if not isinstance(value, dict):
            errors.append(f"{path}: expected map, got {type(value).__name__}")
            return
        for key, item in value.items():
            _check(shape.key, key, f"{path}<key>", errors)
            _check(shape.value, item, f"{path}[{key}]", errors)
    elif type_name == "string":
        if not isinstance(value, str):
            errors.append(f"{path}: expected string, got {type(value).__name__}")
        elif shape.enum and value not in shape.enum:
            errors.append(f"{path}: {value!r} not in enum {shape.enum}")
    elif type_name in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{path}: expected {type_name} (int), got {type(value).__name__}")
    elif type_name == "boolean":
        if not isinstance(value, bool):
            errors.append(f"{path}: expected boolean, got {type(value).__name__}")
    elif type_name in ("float", "double"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            errors.append(f"{path}: expected number, got {type(value).__name__}")
    elif type_name == "timestamp":
        errors.append(f"{path}: timestamps are not expected in Batch job shapes")


def assert_shape(operation_name: str, response: dict) -> None:
    errors = shape_errors(operation_name, response)
    assert not errors, f"{operation_name} response does not match botocore's output shape:\n" + "\n".join(errors)
