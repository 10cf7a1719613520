// Feeds every scanner malformed input, seeded and repeatable, and reports crashes, hangs and the slowest file.
// Usage: npm run fuzz -- [--inputs 10000] [--seed 1] [--budget-ms 120000 (per batch)] [--scanner python]… [--big]
// Each batch is scanned in a worker thread with a time budget (so a hang is caught and counted), then each file alone.
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";

const PROJECT = path.resolve(import.meta.dirname, "..");
const SEED_DIRS = ["fixtures/scanners", "fixtures/projects"];
const SEED_EXTENSIONS = /\.(py|ipynb|[cm]?[jt]sx?|tf|hcl|ya?ml|json)$/;

/** mulberry32: small, fast and good enough to make every run repeatable from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SeedFile {
  name: string;
  bytes: Buffer;
}

function collectSeeds(): SeedFile[] {
  const seeds: SeedFile[] = [];
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) visit(full);
      else if (SEED_EXTENSIONS.test(entry) && !entry.endsWith(".findings.json"))
        seeds.push({ name: entry, bytes: readFileSync(full) });
    }
  };
  for (const dir of SEED_DIRS) visit(path.join(PROJECT, dir));
  return seeds.sort((a, b) => (a.name < b.name ? -1 : 1));
}

type Mutation = (bytes: Buffer, next: () => number) => Buffer;

const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)]!;
const spot = (bytes: Buffer, next: () => number) => Math.floor(next() * (bytes.length + 1));

const MUTATIONS: Record<string, Mutation> = {
  truncate: (bytes, next) => bytes.subarray(0, spot(bytes, next)),
  deleteRange: (bytes, next) => {
    const at = spot(bytes, next);
    return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + Math.floor(next() * 200))]);
  },
  duplicateRange: (bytes, next) => {
    const at = spot(bytes, next);
    const piece = bytes.subarray(at, at + Math.floor(next() * 400));
    return Buffer.concat([bytes.subarray(0, at), piece, piece, bytes.subarray(at)]);
  },
  flipBytes: (bytes, next) => {
    const copy = Buffer.from(bytes);
    for (let i = 0; i < 1 + next() * 20 && copy.length > 0; i++)
      copy[Math.floor(next() * copy.length)] = Math.floor(next() * 256);
    return copy;
  },
  insertTokens: (bytes, next) => {
    const tokens = [
      "(",
      ")",
      "{",
      "}",
      "[",
      "]",
      '"',
      "'",
      "`",
      "${",
      "\\",
      "!Ref ",
      ": ",
      "\t",
      "\r\n",
      "\u0000",
      "\uFEFF",
      "é",
      "🙂",
      "<<EOF\n",
      "*/",
      "/*",
      "#",
      "//",
      "\u2028",
    ];
    const at = spot(bytes, next);
    const insert = Array.from({ length: 1 + Math.floor(next() * 8) }, () => pick(tokens, next)).join("");
    return Buffer.concat([bytes.subarray(0, at), Buffer.from(insert), bytes.subarray(at)]);
  },
  invalidUtf8: (bytes, next) => {
    const at = spot(bytes, next);
    return Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), bytes.subarray(at)]);
  },
  spliceTwoSeeds: (bytes, next) =>
    Buffer.concat([bytes.subarray(0, spot(bytes, next)), bytes.subarray(spot(bytes, next))]),
};

/**
 * Inputs that once took a scanner quadratic time or worse, or killed its parser (test/attacks/ pins each at 1 MB),
 * by extension; each repeats its unit to a random size up to 100 KB.
 */
