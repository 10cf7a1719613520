import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scanTree } from "../src/core/scan.js";
import { DEPLOY_TARGETS, writeDeployPlan, type DeployInput, type DeployPlan } from "../src/deploy/index.js";
import { gpuClassesFor } from "../src/deploy/salad.js";
import { checkContainerGroupPrototype, checkKelpieJob, checkQueuePrototype } from "../src/deploy/salad-constraints.js";
import { toSaladName } from "../src/deploy/render.js";
import { buildLinks } from "../src/link/index.js";
import { SCANNERS } from "../src/scanners/index.js";
import { parseExecutorConfig } from "../runtime/src/executor/config.js";
import { Registry } from "../runtime/src/shim/registry.js";

const REPO = path.resolve(import.meta.dirname, "..");
const PROJECTS: Record<string, string> = {
  "video-pipeline": path.join(REPO, "fixtures/projects/video-pipeline"),
  "edge-cases": path.join(REPO, "fixtures/deploy/projects/edge-cases"),
};
const GOLDEN = path.join(REPO, "fixtures/deploy/golden");

async function scan(root: string): Promise<DeployInput> {
  const result = await scanTree({ root, scanners: SCANNERS });
  return {
    inventory: result.inventory,
    findings: result.findings,
    links: buildLinks(result.findings, result.inventory),
  };
}

function filesUnder(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, encoding: "utf8" })
    .filter((entry) => statSync(path.join(folder, entry)).isFile())
    .map((entry) => entry.split(path.sep).join("/"))
    .sort();
}

const plans = new Map<string, DeployPlan>();
beforeAll(async () => {
  for (const [project, root] of Object.entries(PROJECTS)) {
    const input = await scan(root);
    for (const target of DEPLOY_TARGETS) plans.set(`${project}/${target.id}`, target.generate(input));
  }
});

describe.each(Object.keys(PROJECTS))("generated deployment files of %s", (project) => {
  it.each(DEPLOY_TARGETS.map((target) => target.id))("match the golden files for %s", async (target) => {
    const plan = plans.get(`${project}/${target}`)!;
    for (const file of plan.files) {
      await expect(file.content).toMatchFileSnapshot(path.join(GOLDEN, project, target, file.path));
    }
    expect(filesUnder(path.join(GOLDEN, project, target))).toEqual(plan.files.map((file) => file.path).sort());
  });
});

describe("every generated SaladCloud body honours the API's constraints", () => {
  const bodies = () =>
    [...plans.entries()]
      .filter(([key]) => key.endsWith("/salad"))
      .flatMap(([key, plan]) => plan.files.map((file) => ({ key, file })))
      .filter(({ file }) => file.path.endsWith(".json") && file.path.includes("/"));

  it("queues, container groups and Kelpie jobs", () => {
    const checked = bodies().map(({ key, file }) => {
      const body: unknown = JSON.parse(file.content);
      const check = file.path.endsWith("/queue.json")
        ? checkQueuePrototype
        : file.path.endsWith("/container-group.json")
          ? checkContainerGroupPrototype
          : checkKelpieJob;
      return { where: `${key}/${file.path}`, violations: check(body) };
    });
    expect(checked.length).toBeGreaterThanOrEqual(9);
    expect(checked.filter((entry) => entry.violations.length > 0)).toEqual([]);
  });

  it("every queue-connected group names its own queue, with port and path", () => {
    for (const { file } of bodies().filter(({ file }) => file.path.endsWith("/container-group.json"))) {
      const group = JSON.parse(file.content) as {
        name: string;
        queue_connection?: { queue_name: string; port: number; path: string };
      };
      if (!group.queue_connection) continue;
      expect(group.queue_connection).toEqual({ queue_name: group.name, port: 8080, path: "/process" });
    }
  });

  it("the checker itself refuses what the API refuses", () => {
    const valid = JSON.parse(
      plans.get("video-pipeline/salad")!.files.find((file) => file.path === "video-transcode/container-group.json")!
        .content,
    );
    expect(checkContainerGroupPrototype(valid)).toEqual([]);
    const broken = structuredClone(valid);
    broken.name = "Video_Transcode";
    broken.container.resources.cpu = 32;
    broken.container.resources.memory = 512;
    delete broken.queue_connection.path;
    broken.queue_autoscaler.max_replicas = 501;
    broken.startup_probe.failure_threshold = 60;
    expect(checkContainerGroupPrototype(broken)).toEqual([
      expect.stringContaining("name must match"),
      expect.stringContaining("container.resources.cpu must be an integer from 1 to 16"),
      expect.stringContaining("container.resources.memory must be an integer of at least 1024 MB"),
      "queue_connection.path is required (1–1024 characters)",
      expect.stringContaining("queue_autoscaler.max_replicas must be an integer from 1 to 500"),
      expect.stringContaining("startup_probe.failure_threshold must be an integer from 1 to 20"),
    ]);
    expect(checkQueuePrototype({ name: "-bad" })).toHaveLength(1);
    expect(
      checkKelpieJob({ command: "x", arguments: [], environment: {}, sync: { before: [{}], during: [], after: [] } }),
    ).toEqual([
      "container_group_id is required (the container group's UUID)",
      'sync.before entries need bucket, prefix, local_path and direction "download"',
    ]);
    const upload = { bucket: "b", prefix: "p/", local_path: "/out", direction: "download" };
    expect(
      checkKelpieJob({
        command: "x",
        arguments: [],
        environment: {},
        container_group_id: "0f8b1a52-1c9e-4d5b-9a3e-2b6f0c7d8e9f",
        sync: { before: [], during: [], after: [upload] },
      }),
    ).toEqual(['sync.after entries need bucket, prefix, local_path and direction "upload"']);
  });

  it("refuses empty environment values and shm_size under 64 MB, as the API does", () => {
    const group = {
      name: "ok-group",
      container: {
        image: "x",
        resources: { cpu: 1, memory: 1024, shm_size: 32 },
        environment_variables: { FILLED: "1", EMPTY: "" },
      },
      autostart_policy: false,
      restart_policy: "always",
      replicas: 1,
    };
    expect(checkContainerGroupPrototype(group)).toEqual([
      "container.resources.shm_size must be an integer from 64 to 1073741824, not 32",
      "container.environment_variables.EMPTY must be at least 1 character",
    ]);
  });
});

