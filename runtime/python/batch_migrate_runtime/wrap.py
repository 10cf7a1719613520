"""Runs an AWS Batch container's command under SaladCloud's queue worker.

``python -m batch_migrate_runtime.wrap --port 8080 --path /process -- <command…>`` serves the queue worker's
POST: each job's input (the shim's envelope, or just ``parameters``/``environment``/``arrayProperties``/
``attempt``) becomes one run of the command, never through a shell, with ``Ref::`` parameters substituted and
the ``AWS_BATCH_*`` variables set. Exit 0 answers 200 with a JSON report (the job's output in Salad); anything
else answers 500 so the queue retries the job (4 attempts in all), except when AWS would not retry it (the input's
``maxAttempts`` reached, or a timeout): then 200 with ``lastAttempt: true``. Same behaviour as the Node ``wrap``.

The command is always the one after ``--``: an input ``command`` is ignored (and named in the report), and so are
variables that choose the program (``PATH``, ``LD_*``, ``PYTHONPATH``, ``NODE_OPTIONS``…). It listens on 127.0.0.1
(the worker runs in the same container), checks no key, and runs one job at a time (``--max-concurrent``).
"""

import argparse
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

OUTPUT_PATH_VARIABLE = "BATCH_MIGRATE_OUTPUT_PATH"
# The worker rejects outputs over 10 MB; stay under it with room for the tails.
MAX_OUTPUT_FILE_BYTES = 8 * 1024 * 1024
DEFAULT_TAIL_BYTES = 4096
DEFAULT_MAX_INPUT_BYTES = 16 * 1024 * 1024
# Salad's queue worker sends one job at a time; more at once is not the worker.
DEFAULT_MAX_CONCURRENT = 1
# Variables that choose what runs rather than what it reads: the loader's, the shells' and the interpreters'
# start-up hooks. A job's input may not set them, or the input would pick the program after all.
_PROGRAM_CHOOSING_VARIABLE = re.compile(
    r"(?:PATH|IFS|ENV|BASH_ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|GCONV_PATH|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS"
    r"|NODE_OPTIONS|NODE_PATH|NODE_REPL_EXTERNAL_MODULE|PYTHON(?:PATH|HOME|STARTUP|INSPECT|USERBASE|EXECUTABLE|BREAKPOINT)"
    r"|PERL5?(?:OPT|LIB|DB)|RUBY(?:OPT|LIB)|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|CLASSPATH"
    r"|BATCH_MIGRATE_OUTPUT_PATH|(?:LD|DYLD)_[A-Z0-9_]*|GIT_[A-Z0-9_]*)"
)
_VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_REFERENCE = re.compile(r"Ref::([A-Za-z0-9_-]+)")


class JobInputError(ValueError):
    """The job input is unusable; retrying cannot fix it, so the job is completed with the reason."""


class PreparedRun(tuple):
    """(argv, environment added by the job, job id, attempt), plus what of the input was ignored."""

    ignored_command: Optional[List[str]]
    ignored_environment: List[str]

    def __new__(cls, argv: List[str], added: Dict[str, str], job_id: str, attempt: int, ignored_command: Optional[List[str]] = None, ignored_environment: Optional[List[str]] = None) -> "PreparedRun":
        run = super().__new__(cls, (argv, added, job_id, attempt))
        run.ignored_command = ignored_command
        run.ignored_environment = list(ignored_environment or [])
        return run


def substitute_parameters(command: Sequence[str], parameters: Mapping[str, str]) -> List[str]:
    """AWS ``Ref::`` substitution: a whole-item reference first, else every reference inside the item, the
    longest defined name winning; unknown references stay literal."""

    def replace(match: "re.Match[str]") -> str:
        name = match.group(1)
        for length in range(len(name), 0, -1):
            if name[:length] in parameters:
                return parameters[name[:length]] + name[length:]
        return match.group(0)

    result = []
    for item in command:
        whole = re.fullmatch(r"Ref::(.+)", item)
        if whole and whole.group(1) in parameters:
            result.append(parameters[whole.group(1)])
        else:
            result.append(_REFERENCE.sub(replace, item))
    return result


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise JobInputError(f"{where} must be a string, a number or a boolean")