const PATHOLOGICAL: Record<string, ((size: number) => string)[]> = {
  ".py": [
    (size) => "batch" + "aws".repeat(size / 3),
    (size) => "batch def " + "client".repeat(size / 6),
    (size) => `import boto3\nc = boto3.client("batch")  migrate-ignore${"#".repeat(size)}\n`,
    (size) => `batch = 1\n${"\n".repeat(size)}print x\n(`,
  ],
  ".ipynb": [
    (size) =>
      JSON.stringify({
        cells: [
          {
            cell_type: "code",
            source: [
              "import boto3\n",
              'b = boto3.client("batch")\n',
              ...Array.from({ length: size / 12 }, (_, i) => `x${i} = "\u00e9"\n`),
            ],
          },
        ],
      }),
  ],
  ".yaml": [
    (size) =>
      "Resources:\n  M:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      L:\n" +
      "        - arn:aws:states:::batch:submitJob\n".repeat(size / 40),
    (size) => "---\nResource: arn:aws:states:::batch:submitJob\n".repeat(size / 45),
  ],
  ".json": [
    (size) =>
      JSON.stringify({
        resource: {
          aws_batch_job_queue: Object.fromEntries(
            Array.from({ length: size / 40 }, (_, i) => [`q${i}`, { name: `q${i}` }]),
          ),
        },
      }),
  ],
  ".tf": [
    (size) => {
      let template = '"x"';
      for (let i = 0; i < size / 5; i++) template = `"\${${template}}"`;
      return `resource "aws_batch_job_queue" "q" {\n  name = ${template}\n}\n`;
    },
    (size) => `resource "aws_batch_job_queue" "q" {\n  state = ${"!".repeat(size)}true\n}\n`,
    (size) => `resource "aws_batch_job_queue" "q" {\n  priority = ${"- ".repeat(size / 2)}1\n}\n`,
    (size) => `resource "aws_batch_job_queue" "q" {\n  name = "${'${"'.repeat(size / 3)}"\n}\n`,
  ],
  ".ts": [(size) => "batch boto3 " + "client".repeat(size / 6), (size) => "batch " + "export {".repeat(size / 8)],
};

/** Inputs no mutation of a real file reaches: deep nesting, long lines, binary, and the pathological ones above. */
function generated(ext: string, next: () => number): Buffer {
  const pathological = PATHOLOGICAL[ext];
  if (pathological && next() < 0.5) return Buffer.from(pick(pathological, next)(Math.floor(1000 + next() * 100_000)));
  const depth = 500 + Math.floor(next() * 20000);
  switch (ext) {
    case ".json":
      return Buffer.from(`{"containerProperties": ${"[".repeat(depth)}${"]".repeat(depth)}, "type": "container"}`);
    case ".py":
      return Buffer.from(
        `import boto3\nc = boto3.client("batch")\nc.submit_job(jobName=${"(".repeat(depth)}1${")".repeat(depth)})\n`,
      );
    case ".yaml":
      return Buffer.from(
        `Resources:\n  Q:\n    Type: AWS::Batch::JobQueue\n    Properties: ${"[".repeat(depth)}${"]".repeat(depth)}\n`,
      );
    case ".tf":
      return Buffer.from(
        `resource "aws_batch_job_queue" "q" {\n${'dynamic "x" {\n'.repeat(depth / 10)}${"}\n".repeat(depth / 10)}}\n`,
      );
    case ".ts":
      return Buffer.from(
        `import { BatchClient } from "@aws-sdk/client-batch";\nconst x = ${"[".repeat(depth)}${"]".repeat(depth)};\n`,
      );
    default:
      return Buffer.from(Array.from({ length: 4096 }, () => Math.floor(next() * 256)));
  }
}

// Workers do not inherit tsx's loader on Node 20, so the worker registers it before loading its module.
const WORKER_BOOTSTRAP = `
import("tsx/esm/api").then(({ register }) => {
  register();
  return import(${JSON.stringify(new URL("./fuzz-worker.ts", import.meta.url).href)});
});
`;

interface Outcome {
  ms: number;
  slowest?: { ms: number; file: string };
  crashed?: string;
  findings: number;
  parseErrors: number;
  skipped: number;
}

