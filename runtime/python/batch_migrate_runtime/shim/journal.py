"""Where the shim keeps the AWS-side record of each job it submitted to Common Compute or SaladCloud.

In memory by default; with BATCH_MIGRATE_STATE_DIR each record is also a JSON file there (written by atomic
rename), so another process using the shim sees array parents, held dependents and emulated retries too.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Dict, Iterator, Optional
from urllib.parse import quote, unquote

JobRecord = Dict[str, Any]


class Journal:
    def __init__(self, state_dir: Optional[Path] = None) -> None:
        self.state_dir = state_dir
        self._records: Dict[str, JobRecord] = {}
        if state_dir is not None:
            state_dir.mkdir(parents=True, exist_ok=True)

    def _path(self, job_id: str) -> Path:
        assert self.state_dir is not None
        return self.state_dir / f"{quote(job_id, safe='')}.json"

    def get(self, job_id: str) -> Optional[JobRecord]:
        if self.state_dir is not None:
            path = self._path(job_id)
            if path.is_file():
                self._records[job_id] = json.loads(path.read_text(encoding="utf-8"))
        return self._records.get(job_id)

    def put(self, record: JobRecord) -> None:
        self._records[record["jobId"]] = record
        if self.state_dir is None:
            return
        handle, temporary = tempfile.mkstemp(dir=self.state_dir, prefix=".tmp-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(record, stream, separators=(",", ":"))
        os.replace(temporary, self._path(record["jobId"]))

    def all(self) -> Iterator[JobRecord]:
        if self.state_dir is not None:
            for path in self.state_dir.glob("*.json"):
                job_id = unquote(path.name[: -len(".json")])
                if job_id not in self._records:
                    self._records[job_id] = json.loads(path.read_text(encoding="utf-8"))
        yield from list(self._records.values())
