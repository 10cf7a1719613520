"""The in-tree PEP 517 build backend of batch-migrate-runtime, standard library only.

`pip install ./runtime/python` and `python -m pip wheel ./runtime/python` then work offline with nothing but pip:
no setuptools, no `wheel` package. It builds a pure-Python wheel (PEP 427, with a RECORD) and an sdist (PEP 625
name, with PKG-INFO), and an editable wheel (PEP 660) that puts the source folder on sys.path.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "batch_migrate_runtime"
SDIST_EXTRA = ("pyproject.toml", "README.md", "_build/batch_migrate_build.py")
# Zip entries need a date from 1980 on; SOURCE_DATE_EPOCH makes the archives reproducible.
EPOCH = max(int(os.environ.get("SOURCE_DATE_EPOCH", "315532800")), 315532800)


def _project() -> Dict[str, object]:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    try:
        import tomllib  # Python 3.11+

        return tomllib.loads(text)["project"]
    except ImportError:
        # Python 3.9/3.10: the few plain `key = "value"` lines of [project] this backend reads.
        section = text.split("[project]", 1)[1].split("\n[", 1)[0]
        return {key: value for key, value in re.findall(r'^([A-Za-z-]+)\s*=\s*"([^"]*)"', section, re.M)}


def _names() -> Tuple[str, str, str]:
    project = _project()
    name = str(project["name"])
    version = str(project["version"])
    return name, re.sub(r"[-_.]+", "_", name).lower(), version


def _metadata() -> str:
    project = _project()
    name, _, version = _names()
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if project.get("description"):
        lines.append(f"Summary: {project['description']}")
    if project.get("requires-python"):
        lines.append(f"Requires-Python: {project['requires-python']}")
    license_field = project.get("license")
    if isinstance(license_field, dict) and license_field.get("text"):
        lines.append(f"License: {license_field['text']}")
    readme = ROOT / "README.md"
    if readme.is_file():
        lines.append("Description-Content-Type: text/markdown")
        return "\n".join(lines) + "\n\n" + readme.read_text(encoding="utf-8")
    return "\n".join(lines) + "\n"


def _package_files() -> Iterator[Path]:
    for path in sorted((ROOT / PACKAGE).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".typed", ".json"):
            yield path


def _record_line(archive_name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode("ascii")
    return f"{archive_name},sha256={digest},{len(data)}"


def _write_wheel(directory: str, files: List[Tuple[str, bytes]]) -> str:
    _, normalized, version = _names()
    dist_info = f"{normalized}-{version}.dist-info"
    wheel_name = f"{normalized}-{version}-py3-none-any.whl"
    metadata = [
        (f"{dist_info}/METADATA", _metadata().encode("utf-8")),
        (f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: batch_migrate_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (f"{dist_info}/top_level.txt", f"{PACKAGE}\n".encode("utf-8")),
    ]
    entries = files + metadata
    record = "\n".join([_record_line(name, data) for name, data in entries] + [f"{dist_info}/RECORD,,", ""])
    entries.append((f"{dist_info}/RECORD", record.encode("utf-8")))
    stamp = __import__("time").gmtime(EPOCH)[:6]
    with zipfile.ZipFile(Path(directory) / wheel_name, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return wheel_name


# --- PEP 517 hooks ---


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_editable(config_settings: Optional[dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: Optional[dict] = None) -> str:
    _, normalized, version = _names()
    dist_info = Path(metadata_directory) / f"{normalized}-{version}.dist-info"
    dist_info.mkdir(parents=True, exist_ok=True)
    (dist_info / "METADATA").write_text(_metadata(), encoding="utf-8")
    return dist_info.name


def build_wheel(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    files = [(path.relative_to(ROOT).as_posix(), path.read_bytes()) for path in _package_files()]
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None) -> str:
    _, normalized, _ = _names()
    return _write_wheel(wheel_directory, [(f"__editable__.{normalized}.pth", f"{ROOT}\n".encode("utf-8"))])


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    _, normalized, version = _names()
    base = f"{normalized}-{version}"
    members: List[Tuple[str, bytes]] = [(f"{base}/PKG-INFO", _metadata().encode("utf-8"))]
    members += [(f"{base}/{name}", (ROOT / name).read_bytes()) for name in SDIST_EXTRA if (ROOT / name).is_file()]
    members += [(f"{base}/{path.relative_to(ROOT).as_posix()}", path.read_bytes()) for path in _package_files()]
    sdist_name = f"{base}.tar.gz"
    with tarfile.open(Path(sdist_directory) / sdist_name, "w:gz", format=tarfile.PAX_FORMAT) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = EPOCH
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return sdist_name