function scanInWorker(dir: string, budgetMs: number, scanners: string[] | undefined): Promise<Outcome | "hang"> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { dir, scanners } });
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve("hang");
    }, budgetMs);
    worker.once("message", (outcome: Outcome) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(outcome);
    });
    worker.once("error", (error) => {
      clearTimeout(timer);
      resolve({ ms: 0, crashed: String(error?.stack ?? error), findings: 0, parseErrors: 0, skipped: 0 });
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      inputs: { type: "string", default: "10000" },
      seed: { type: "string", default: "1" },
      "budget-ms": { type: "string", default: "120000" },
      "per-batch": { type: "string", default: "250" },
      big: { type: "boolean", default: false },
      scanner: { type: "string", multiple: true },
    },
  });
  const total = Number(values.inputs);
  const perBatch = Number(values["per-batch"]);
  const budgetMs = Number(values["budget-ms"]);
  const next = random(Number(values.seed));
  const seeds = collectSeeds();
  const mutations = Object.entries(MUTATIONS);
  const root = mkdtempSync(path.join(tmpdir(), "migrate-fuzz-"));
  let made = 0;
  let crashes = 0;
  let hangs = 0;
  let parseErrors = 0;
  let skipped = 0;
  let slowest = { ms: 0, batch: -1 };
  let slowestFile = { ms: 0, file: "" };
  const started = performance.now();
  for (let batch = 0; made < total; batch++) {
    const dir = path.join(root, `batch-${batch}`);
    mkdirSync(dir, { recursive: true });
    const count = Math.min(perBatch, total - made);
    for (let i = 0; i < count; i++, made++) {
      const seed = pick(seeds, next);
      const ext = path.extname(seed.name) || ".txt";
      const useGenerated = next() < 0.05;
      const [name, mutate] = pick(mutations, next);
      let bytes = useGenerated ? generated(ext, next) : mutate(seed.bytes, next);
      if (name === "spliceTwoSeeds") bytes = Buffer.concat([bytes, pick(seeds, next).bytes]);
      writeFileSync(path.join(dir, `input-${made}-${useGenerated ? "generated" : name}${ext}`), bytes);
    }
    if (batch === 0) {
      mkdirSync(path.join(dir, "loop"));
      symlinkSync("..", path.join(dir, "loop", "parent"));
      symlinkSync(path.join(dir, "loop"), path.join(dir, "loop", "self"));
      if (values.big) writeFileSync(path.join(dir, "huge.json"), Buffer.alloc(50 * 1024 * 1024, "[1,"));
    }
    const outcome = await scanInWorker(dir, budgetMs, values.scanner);
    if (outcome === "hang") {
      hangs++;
      console.log(`HANG batch ${batch} (${dir}) over ${budgetMs} ms`);
      continue;
    }
    if (outcome.crashed) {
      crashes++;
      console.log(`CRASH batch ${batch} (${dir}): ${outcome.crashed.slice(0, 800)}`);
      continue;
    }
    parseErrors += outcome.parseErrors;
    skipped += outcome.skipped;
    if (outcome.ms > slowest.ms) slowest = { ms: outcome.ms, batch };
    if (outcome.slowest && outcome.slowest.ms > slowestFile.ms) slowestFile = outcome.slowest;
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `${made} inputs in ${Math.ceil(made / perBatch)} scans (seed ${values.seed}): ${crashes} crashes, ${hangs} hangs, ` +
      `${parseErrors} parse-error findings, ${skipped} skipped files, slowest scan ${slowest.ms.toFixed(0)} ms ` +
      `(batch ${slowest.batch}), slowest single file ${slowestFile.ms.toFixed(0)} ms (${slowestFile.file}), ` +
      `${((performance.now() - started) / 1000).toFixed(1)} s in all`,
  );
  if (crashes === 0 && hangs === 0) rmSync(root, { recursive: true, force: true });
  process.exitCode = crashes + hangs > 0 ? 1 : 0;
}

await main();
