// Scans every corpus repository with `migrate scan --format json` and either saves the reports (with each scan's peak
// RSS and wall time) or compares them with saved ones: byte-identical apart from `scannedAt`. Usage:
//   node --import tsx scripts/compare-scans.ts save <dir> [corpus-dir] [--jobs N]
//   node --import tsx scripts/compare-scans.ts compare <dir> [corpus-dir] [--jobs N]
// Exits 1 when a report differs (compare) or a scan fails. Reads the corpus only; writes only under <dir>.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";

const MIGRATE = path.resolve(import.meta.dirname, "../bin/migrate.cjs");

interface Scan {
  report: string;
  maxRssMb: number;
  seconds: number;
}

/** The report with its timestamp blanked: the one field that differs between two scans of the same tree. */
function normalize(json: string): string {
  return json.replace(/^( {2}"scannedAt": )"[^"]*"/m, '$1"-"');
}

function scan(repo: string, jobs: string | undefined): Scan {
  const started = performance.now();
  const args = ["-f", "%M", process.execPath, MIGRATE, "scan", ".", "--format", "json"];
  if (jobs) args.push("--jobs", jobs);
  const result = spawnSync("/usr/bin/time", args, { cwd: repo, encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`scan of ${repo} failed (${result.status}): ${result.stderr.slice(-800)}`);
  }
  const kb = Number(result.stderr.trim().split("\n").at(-1));
  return { report: normalize(result.stdout), maxRssMb: kb / 1024, seconds };
}

function main(): number {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { jobs: { type: "string" } },
  });
  const [mode, dir, corpusArg] = positionals;
  if ((mode !== "save" && mode !== "compare") || !dir) {
    console.error("usage: compare-scans.ts save|compare <dir> [corpus-dir] [--jobs N]");
    return 2;
  }
  const corpus = path.resolve(corpusArg ?? path.resolve(import.meta.dirname, "../../corpus"));
  const repos = readdirSync(corpus)
    .filter((name) => statSync(path.join(corpus, name)).isDirectory())
    .sort();
  mkdirSync(dir, { recursive: true });
  let differing = 0;
  let maxRss = 0;
  const rows: string[] = [];
  for (const name of repos) {
    const result = scan(path.join(corpus, name), values.jobs);
    maxRss = Math.max(maxRss, result.maxRssMb);
    const file = path.join(dir, `${name}.json`);
    let verdict = "saved";
    if (mode === "save") writeFileSync(file, result.report);
    else if (!existsSync(file)) verdict = "no saved report";
    else if (readFileSync(file, "utf8") === result.report) verdict = "identical";
    else {
      verdict = "DIFFERS";
      writeFileSync(path.join(dir, `${name}.new.json`), result.report);
    }
    if (verdict !== "identical" && verdict !== "saved") differing++;
    const row = `${name.padEnd(40)} ${result.maxRssMb.toFixed(0).padStart(5)} MB ${result.seconds.toFixed(2).padStart(6)} s  ${verdict}`;
    rows.push(row);
    console.log(row);
  }
  writeFileSync(path.join(dir, `rss-${mode}.txt`), `${rows.join("\n")}\n`);
  console.log(`${repos.length} repositories, peak RSS at most ${maxRss.toFixed(0)} MB, ${differing} differing`);
  return differing === 0 ? 0 : 1;
}

process.exitCode = main();