def _parameters(value: Any) -> Dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise JobInputError("parameters must be an object of strings")
    return {name: _scalar(item, f"parameters.{name}") for name, item in value.items()}


def _environment(value: Any) -> Dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, list):
        environment = {}
        for entry in value:
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                raise JobInputError("environment entries must be {name, value} objects")
            environment[entry["name"]] = _scalar(entry.get("value", ""), f"environment.{entry['name']}")
        return environment
    if not isinstance(value, dict):
        raise JobInputError("environment must be an object or a list of {name, value}")
    return {name: _scalar(item, f"environment.{name}") for name, item in value.items()}


def _split_environment(environment: Mapping[str, str]) -> Tuple[Dict[str, str], List[str]]:
    """(the variables an input may set, the names of those it may not: left out of the run)."""
    allowed: Dict[str, str] = {}
    ignored: List[str] = []
    for name, value in environment.items():
        if not _VARIABLE_NAME.fullmatch(name) or _PROGRAM_CHOOSING_VARIABLE.fullmatch(name.upper()):
            ignored.append(name)
        else:
            allowed[name] = value
    return allowed, ignored


def _integer(value: Any, where: str, minimum: int) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, str) and value.strip():
        try:
            value = int(value)
        except ValueError:
            raise JobInputError(f"{where} must be an integer ≥ {minimum}") from None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise JobInputError(f"{where} must be an integer ≥ {minimum}")
    return value


def _first(*values: Optional[int]) -> Optional[int]:
    return next((value for value in values if value is not None), None)


def prepare_run(
    body: Any,
    command: Sequence[str],
    defaults: Mapping[str, str],
    *,
    job_queue: Optional[str] = None,
    compute_environment: Optional[str] = None,
    salad_job_id: Optional[str] = None,
    counted_attempt: int = 1,
) -> PreparedRun:
    """(argv, environment added by the job, job id, attempt) for one run of a queue job's input. The command is
    always the wrapped one: whoever can put a job on the queue must not choose the program."""
    data = {} if body is None else body
    if not isinstance(data, dict):
        raise JobInputError("the job input must be a JSON object")
    parameters = {**defaults, **_parameters(data.get("parameters"))}
    environment, ignored_environment = _split_environment(_environment(data.get("environment")))
    override = data.get("command")
    if override is not None and (not isinstance(override, list) or not override or not all(isinstance(p, str) for p in override)):
        raise JobInputError("command must be a non-empty list of strings")
    array = data.get("arrayProperties") if isinstance(data.get("arrayProperties"), dict) else {}
    index = _first(
        _integer(array.get("index"), "arrayProperties.index", 0),
        _integer(data.get("arrayIndex"), "arrayIndex", 0),
        _integer(data.get("index"), "index", 0),
        _integer(environment.get("AWS_BATCH_JOB_ARRAY_INDEX"), "AWS_BATCH_JOB_ARRAY_INDEX", 0),
    )
    size = _first(
        _integer(array.get("size"), "arrayProperties.size", 1),
        _integer(data.get("arraySize"), "arraySize", 1),
        _integer(data.get("total"), "total", 1),
        _integer(environment.get("AWS_BATCH_JOB_ARRAY_SIZE"), "AWS_BATCH_JOB_ARRAY_SIZE", 1),
    )
    attempt = _first(
        _integer(data.get("attempt"), "attempt", 1),
        _integer(environment.get("AWS_BATCH_JOB_ATTEMPT"), "AWS_BATCH_JOB_ATTEMPT", 1),
        counted_attempt,
    )
    base_id = (
        (data.get("jobId") if isinstance(data.get("jobId"), str) and data.get("jobId") else None)
        or environment.get("AWS_BATCH_JOB_ID")
        or salad_job_id
        or f"local-{int(time.time() * 1000)}"
    )
    job_id = f"{base_id}:{index}" if index is not None and not base_id.endswith(f":{index}") else base_id
    added = dict(environment)
    added["AWS_BATCH_JOB_ID"] = job_id
    added["AWS_BATCH_JOB_ATTEMPT"] = str(attempt)
    queue = data.get("jobQueue") if isinstance(data.get("jobQueue"), str) else None
    added["AWS_BATCH_JQ_NAME"] = queue or environment.get("AWS_BATCH_JQ_NAME") or job_queue or ""
    added["AWS_BATCH_CE_NAME"] = environment.get("AWS_BATCH_CE_NAME") or compute_environment or ""
    if index is not None:
        added["AWS_BATCH_JOB_ARRAY_INDEX"] = str(index)
    if size is not None:
        added["AWS_BATCH_JOB_ARRAY_SIZE"] = str(size)
    argv = substitute_parameters(command, parameters)
    ignored_command = list(override) if override is not None and list(override) != argv else None
    return PreparedRun(argv, added, job_id, int(attempt), ignored_command, ignored_environment)


