// Times a full `migrate scan` against `rg -l -i batch` and ast-grep running one pattern, on the same trees, in
// one run. Usage:
//   npm run bench -- [corpus-dir] [--runs N] [--tree name]… [--jobs 1,2]
//   npm run bench -- <any-tree> [--runs N] [--jobs 1,2]             (a folder that is not the corpus: one row)
//   npm run bench -- [corpus-dir] --make-monorepo 3 [--jobs 1,2]    (N copies of every corpus repo, hard-linked)
//   … --baseline <other-checkout>/bin/migrate.cjs                   (also times another build, in the same rounds)
// `--jobs` lists thread counts to time `migrate scan --jobs N` with, one column each (default: the CLI's default).
// Needs ripgrep (`apt-get install ripgrep`); ast-grep comes from the dev dependency @ast-grep/cli.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

interface Tree {
  name: string;
  astGrepPattern: string;
  astGrepLanguage: string;
}

const TREES: Tree[] = [
  { name: "moto", astGrepPattern: "boto3.client($$$)", astGrepLanguage: "python" },
  { name: "cloud-custodian", astGrepPattern: "boto3.client($$$)", astGrepLanguage: "python" },
  { name: "prefect", astGrepPattern: "boto3.client($$$)", astGrepLanguage: "python" },
  { name: "metriport", astGrepPattern: "new $A.Batch($$$)", astGrepLanguage: "ts" },
];

/** What ast-grep runs on a tree that is not one of the above: the call every Python Batch user makes. */
const DEFAULT_TREE: Omit<Tree, "name"> = { astGrepPattern: "boto3.client($$$)", astGrepLanguage: "python" };

const PROJECT = path.resolve(import.meta.dirname, "..");
const AST_GREP = path.join(PROJECT, "node_modules/.bin/ast-grep");
const MIGRATE = path.join(PROJECT, "bin/migrate.cjs");

interface Timing {
  seconds: number;
  maxRssMb: number;
  /** User and system CPU time of the process and its threads: on a shared machine, steadier than the wall time. */
  cpuSeconds: number;
}

/**
 * Runs a command under /usr/bin/time for its peak RSS; the wall time is taken here, to the millisecond (time's own
 * is to the hundredth of a second, too coarse for a 0.5x target on 0.3 s runs).
 */
