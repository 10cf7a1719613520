"""The run-time routes that natively rewritten code takes for queues and definitions known only at run time."""

import json

import pytest

from batch_migrate_runtime import ConfigurationError, common_compute_route, salad_queue

CONFIG = {
    "target": "common-compute",
    "jobQueues": {
        "gpu-queue": {"commonCompute": {"priority": "standard"}, "salad": {"queue": "gpu-jobs"}},
        "bare": {},
    },
    "jobDefinitions": {
        "render": {"commonCompute": {"workload": "vt_transcode", "model": "hevc-main"}},
        "plain": {"salad": {"queue": "plain-jobs"}},
    },
}


@pytest.fixture
def config_path(tmp_path, monkeypatch):
    path = tmp_path / "migrate.config.json"
    path.write_text(json.dumps(CONFIG), encoding="utf-8")
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return path


def test_common_compute_route_maps_queue_and_definition_by_name_revision_or_arn(config_path):
    expected = {"workload": "vt_transcode", "priority": "standard", "model": "hevc-main"}
    assert common_compute_route("gpu-queue", "render") == expected
    assert common_compute_route("arn:aws:batch:us-east-1:123456789012:job-queue/gpu-queue", "render:7") == expected
    assert common_compute_route("gpu-queue", "arn:aws:batch:us-east-1:123456789012:job-definition/render:2") == expected


def test_common_compute_route_defaults_workload_to_the_definition_name(config_path):
    assert common_compute_route("gpu-queue", "plain") == {"workload": "plain", "priority": "standard"}


def test_salad_queue_prefers_the_queue_mapping_then_the_definition(config_path):
    assert salad_queue("gpu-queue", "plain") == "gpu-jobs"
    assert salad_queue("bare", "plain") == "plain-jobs"


def test_unmapped_names_raise_configuration_errors_naming_the_key(config_path):
    with pytest.raises(ConfigurationError, match="commonCompute.priority"):
        common_compute_route("bare", "render")
    with pytest.raises(ConfigurationError, match="not in .*jobDefinitions"):
        common_compute_route("gpu-queue", "missing")
    with pytest.raises(ConfigurationError, match="salad.queue"):
        salad_queue("bare", "render")


def test_the_config_file_is_found_through_batch_migrate_config(tmp_path, monkeypatch, config_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("BATCH_MIGRATE_CONFIG", str(config_path))
    assert salad_queue("gpu-queue", "render") == "gpu-jobs"


def test_no_config_file_is_a_configuration_error(tmp_path, monkeypatch):
    monkeypatch.delenv("BATCH_MIGRATE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigurationError, match="migrate init"):
        common_compute_route("gpu-queue", "render")
