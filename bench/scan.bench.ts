// Times a full `migrate scan` against `rg -l -i batch` and ast-grep running one pattern, on the same trees, in
// one run. Usage: npm run bench -- [corpus-dir] [--runs N] [--tree name]…
// Needs ripgrep (`apt-get install ripgrep`); ast-grep comes from the dev dependency @ast-grep/cli.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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

const PROJECT = path.resolve(import.meta.dirname, "..");
const AST_GREP = path.join(PROJECT, "node_modules/.bin/ast-grep");
const MIGRATE = path.join(PROJECT, "bin/migrate.cjs");

interface Timing {
  seconds: number;
  maxRssMb: number;
}

/**
 * Runs a command under /usr/bin/time for its peak RSS; the wall time is taken here, to the millisecond (time's own
 * is to the hundredth of a second, too coarse for a 0.5x target on 0.3 s runs).
 */
function timeCommand(command: string[], cwd: string): Timing {
  const started = performance.now();
  const result = spawnSync("/usr/bin/time", ["-f", "%M", ...command], { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = (performance.now() - started) / 1000;
  const kb = Number(result.stderr.trim().split("\n").at(-1));
  if (result.status !== 0 && result.status !== 1 && result.status !== 3) {
    throw new Error(`${command.join(" ")} failed (${result.status}): ${result.stderr.slice(0, 500)}`);
  }
  return { seconds, maxRssMb: kb / 1024 };
}

const ms = (seconds: number) => `${(seconds * 1000).toFixed(0)} ms`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measured {
  first: Timing;
  median: number;
  maxRssMb: number;
}

/** Runs the commands in turn, round after round, so that a machine slowing down or speeding up weighs on all alike. */
function measure(commands: string[][], cwd: string, runs: number): Measured[] {
  const timings = commands.map((): Timing[] => []);
  for (let run = 0; run < runs; run++) commands.forEach((command, i) => timings[i]!.push(timeCommand(command, cwd)));
  return timings.map((list) => ({
    first: list[0]!,
    median: median(list.map((t) => t.seconds)),
    maxRssMb: Math.max(...list.map((t) => t.maxRssMb)),
  }));
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: "string", default: "5" }, tree: { type: "string", multiple: true } },
  });
  const corpus = path.resolve(positionals[0] ?? path.join(PROJECT, "../corpus"));
  const runs = Number(values.runs);
  if (!existsSync("/usr/bin/time")) throw new Error("needs /usr/bin/time (apt-get install time)");
  if (spawnSync("rg", ["--version"]).status !== 0) throw new Error("needs ripgrep (apt-get install ripgrep)");
  if (!existsSync(path.join(PROJECT, "dist/migrate.cjs"))) throw new Error("build first: npm run build");
  const rows: string[] = [];
  for (const tree of TREES) {
    if (values.tree && !values.tree.includes(tree.name)) continue;
    const dir = path.join(corpus, tree.name);
    if (!existsSync(dir)) continue;
    const [rg, astGrep, scan] = measure(
      [
        ["rg", "-l", "-i", "batch", "."],
        [AST_GREP, "run", "-p", tree.astGrepPattern, "-l", tree.astGrepLanguage, "."],
        ["node", MIGRATE, "scan", ".", "--format", "json", "-o", "/dev/null"],
      ],
      dir,
      runs,
    ) as [Measured, Measured, Measured];
    rows.push(
      `| ${tree.name} | ${ms(rg.median)} | ${ms(astGrep.median)} | ${ms(scan.median)} (first ${ms(scan.first.seconds)}) | ${(scan.median / astGrep.median).toFixed(2)}× | ${(scan.median / rg.median).toFixed(1)}× | ${scan.maxRssMb.toFixed(0)} MB |`,
    );
  }
  console.log(`Median of ${runs} runs each, taken in turn, this machine, warm cache.\n`);
  console.log(
    "| tree | rg -l -i batch | ast-grep (1 pattern) | migrate scan | scan / ast-grep | scan / rg | scan peak RSS |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
}

main();
