// Batch clients made in a helper module: the shim transform changes the helper's boto3 import for the sites that
// use it, lists sites whose factory is outside the repository, and leaves a factory on boto3 when a file it serves
// calls an operation the shim does not serve. Given one file, apply resolves against the whole tree all the same.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runApply } from "../src/apply/runner.js";
import { TRANSFORMS } from "../transforms/index.js";

let root: string;

function tree(files: Record<string, string>): string {
  root = mkdtempSync(path.join(os.tmpdir(), "apply-origins-"));
  for (const [relPath, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, relPath)), { recursive: true });
    writeFileSync(path.join(root, relPath), text);
  }
  return root;
}

afterEach(() => rmSync(root, { recursive: true, force: true }));

const HELPER = `def get_client(service, **options):
    import boto3

    return boto3.session.Session().client(service, **options)
`;

const shim = () => TRANSFORMS.filter((t) => t.to === "shim");

describe("clients made in another module", () => {
  it("resolves against the whole tree when given one file, and lists a site whose client is made outside it", async () => {
    const files = {
      "src/app/aws.py": HELPER,
      "src/app/jobs/runner.py": `from ..aws import get_client


def run(name):
    batch = get_client("batch")
    return batch.submit_job(jobName=name, jobQueue="q", jobDefinition="d")["jobId"]
`,
    };
    const only = (relPath: string) =>
      runApply({
        root: tree(files),
        paths: [path.join(root, relPath)],
        transforms: shim(),
        target: "common-compute",
        write: false,
        allowDirty: true,
      });
    const site = await only("src/app/jobs/runner.py");
    expect(site.files.map((f) => f.path)).toEqual(["src/app/jobs/runner.py"]);
    expect(site.files[0]!.clientsFrom).toBeUndefined();
    expect(site.files[0]!.manual).toEqual([
      {
        line: 5,
        why: "its Batch client is made by get_client (src/app/aws.py), in src/app/aws.py, which this run does not rewrite: apply that file too (or the whole repository) to move the client",
      },
    ]);
    rmSync(root, { recursive: true, force: true });
    // The helper alone moves, as it does in a run over the tree: its user elsewhere is what it is moved for.
    const helper = await only("src/app/aws.py");
    expect(helper.files.map((f) => [f.path, f.status])).toEqual([["src/app/aws.py", "changed"]]);
  });

  it("moves the helper module to the shim and says which sites it serves", async () => {
    const result = await runApply({
      root: tree({
        "src/app/aws.py": HELPER,
        "src/app/jobs/runner.py": `from ..aws import get_client


class Runner:
    def __init__(self):
        self.batch = get_client("batch")

    def run(self, name):
        return self.batch.submit_job(jobName=name, jobQueue="q", jobDefinition="d")["jobId"]
`,
      }),
      transforms: shim(),
      target: "common-compute",
      write: false,
      allowDirty: true,
    });
    const helper = result.files.find((f) => f.path === "src/app/aws.py")!;
    expect(helper.status).toBe("changed");
    expect(helper.diff).toContain("+    from batch_migrate_runtime import boto3");
    const runner = result.files.find((f) => f.path === "src/app/jobs/runner.py")!;
    expect(runner.status).toBe("unchanged");
    expect(runner.clientsFrom).toEqual([
      { line: 6, origin: { path: "src/app/aws.py", line: 1, chain: ["get_client (src/app/aws.py)"] } },
    ]);
  });

  it("lists a site whose factory lives outside the repository, with the module it comes from", async () => {
    const result = await runApply({
      root: tree({
        "plugins/batch_queue.py": `from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule


def main():
    module = AnsibleAWSModule(argument_spec={})
    client = module.client("batch")
    client.describe_job_queues(jobQueues=["q"])
`,
      }),
      transforms: shim(),
      target: "common-compute",
      write: false,
      allowDirty: true,
    });
    const file = result.files.find((f) => f.path === "plugins/batch_queue.py")!;
    expect(file.status).toBe("unchanged");
    expect(file.manual).toHaveLength(1);
    expect(file.manual[0]!.line).toBe(6);
    expect(file.manual[0]!.why).toContain(
      "made by `AnsibleAWSModule` from `ansible_collections.amazon.aws.plugins.module_utils.modules`, outside this repository",
    );
  });

  it("keeps the factory on boto3 when a file it serves calls an operation the shim does not serve", async () => {
    const result = await runApply({
      root: tree({
        "lib/aws.py": HELPER,
        "lib/setup_queue.py": `from lib.aws import get_client

batch = get_client("batch")
batch.create_job_queue(jobQueueName="q", priority=1, computeEnvironmentOrder=[])
`,
        "lib/submit.py": `from lib.aws import get_client

get_client("batch").submit_job(jobName="n", jobQueue="q", jobDefinition="d")
`,
      }),
      transforms: shim(),
      target: "common-compute",
      write: false,
      allowDirty: true,
    });
    expect(result.files.find((f) => f.path === "lib/aws.py")?.status ?? "unchanged").toBe("unchanged");
    const submit = result.files.find((f) => f.path === "lib/submit.py")!;
    expect(submit.manual.map((m) => m.why).join("\n")).toMatch(
      /made by get_client \(lib\/aws\.py\), which stays on real boto3 because lib\/setup_queue\.py also calls operations the shim does not serve/,
    );
    const setup = result.files.find((f) => f.path === "lib/setup_queue.py")!;
    expect(setup.manual.some((m) => m.why.startsWith("create_job_queue() (CreateJobQueue) is not served"))).toBe(true);
  });
});