describe("what the generators decide", () => {
  it("picks GPU classes by memory need, cheapest first at the tier", () => {
    const classes = gpuClassesFor(24, "batch").map((gpu) => `${gpu.name} ${gpu.usdPerHour.batch}`);
    expect(classes).toEqual([
      "RTX 3090 (24 GB) 0.09",
      "RTX 5090 Laptop (24 GB) 0.1",
      "RTX 4090 (24 GB) 0.16",
      "RTX 5090 (32 GB) 0.25",
    ]);
    expect(gpuClassesFor(40, "batch")).toEqual([]);
  });

  it("derives names Salad accepts", () => {
    expect(["Tiny_ETL.v2", "9-lives", "a", "x".repeat(80), "--Ok--"].map(toSaladName)).toEqual([
      "tiny-etl-v2",
      "job-9-lives",
      "a-job",
      "x".repeat(63),
      "ok",
    ]);
  });

  it("places jobs whose queue reference cannot be read, and says so", () => {
    const readme = plans.get("video-pipeline/salad")!.files.find((file) => file.path === "README.md")!.content;
    expect(readme).toContain(
      "inferred: pipeline/submit.py:17 passes JOB_QUEUE, which the scan could not read; it needs a GPU and video-gpu-queue is the only queue backed by GPU instances",
    );
    expect(readme).toContain(
      "pipeline/submit.py:25 passes JOB_QUEUE, the same unreadable queue reference as video-transcode",
    );
  });

  it("sends long jobs to Kelpie and reports what cannot be honoured instead of changing it silently", () => {
    const plan = plans.get("edge-cases/salad")!;
    expect(plan.files.map((file) => file.path).filter((file) => file.startsWith("genome-align/"))).toEqual([
      "genome-align/Dockerfile",
      "genome-align/container-group.json",
      "genome-align/kelpie-job.json",
    ]);
    const gapsOf = (subject: string) =>
      plan.gaps.filter((gap) => gap.subject === subject).map((gap) => `${gap.property} → ${gap.generated}`);
    expect(gapsOf("genome-align")).toEqual(
      expect.arrayContaining([
        "vcpus → 16 vCPU",
        "gpus → 1 GPU",
        "gpus → no GPU class",
        "privileged → not generated",
        "volumes.references → not generated",
      ]),
    );
    expect(gapsOf("Tiny_ETL.v2")).toEqual(
      expect.arrayContaining([
        "vcpus → 1 vCPU",
        "memory → 1024 MB",
        "computeResources.maxvCpus → max_replicas 500",
        "computeResources.minvCpus → min_replicas 100",
      ]),
    );
    const secrets = plan.decisions.filter((decision) => decision.question.includes("LICENSE_KEY"));
    expect(secrets).toHaveLength(1);
    expect(plan.files.some((file) => file.content.includes("aligner-license") && file.path.endsWith(".json"))).toBe(
      false,
    );
  });

  it("gives Common Compute's `standard` tier only to the higher of queues sharing a compute environment", () => {
    const config = JSON.parse(
      plans.get("edge-cases/common-compute")!.files.find((file) => file.path === "migrate.config.json")!.content,
    );
    const tiers = Object.fromEntries(
      Object.entries(config.jobQueues as Record<string, { commonCompute: { priority: string } }>).map(
        ([name, queue]) => [name, queue.commonCompute.priority],
      ),
    );
    expect(tiers).toEqual({ etl: "batch", genomics: "batch", "render-bulk": "batch", "render-urgent": "standard" });
  });
});

