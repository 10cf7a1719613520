"""`pip install ./runtime/python` and `pip wheel ./runtime/python` work offline with only pip and the standard
library (the in-tree backend), and the wheel and the sdist both install into a fresh virtualenv."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[1]
IMPORTS = "import batch_migrate_runtime, batch_migrate_runtime.shim, batch_migrate_runtime.boto3, batch_migrate_runtime.wrap; print(batch_migrate_runtime.__file__)"


def clean_env() -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PIP_INDEX_URL", "PIP_FIND_LINKS")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def run(*command: str, cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done.stdout


def backend():
    spec = importlib.util.spec_from_file_location("batch_migrate_build", PACKAGE_ROOT / "_build" / "batch_migrate_build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_wheel_and_sdist_install_offline_into_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    python = str(venv / ("Scripts" if os.name == "nt" else "bin") / "python")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    # pip install ./runtime/python: the in-tree backend, no index.
    run(python, "-m", "pip", "install", "--no-index", str(PACKAGE_ROOT), cwd=tmp_path)
    assert run(python, "-c", IMPORTS, cwd=elsewhere).startswith(str(venv))

    # python -m pip wheel ./runtime/python, then the wheel itself.
    wheels = tmp_path / "wheels"
    run(python, "-m", "pip", "wheel", "--no-index", "--no-deps", "-w", str(wheels), str(PACKAGE_ROOT), cwd=tmp_path)
    (wheel,) = wheels.glob("*.whl")
    assert wheel.name == "batch_migrate_runtime-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "batch_migrate_runtime/shim/settings.py" in names and "batch_migrate_runtime-0.1.0.dist-info/RECORD" in names
    assert not any("__pycache__" in name or name.startswith("tests/") for name in names)

    # The sdist, as `init --target` vendors it.
    sdist = tmp_path / backend().build_sdist(str(tmp_path))
    with tarfile.open(sdist) as archive:
        members = archive.getnames()
    assert "batch_migrate_runtime-0.1.0/PKG-INFO" in members and "batch_migrate_runtime-0.1.0/_build/batch_migrate_build.py" in members
    run(python, "-m", "pip", "uninstall", "-y", "batch-migrate-runtime", cwd=tmp_path)
    run(python, "-m", "pip", "install", "--no-index", str(sdist), cwd=tmp_path)
    assert run(python, "-c", IMPORTS, cwd=elsewhere).startswith(str(venv))
    run(python, "-m", "pip", "install", "--no-index", "--force-reinstall", str(wheel), cwd=tmp_path)
    assert run(python, "-c", IMPORTS, cwd=elsewhere).startswith(str(venv))
    # Nothing was left in the source tree.
    assert not list(PACKAGE_ROOT.glob("*.egg-info")) and not (PACKAGE_ROOT / "build").exists()