class _Tail:
    """The last ``limit`` bytes of a stream, copied through to ``echo`` as they arrive."""

    def __init__(self, limit: int, echo: Optional[Any]) -> None:
        self.limit = limit
        self.echo = echo
        self.chunks: "collections.deque[bytes]" = collections.deque()
        self.size = 0

    def drain(self, stream: Any) -> None:
        for chunk in iter(lambda: stream.read1(65536), b""):
            self.chunks.append(chunk)
            self.size += len(chunk)
            while len(self.chunks) > 1 and self.size - len(self.chunks[0]) >= self.limit:
                self.size -= len(self.chunks.popleft())
            if self.echo is not None:
                self.echo.write(chunk)
                self.echo.flush()

    def text(self) -> str:
        data = b"".join(self.chunks)
        return data[max(0, len(data) - self.limit) :].decode("utf-8", "replace")


def _read_output(path: str) -> Dict[str, Any]:
    if not os.path.exists(path):
        return {}
    if os.path.getsize(path) > MAX_OUTPUT_FILE_BYTES:
        return {"outputTruncated": True}
    with open(path, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    try:
        return {"output": json.loads(text)}
    except ValueError:
        return {"output": text}


def _stop(process: "subprocess.Popen[bytes]", grace_seconds: float) -> None:
    def send(sig: int) -> None:
        try:
            if os.name == "posix":
                os.killpg(process.pid, sig)
            else:
                process.send_signal(sig)
        except (ProcessLookupError, PermissionError):
            pass

    send(signal.SIGTERM)
    try:
        process.wait(grace_seconds)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL if os.name == "posix" else signal.SIGTERM)