function timeCommand(command: string[], cwd: string): Timing {
  const started = performance.now();
  const result = spawnSync("/usr/bin/time", ["-f", "%M %U %S", ...command], {
    cwd,
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - started) / 1000;
  const [kb, user, system] = result.stderr.trim().split("\n").at(-1)!.split(" ").map(Number) as [
    number,
    number,
    number,
  ];
  if (result.status !== 0 && result.status !== 1 && result.status !== 3) {
    throw new Error(`${command.join(" ")} failed (${result.status}): ${result.stderr.slice(0, 500)}`);
  }
  return { seconds, maxRssMb: kb / 1024, cpuSeconds: user + system };
}

const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measured {
  first: Timing;
  median: number;
  medianRssMb: number;
  maxRssMb: number;
  medianCpuSeconds: number;
  /** Each run's time, in the order taken. */
  runs: number[];
}

/** Runs the commands in turn, round after round, so that a machine slowing down or speeding up weighs on all alike. */
function measure(commands: string[][], cwd: string, runs: number): Measured[] {
  const timings = commands.map((): Timing[] => []);
  for (let run = 0; run < runs; run++) commands.forEach((command, i) => timings[i]!.push(timeCommand(command, cwd)));
  return timings.map((list) => ({
    first: list[0]!,
    median: median(list.map((t) => t.seconds)),
    medianRssMb: median(list.map((t) => t.maxRssMb)),
    maxRssMb: Math.max(...list.map((t) => t.maxRssMb)),
    medianCpuSeconds: median(list.map((t) => t.cpuSeconds)),
    runs: list.map((t) => t.seconds),
  }));
}

/**
 * The median over runs of one command's time over another's, each pair taken in the same round: on a shared
 * machine whose load drifts, steadier than the ratio of the two medians.
 */
function ratio(of: Measured, to: Measured): number {
  return median(of.runs.map((seconds, i) => seconds / to.runs[i]!));
}

/**
 * Builds `copies` copies of every repository of the corpus side by side (`copy-1/moto`, `copy-2/moto`, …) with hard
 * links (`cp -al`): a monorepo of real code that costs no disk and that anyone with the corpus can rebuild. Kept
 * between runs; rebuilt when absent.
 */
function makeMonorepo(corpus: string, copies: number): string {
  const tree = path.join(tmpdir(), `batch-migrate-monorepo-${copies}`);
  if (existsSync(tree)) return tree;
  const building = `${tree}.building`;
  rmSync(building, { recursive: true, force: true });
  const repos = readdirSync(corpus, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  if (repos.length === 0) throw new Error(`no repositories in ${corpus}`);
  for (let copy = 1; copy <= copies; copy++) {
    const into = path.join(building, `copy-${copy}`);
    mkdirSync(into, { recursive: true });
    const made = spawnSync("cp", ["-al", ...repos.map((repo) => path.join(corpus, repo.name)), into]);
    if (made.status !== 0) throw new Error(`cp -al failed: ${made.stderr}`);
  }
  renameSync(building, tree);
  return tree;
}

function countFiles(dir: string): number {
  const found = spawnSync("find", [dir, "-type", "f", "-not", "-path", "*/.git/*"], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
  });
  return found.stdout.split("\n").filter(Boolean).length;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: "string", default: "5" },
      tree: { type: "string", multiple: true },
      jobs: { type: "string" },
      "make-monorepo": { type: "string" },
      baseline: { type: "string" },
    },
  });
  const given = path.resolve(positionals[0] ?? path.join(PROJECT, "../corpus"));
  const runs = Number(values.runs);
  if (!existsSync("/usr/bin/time")) throw new Error("needs /usr/bin/time (apt-get install time)");
  if (spawnSync("rg", ["--version"]).status !== 0) throw new Error("needs ripgrep (apt-get install ripgrep)");
  if (!existsSync(path.join(PROJECT, "dist/migrate.cjs"))) throw new Error("build first: npm run build");
  const jobs = values.jobs ? values.jobs.split(",").map((n) => Number(n)) : [undefined];
  if (jobs.some((n) => n !== undefined && !(Number.isInteger(n) && n >= 1)))
    throw new Error("--jobs takes thread counts: --jobs 1,2");

  let trees: Array<Tree & { dir: string }>;
  if (values["make-monorepo"] !== undefined) {
    const copies = Number(values["make-monorepo"]);
    if (!(Number.isInteger(copies) && copies >= 1)) throw new Error("--make-monorepo takes a number of copies");
    const dir = makeMonorepo(given, copies);
    trees = [{ name: `${copies}× corpus, ${countFiles(dir).toLocaleString("en")} files`, dir, ...DEFAULT_TREE }];
  } else if (TREES.some((tree) => existsSync(path.join(given, tree.name)))) {
    trees = TREES.filter((tree) => !values.tree || values.tree.includes(tree.name))
      .map((tree) => ({ ...tree, dir: path.join(given, tree.name) }))
      .filter((tree) => existsSync(tree.dir));
  } else {
    trees = [{ name: path.basename(given), dir: given, ...DEFAULT_TREE }];
  }

  const load = () =>
    loadavg()
      .map((n) => n.toFixed(1))
      .join(", ");
  const loadBefore = load();
  const builds = [{ label: "", bin: MIGRATE }];
  if (values.baseline) {
    const bin = path.resolve(values.baseline);
    if (!existsSync(bin)) throw new Error(`--baseline: no ${bin}`);
    builds.unshift({ label: "baseline ", bin });
  }
  const variants = builds.flatMap((build) => jobs.map((n) => ({ ...build, n })));
  const rows: string[] = [];
  for (const tree of trees) {
    const scans = variants.map(({ bin, n }) => [
      "node",
      bin,
      "scan",
      ".",
      "--format",
      "json",
      "-o",
      "/dev/null",
      ...(n === undefined ? [] : ["--jobs", String(n)]),
    ]);
    const [rg, astGrep, ...scanned] = measure(
      [
        ["rg", "-l", "-i", "batch", "."],
        [AST_GREP, "run", "-p", tree.astGrepPattern, "-l", tree.astGrepLanguage, "."],
        ...scans,
      ],
      tree.dir,
      runs,
    ) as [Measured, Measured, ...Measured[]];
    const cells = scanned.map(
      (scan) =>
        `${ms(scan.median)} (first ${ms(scan.first.seconds)}, CPU ${ms(scan.medianCpuSeconds)}) | ${ratio(scan, astGrep).toFixed(2)}× | ${ratio(scan, rg).toFixed(1)}× | ${scan.medianRssMb.toFixed(0)} MB (max ${scan.maxRssMb.toFixed(0)})`,
    );
    const cpu = (of: Measured) => `CPU ${ms(of.medianCpuSeconds)}`;
    rows.push(
      `| ${tree.name} | ${ms(rg.median)} (${cpu(rg)}) | ${ms(astGrep.median)} (${cpu(astGrep)}) | ${cells.join(" | ")} |`,
    );
  }
  console.log(`Median of ${runs} runs each, taken in turn, this machine, warm cache; ratios are the median of each`);
  console.log(`round's ratio. Load average (1, 5, 15 min) before: ${loadBefore}; after: ${load()}.\n`);
  if (values.baseline) console.log(`baseline: ${path.resolve(values.baseline)}\n`);
  const heads = variants.map(({ label: build, n }) => {
    const label = `${build}${n === undefined ? "migrate scan" : `scan --jobs ${n}`}`;
    return `${label} | ${label} / ast-grep | ${label} / rg | peak RSS, median`;
  });
  console.log(`| tree | rg -l -i batch | ast-grep (1 pattern) | ${heads.join(" | ")} |`);
  console.log(`|---|---|---|${heads.map(() => "---|---|---|---|").join("")}`);
  for (const row of rows) console.log(row);
}

main();