describe("migrate.config.json is accepted by the executor and both shims", () => {
  const configs = () =>
    [...plans.entries()].map(([key, plan]) => ({
      key,
      text: plan.files.find((file) => file.path === "migrate.config.json")!.content,
    }));

  it("the executor's config parser and the TypeScript shim's registry", () => {
    for (const { key, text } of configs()) {
      const document = JSON.parse(text);
      const executor = parseExecutorConfig(document.executor ?? document);
      if (key.endsWith("/salad")) expect(Object.keys(executor.saladQueues ?? {}).length).toBeGreaterThan(0);
      const registry = Registry.fromConfig(document, "us-east-1", "123456789012");
      for (const name of Object.keys(document.jobDefinitions)) expect(registry.findJobDefinition(name)).toBeDefined();
    }
    const salad = Registry.fromConfig(
      JSON.parse(configs().find(({ key }) => key === "video-pipeline/salad")!.text),
      "us-east-1",
      "123456789012",
    );
    expect(salad.mappingFor("video-transcode", "salad")).toMatchObject({ queue: "video-transcode" });
    expect(salad.queueMappingFor("video-gpu-queue", "salad").queue).toBeUndefined();
  });

  it("the Python shim's registry", () => {
    const folder = mkdtempSync(path.join(tmpdir(), "deploy-config-"));
    try {
      const files = configs().map(({ key, text }, index) => {
        const file = path.join(folder, `${index}.json`);
        writeFileSync(file, text);
        return { key, file };
      });
      const script = [
        "import json, sys",
        "from batch_migrate_runtime.shim.registry import Registry",
        "for file in sys.argv[1:]:",
        "    config = json.load(open(file))",
        "    registry = Registry.from_config(config, region='us-east-1', account_id='123456789012')",
        "    print(json.dumps({name: registry.find_job_definition(name) is not None for name in config['jobDefinitions']}))",
      ].join("\n");
      const output = execFileSync("python3", ["-c", script, ...files.map((entry) => entry.file)], {
        cwd: path.join(REPO, "runtime/python"),
        encoding: "utf8",
      });
      const found = output
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, boolean>);
      expect(found).toHaveLength(files.length);
      for (const entry of found) expect(Object.values(entry).every(Boolean)).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("writing a plan", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), "deploy-write-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("writes under migration/<target>/, then refuses to overwrite anything without force", async () => {
    const plan = plans.get("video-pipeline/salad")!;
    const first = await writeDeployPlan(root, plan);
    expect(first.written).toContain("migration/salad/video-transcode/container-group.json");
    expect(statSync(path.join(root, "migration/salad/video-transcode/start.sh")).mode & 0o111).not.toBe(0);
    writeFileSync(path.join(root, "migration/salad/README.md"), "edited by hand\n");
    const second = await writeDeployPlan(root, plan);
    expect(second.written).toEqual([]);
    expect(second.kept).toHaveLength(plan.files.length);
    expect(readFileSync(path.join(root, "migration/salad/README.md"), "utf8")).toBe("edited by hand\n");
    const forced = await writeDeployPlan(root, plan, { force: true });
    expect(forced.written).toHaveLength(plan.files.length);
    expect(readFileSync(path.join(root, "migration/salad/README.md"), "utf8")).not.toBe("edited by hand\n");
  });
});