class Wrapper:
    """The wrapper's settings and its per-job attempt counts."""

    def __init__(
        self,
        command: Sequence[str],
        *,
        path: str = "/process",
        health_path: str = "/health",
        parameters: Optional[Mapping[str, str]] = None,
        timeout_seconds: Optional[float] = None,
        kill_grace_seconds: float = 10.0,
        job_queue: Optional[str] = None,
        compute_environment: Optional[str] = None,
        output_file: Optional[str] = None,
        tail_bytes: int = DEFAULT_TAIL_BYTES,
        echo: bool = True,
        max_concurrent: int = DEFAULT_MAX_CONCURRENT,
    ) -> None:
        self.command = list(command)
        self.path = path if path.startswith("/") else f"/{path}"
        self.health_path = health_path if health_path.startswith("/") else f"/{health_path}"
        self.parameters = dict(parameters or {})
        self.timeout_seconds = timeout_seconds
        self.kill_grace_seconds = kill_grace_seconds
        self.job_queue = job_queue
        self.compute_environment = compute_environment
        self.output_file = output_file
        self.tail_bytes = tail_bytes
        self.echo = echo
        self._deliveries: Dict[str, int] = {}
        self._lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(max(1, max_concurrent))
        self.max_concurrent = max(1, max_concurrent)

    def count_delivery(self, salad_job_id: Optional[str]) -> int:
        key = salad_job_id or str(uuid.uuid4())
        with self._lock:
            self._deliveries[key] = self._deliveries.get(key, 0) + 1
            return self._deliveries[key]

    def run(
        self,
        argv: List[str],
        added: Mapping[str, str],
        job_id: str,
        attempt: int,
        ignored_command: Optional[List[str]] = None,
        ignored_environment: Sequence[str] = (),
    ) -> Dict[str, Any]:
        started = time.monotonic()
        scratch = None if self.output_file else tempfile.mkdtemp(prefix="batch-migrate-wrap-")
        output_path = self.output_file or os.path.join(scratch or "", "output")
        if self.output_file and os.path.exists(self.output_file):
            os.remove(self.output_file)
        env = {**os.environ, **added, OUTPUT_PATH_VARIABLE: output_path}
        report: Dict[str, Any] = {"jobId": job_id, "attempt": attempt, "command": argv}
        if ignored_command is not None:
            report["ignoredCommand"] = ignored_command
        if ignored_environment:
            report["ignoredEnvironment"] = list(ignored_environment)
        stdout = _Tail(self.tail_bytes, sys.stdout.buffer if self.echo else None)
        stderr = _Tail(self.tail_bytes, sys.stderr.buffer if self.echo else None)
        try:
            try:
                process = subprocess.Popen(
                    argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=os.name == "posix"
                )
            except OSError as error:
                report.update(exitCode=None, error=f"the command could not start: {error}")
                return report
            readers = [threading.Thread(target=tail.drain, args=(stream,), daemon=True) for tail, stream in ((stdout, process.stdout), (stderr, process.stderr))]
            for reader in readers:
                reader.start()
            timed_out = False
            try:
                process.wait(self.timeout_seconds)
            except subprocess.TimeoutExpired:
                timed_out = True
                _stop(process, self.kill_grace_seconds)
                process.wait()
            for reader in readers:
                reader.join(1.0)
            code = process.returncode
            if timed_out:
                report.update(exitCode=None, timedOut=True, error=f"the command ran longer than {self.timeout_seconds:g} s")
            elif code < 0:
                name = signal.Signals(-code).name
                report.update(exitCode=128 - code, signal=name, error=f"the command was ended by {name}")
            else:
                report["exitCode"] = code
                if code != 0:
                    report["error"] = f"the command exited with {code}"
                else:
                    report.update(_read_output(output_path))
            return report
        finally:
            report["durationMs"] = int((time.monotonic() - started) * 1000)
            report["stdoutTail"] = stdout.text()
            report["stderrTail"] = stderr.text()
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)


def _handler(wrapper: Wrapper, max_input_bytes: int) -> type:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def _reply(self, status: int, body: Any) -> None:
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            if self.path.split("?", 1)[0] == wrapper.health_path:
                self._reply(200, {"status": "ready"})
            else:
                self._reply(405, {"error": f"only POST {wrapper.path} and GET {wrapper.health_path} are served"})

        def do_POST(self) -> None:  # noqa: N802
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                self.close_connection = True
                self._reply(400, {"error": "Content-Length is not a number"})
                return
            if length > max_input_bytes:
                self.close_connection = True
                self._reply(413, {"error": "the job input is too large"})
                return
            path = self.path.split("?", 1)[0]
            if path != wrapper.path:
                self.close_connection = True
                # A 4xx would complete the job in Salad; a misrouted job should fail where someone sees it.
                self._reply(503, {"error": f"jobs are served at {wrapper.path}, not {path}: check queue_connection.path"})
                return
            if not wrapper.slots.acquire(blocking=False):
                self.close_connection = True
                # 503 makes the queue retry the job later; the run in progress is not disturbed.
                self._reply(503, {"error": f"the wrapper already runs {wrapper.max_concurrent} job(s), its --max-concurrent"})
                return
            try:
                status, answer = self._serve_job(self.rfile.read(length) if length else b"")
            finally:
                # Free before answering: the worker sends its next job as soon as it has this answer.
                wrapper.slots.release()
            self._reply(status, answer)

        def _serve_job(self, raw: bytes) -> Tuple[int, Any]:
            try:
                body = json.loads(raw.decode("utf-8")) if raw else None
            except ValueError:
                return 400, {"error": "the job input is not valid JSON"}
            except RecursionError:
                return 400, {"error": "the job input is nested too deeply"}
            salad_job_id = self.headers.get("Salad-Job-Id")
            try:
                run = prepare_run(
                    body,
                    wrapper.command,
                    wrapper.parameters,
                    job_queue=wrapper.job_queue,
                    compute_environment=wrapper.compute_environment,
                    salad_job_id=salad_job_id,
                    counted_attempt=wrapper.count_delivery(salad_job_id),
                )
                max_attempts = _integer(body.get("maxAttempts"), "maxAttempts", 1) if isinstance(body, dict) else None
            except JobInputError as error:
                return 400, {"error": str(error)}
            argv, added, job_id, attempt = run
            if run.ignored_command is not None:
                print(f"wrap: ignored the input's command {json.dumps(run.ignored_command)}; running the wrapped command", file=sys.stderr, flush=True)
            if run.ignored_environment:
                print(f"wrap: ignored the input's {', '.join(run.ignored_environment)}: they would choose the program", file=sys.stderr, flush=True)
            report = wrapper.run(argv, added, job_id, attempt, run.ignored_command, run.ignored_environment)
            # A failure is retried by answering 500, unless AWS would not retry it: the job's last attempt (the
            # input's maxAttempts), or a timeout. Then 200 with lastAttempt: true, and the shim reads FAILED.
            final = report.get("exitCode") != 0 and ((max_attempts is not None and attempt >= max_attempts) or report.get("timedOut") is True)
            if final:
                report["lastAttempt"] = True
            return (200 if report.get("exitCode") == 0 or final else 500), report

    return Handler


