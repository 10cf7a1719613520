// `node --import tsx bench/apply.bench.ts`: migrate apply over a generated tree with 1,000 Batch call sites (target ≤ 5 s).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { runApply } from "../src/apply/runner.js";
import { TRANSFORMS } from "../transforms/index.js";

const FILES_PER_LANGUAGE = 250;
const CALLS_PER_FILE = 2;

function pythonModule(i: number): string {
  return `import boto3\n\nbatch = boto3.client("batch")\n\n\ndef submit_${i}(name):\n    job = batch.submit_job(jobName=name, jobQueue="gpu-queue", jobDefinition="render")\n    return job["jobId"]\n\n\ndef stop_${i}(job_id):\n    batch.cancel_job(jobId=job_id, reason="stop")\n`;
}

function typescriptModule(i: number): string {
  return `import { BatchClient, SubmitJobCommand, CancelJobCommand } from "@aws-sdk/client-batch";\n\nconst batch = new BatchClient({});\n\nexport async function submit${i}(name: string) {\n  const response = await batch.send(new SubmitJobCommand({ jobName: name, jobQueue: "gpu-queue", jobDefinition: "render" }));\n  return response.jobId;\n}\n\nexport async function stop${i}(jobId: string) {\n  await batch.send(new CancelJobCommand({ jobId, reason: "stop" }));\n}\n`;
}

const root = mkdtempSync(path.join(tmpdir(), "migrate-apply-bench-"));
try {
  mkdirSync(path.join(root, "py"));
  mkdirSync(path.join(root, "ts"));
  for (let i = 0; i < FILES_PER_LANGUAGE; i++) {
    writeFileSync(path.join(root, "py", `service_${i}.py`), pythonModule(i));
    writeFileSync(path.join(root, "ts", `service${i}.ts`), typescriptModule(i));
  }
  writeFileSync(
    path.join(root, "migrate.config.json"),
    JSON.stringify({
      jobQueues: { "gpu-queue": { commonCompute: { priority: "standard" } } },
      jobDefinitions: { render: { commonCompute: { workload: "vt_transcode" } } },
    }),
  );
  const sites = FILES_PER_LANGUAGE * CALLS_PER_FILE * 2;
  for (const to of ["shim", "native"] as const) {
    const started = performance.now();
    const result = await runApply({
      root,
      transforms: TRANSFORMS.filter((t) => t.to === to),
      target: "common-compute",
      write: false,
      allowDirty: true,
    });
    const elapsed = performance.now() - started;
    const changed = result.files.filter((f) => f.status === "changed").length;
    const failed = result.files.filter((f) => f.status === "failed").length;
    console.log(
      `apply --to ${to}: ${sites} call sites in ${FILES_PER_LANGUAGE * 2} files, ${changed} changed, ${failed} failed: ${(elapsed / 1000).toFixed(2)} s (target ≤ 5 s)`,
    );
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
