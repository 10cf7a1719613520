"""Drop-in for `import boto3`: `from batch_migrate_runtime import boto3`.

`boto3.client("batch", …)` and `boto3.Session(…).client("batch")` return the batch-migrate shim for the target
that BATCH_MIGRATE_TARGET or "target" in migrate.config.json names (common-compute, salad, local); with target
aws, which is the default when none is configured, and for every other service, the call goes to the real
boto3, imported only when first needed.
"""

from __future__ import annotations

import importlib
import os
import warnings
from types import ModuleType
from typing import Any, Optional

from .shim.client import BatchShimClient
from .shim.local_client import client_class_for
from .shim.settings import ShimSettings

BATCH_SERVICE = "batch"
_IGNORED_CLIENT_ARGUMENTS = ("endpoint_url", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "config", "verify", "use_ssl", "api_version")


def _real_boto3() -> ModuleType:
    """The installed boto3, never this module (a `boto3.py` of ours on sys.path would shadow it)."""
    try:
        module = importlib.import_module("boto3")
    except ImportError as error:
        raise ImportError(
            "boto3 is not installed: the batch-migrate shim serves only the 'batch' service, and only on targets "
            "common-compute, salad and local; with target aws (the default, when neither BATCH_MIGRATE_TARGET nor "
            '"target" in migrate.config.json names one) every call goes to the real boto3: install it'
        ) from error
    if getattr(module, "__file__", None) and os.path.samefile(module.__file__, __file__):
        raise ImportError("the module named boto3 on sys.path is batch_migrate_runtime/boto3.py itself, not the real boto3")
    return module


def _batch_client_or_none(region_name: Optional[str], kwargs: dict) -> Optional[BatchShimClient]:
    """The shim for the configured target, or None when the target is aws (real boto3 serves it then)."""
    settings = ShimSettings.from_environment()
    if settings.target == "aws":
        return None
    if region_name:
        settings.region = region_name
    ignored = sorted(name for name in _IGNORED_CLIENT_ARGUMENTS if kwargs.get(name) is not None)
    if ignored:
        warnings.warn(_ignored_arguments_warning(settings.target, ignored), stacklevel=3)
    return client_class_for(settings.target)(settings)


# Where the shim takes, on each target, what an ignored boto3.client() argument would have set.
_TARGET_ADDRESS = {"common-compute": "CC_BASE_URL", "salad": "SALAD_BASE_URL", "local": "BATCH_MIGRATE_ENDPOINT"}
_TARGET_KEY = {"common-compute": "CC_API_KEY", "salad": "SALAD_API_KEY", "local": "BATCH_MIGRATE_API_KEY"}


def _ignored_arguments_warning(target: str, ignored: list) -> str:
    reasons = []
    if "endpoint_url" in ignored:
        reasons.append(f"endpoint_url (the address comes from {_TARGET_ADDRESS.get(target, 'the target settings')})")
    keys = [name for name in ignored if name.startswith("aws_")]
    if keys:
        reasons.append(f"{', '.join(keys)} (the key comes from {_TARGET_KEY.get(target, 'the target settings')})")
    if "config" in ignored:
        reasons.append("config (timeouts and retries come from BATCH_MIGRATE_HTTP_TIMEOUT and BATCH_MIGRATE_HTTP_RETRIES)")
    others = [name for name in ignored if name in ("verify", "use_ssl", "api_version")]
    if others:
        reasons.append(f"{', '.join(others)} (not applicable to the target)")
    return f"batch-migrate shim (target {target}) ignores " + "; ".join(reasons)


def client(service_name: str, region_name: Optional[str] = None, **kwargs: Any) -> Any:
    """Like `boto3.client`: the shim for "batch" (unless the target is aws), the real boto3 otherwise."""
    if service_name == BATCH_SERVICE:
        shim = _batch_client_or_none(region_name, kwargs)
        if shim is not None:
            return shim
    return _real_boto3().client(service_name, region_name=region_name, **kwargs)


def resource(service_name: str, *args: Any, **kwargs: Any) -> Any:
    """AWS Batch has no resource API, so resources always come from the real boto3."""
    return _real_boto3().resource(service_name, *args, **kwargs)


class Session:
    """Like `boto3.Session`; its real session is created only when a non-shim service is asked for."""

    def __init__(self, **session_kwargs: Any) -> None:
        self._session_kwargs = session_kwargs
        self._real_session: Any = None

    @property
    def region_name(self) -> Optional[str]:
        if self._session_kwargs.get("region_name"):
            return self._session_kwargs["region_name"]
        return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")

    def _real(self) -> Any:
        if self._real_session is None:
            self._real_session = _real_boto3().Session(**self._session_kwargs)
        return self._real_session

    def client(self, service_name: str, region_name: Optional[str] = None, **kwargs: Any) -> Any:
        if service_name == BATCH_SERVICE:
            shim = _batch_client_or_none(region_name or self.region_name, kwargs)
            if shim is not None:
                return shim
        return self._real().client(service_name, region_name=region_name, **kwargs)

    def resource(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
        return self._real().resource(service_name, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._real(), name)


class _SessionModule(ModuleType):
    """`boto3.session`: its `Session` is the shim's, everything else the real `boto3.session`'s."""

    Session = Session

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return getattr(importlib.import_module("boto3.session"), name)


session = _SessionModule(f"{__name__}.session")


def setup_default_session(**kwargs: Any) -> None:
    _real_boto3().setup_default_session(**kwargs)


def __getattr__(name: str) -> Any:
    """Everything else (`boto3.set_stream_logger`, `boto3.__version__`…) is the real boto3's."""
    if name.startswith("__") and name.endswith("__"):
        raise AttributeError(name)
    return getattr(_real_boto3(), name)