def serve(wrapper: Wrapper, host: str = "127.0.0.1", port: int = 8080, max_input_bytes: int = DEFAULT_MAX_INPUT_BYTES) -> ThreadingHTTPServer:
    """A started server (``serve_forever`` not yet called); ``server_address[1]`` is the bound port."""
    server = ThreadingHTTPServer((host, port), _handler(wrapper, max_input_bytes))
    server.daemon_threads = True
    return server


def _parse(argv: Sequence[str]) -> Tuple[argparse.Namespace, List[str]]:
    args = list(argv)
    if "--" not in args:
        raise SystemExit("batch_migrate_runtime.wrap: give the command to run after --, e.g. --port 8080 --path /process -- python3 job.py Ref::input")
    split = args.index("--")
    parser = argparse.ArgumentParser(prog="python -m batch_migrate_runtime.wrap", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1: the queue worker runs in the same container; the wrapper checks no key")
    parser.add_argument("--max-concurrent", type=int, default=DEFAULT_MAX_CONCURRENT, metavar="N")
    parser.add_argument("--path", default="/process")
    parser.add_argument("--health-path", default="/health")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--timeout", type=int, metavar="SECONDS")
    parser.add_argument("--job-queue")
    parser.add_argument("--compute-environment")
    parser.add_argument("--output-file")
    parser.add_argument("--tail-bytes", type=int, default=DEFAULT_TAIL_BYTES)
    options = parser.parse_args(args[:split])
    command = args[split + 1 :]
    if not command:
        parser.error("the command after -- is empty")
    if options.max_concurrent < 1:
        parser.error("--max-concurrent must be an integer ≥ 1")
    for pair in options.param:
        if "=" not in pair or pair.startswith("="):
            parser.error(f"--param takes name=value, not {pair!r}")
    return options, command


def main(argv: Optional[Sequence[str]] = None) -> int:
    options, command = _parse(sys.argv[1:] if argv is None else argv)
    wrapper = Wrapper(
        command,
        path=options.path,
        health_path=options.health_path,
        parameters=dict(pair.split("=", 1) for pair in options.param),
        timeout_seconds=options.timeout,
        job_queue=options.job_queue,
        compute_environment=options.compute_environment,
        output_file=options.output_file,
        tail_bytes=options.tail_bytes,
        max_concurrent=options.max_concurrent,
    )
    server = serve(wrapper, options.host, options.port)
    if options.host not in ("127.0.0.1", "::1", "localhost"):
        print(f"wrap: listening on {options.host}: anyone who reaches this port runs the command (the wrapper checks no key)", file=sys.stderr, flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown, daemon=True).start())
    print(f"wrap: serving POST {wrapper.path} on port {server.server_address[1]}; running {' '.join(command)}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
