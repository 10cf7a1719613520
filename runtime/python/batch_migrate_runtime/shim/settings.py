"""Shim configuration: environment variables, then `migrate.config.json` (or the file BATCH_MIGRATE_CONFIG names)."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

from ..errors import ConfigurationError

TARGETS = ("common-compute", "salad", "local", "aws")
TARGET_ALIASES = {"cc": "common-compute", "commoncompute": "common-compute", "common_compute": "common-compute", "saladcloud": "salad"}
CONFIG_FILE_NAME = "migrate.config.json"
# With no target configured every call goes to the real AWS SDK, so a migrated repository can merge before the
# cut-over; the cut-over is "target" in migrate.config.json (`migrate init --target …` writes it) or the variable.
DEFAULT_TARGET = "aws"
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT_ID = "123456789012"


LOGGER = logging.getLogger("batch_migrate_runtime.shim")
_logged_target = False


def _choose_target(override: Optional[str], env: Mapping[str, str], shim_section: Dict[str, Any], config: Dict[str, Any], config_path: Optional[Path]) -> "tuple[str, str]":
    if override:
        return override, "a keyword override"
    if env.get("BATCH_MIGRATE_TARGET"):
        return env["BATCH_MIGRATE_TARGET"], "BATCH_MIGRATE_TARGET"
    from_file = shim_section.get("target") or config.get("target")
    if from_file:
        return str(from_file), str(config_path or CONFIG_FILE_NAME)
    return DEFAULT_TARGET, "the default: no target configured"


def _log_active_target(target: str, source: str) -> None:
    """One INFO record per process naming the active target."""
    global _logged_target
    if _logged_target:
        return
    _logged_target = True
    where = "every AWS Batch call goes to the real AWS SDK" if target == "aws" else f"AWS Batch calls go to {target}"
    LOGGER.info("batch-migrate shim target %s (from %s): %s", target, source, where)


def find_config_file(start: Path) -> Optional[Path]:
    """The nearest `migrate.config.json` in `start` or one of its parents."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config_document(path: Optional[Path]) -> Dict[str, Any]:
    if path is None:
        return {}
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigurationError(f"cannot read {path}: {error.strerror}") from error
    except ValueError as error:
        raise ConfigurationError(f"{path} is not valid JSON: {error}") from error
    if not isinstance(document, dict):
        raise ConfigurationError(f"{path} must hold a JSON object at the top level")
    return document


def parse_mapping(text: Optional[str], variable: str) -> Dict[str, str]:
    """`{"aws-queue": "target"}` as JSON, or `aws-queue=target,other=x`."""
    if not text:
        return {}
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except ValueError as error:
            raise ConfigurationError(f"{variable} is not valid JSON: {error}") from error
        if not isinstance(value, dict):
            raise ConfigurationError(f"{variable} must be a JSON object")
        return {str(key): str(item) for key, item in value.items()}
    mapping = {}
    for pair in stripped.split(","):
        if not pair.strip():
            continue
        key, separator, item = pair.partition("=")
        if not separator or not key.strip() or not item.strip():
            raise ConfigurationError(f"{variable}: expected name=value pairs separated by commas, got {pair!r}")
        mapping[key.strip()] = item.strip()
    return mapping


def parse_flag(text: Optional[str], variable: str) -> Optional[bool]:
    if text is None or text == "":
        return None
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigurationError(f"{variable} must be 1 or 0, not {text!r}")


def normalise_target(value: str) -> str:
    lowered = value.strip().lower()
    target = TARGET_ALIASES.get(lowered, lowered)
    if target not in TARGETS:
        raise ConfigurationError(f"BATCH_MIGRATE_TARGET must be one of {', '.join(TARGETS)}, not {value!r}")
    return target


@dataclass
class ShimSettings:
    target: str
    target_source: Optional[str] = None
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT_ID
    config_path: Optional[Path] = None
    config: Dict[str, Any] = field(default_factory=dict)
    cc_base_url: Optional[str] = None
    cc_api_key: Optional[str] = None
    salad_base_url: Optional[str] = None
    salad_api_key: Optional[str] = None
    salad_organization: Optional[str] = None
    salad_project: Optional[str] = None
    local_base_url: Optional[str] = None
    local_api_key: Optional[str] = None
    queue_map: Dict[str, str] = field(default_factory=dict)
    state_dir: Optional[Path] = None
    emulate_dependencies: bool = True
    http_timeout: float = 30.0
    max_retries: int = 3

    @classmethod
    def from_environment(cls, environ: Optional[Mapping[str, str]] = None, **overrides: Any) -> "ShimSettings":
        env = os.environ if environ is None else environ
        explicit_path = overrides.pop("config_path", None) or env.get("BATCH_MIGRATE_CONFIG")
        if explicit_path:
            config_path: Optional[Path] = Path(explicit_path)
            if not config_path.is_file():
                raise ConfigurationError(f"BATCH_MIGRATE_CONFIG names {explicit_path}, which is not a file")
        else:
            config_path = find_config_file(Path.cwd())
        config = load_config_document(config_path)
        shim_section = config.get("shim") if isinstance(config.get("shim"), dict) else {}

        target, target_source = _choose_target(overrides.pop("target", None), env, shim_section, config, config_path)
        target = normalise_target(target)
        _log_active_target(target, target_source)
        emulate_default = target != "salad"
        emulate = parse_flag(env.get("BATCH_MIGRATE_EMULATE_DEPENDENCIES"), "BATCH_MIGRATE_EMULATE_DEPENDENCIES")
        queue_map = {
            **{str(k): str(v) for k, v in (shim_section.get("queueMap") or {}).items()},
            **parse_mapping(env.get("BATCH_MIGRATE_QUEUE_MAP"), "BATCH_MIGRATE_QUEUE_MAP"),
        }
        state_dir = env.get("BATCH_MIGRATE_STATE_DIR") or shim_section.get("stateDir")
        settings = cls(
            target=target,
            target_source=target_source,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or config.get("region") or DEFAULT_REGION,
            account_id=env.get("BATCH_MIGRATE_ACCOUNT_ID") or config.get("accountId") or DEFAULT_ACCOUNT_ID,
            config_path=config_path,
            config=config,
            cc_base_url=env.get("CC_BASE_URL"),
            cc_api_key=env.get("CC_API_KEY"),
            salad_base_url=env.get("SALAD_BASE_URL"),
            salad_api_key=env.get("SALAD_API_KEY"),
            salad_organization=env.get("SALAD_ORGANIZATION_NAME") or shim_section.get("saladOrganization"),
            salad_project=env.get("SALAD_PROJECT_NAME") or shim_section.get("saladProject"),
            local_base_url=env.get("BATCH_MIGRATE_ENDPOINT") or env.get("CC_BASE_URL"),
            local_api_key=env.get("BATCH_MIGRATE_API_KEY") or env.get("CC_API_KEY") or env.get("MIGRATE_EXECUTOR_KEY"),
            queue_map=queue_map,
            state_dir=Path(state_dir) if state_dir else None,
            emulate_dependencies=emulate if emulate is not None else emulate_default,
            http_timeout=float(env.get("BATCH_MIGRATE_HTTP_TIMEOUT") or 30.0),
            max_retries=int(env.get("BATCH_MIGRATE_HTTP_RETRIES") or 3),
        )
        for key, value in overrides.items():
            if not hasattr(settings, key):
                raise TypeError(f"unknown shim setting {key!r}")
            setattr(settings, key, value)
        return settings
