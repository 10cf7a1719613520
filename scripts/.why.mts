import { main } from "/work/wt/i19/src/cli.ts";
import { readFileSync } from "node:fs";
const repos = process.argv.slice(2);
for (const repo of repos) {
  const out = `/tmp/i19/${repo}.json`;
  const sink = { write: () => true } as any;
  await main(["report", `/work/corpus/${repo}`, "--format", "json", "-o", out], {
    stdout: sink,
    stderr: sink,
    cwd: "/tmp",
    env: process.env,
  });
  const r = JSON.parse(readFileSync(out, "utf8"));
  for (const d of r.inventory.jobDefinitions) {
    if (d.properties.superseded) continue;
    const lines = r.cost.lines.filter(
      (l: any) => l.subject === d.id && l.platform === "aws" && l.scenario === "per-run",
    );
    const w = r.workloads.find((w: any) => w.id === d.id);
    console.log(
      `${repo} | ${d.name} | ${d.properties.vcpus}/${d.properties.memoryMiB}/${d.properties.gpus ?? 0} ${d.properties.platform ?? ""} | q=${w?.queue} ce=${w?.computeEnvironment} | ${lines.map((l: any) => (l.cost !== null ? "$" + l.cost.toFixed(4) : "NO: " + l.noPrice)).join("; ")} | basis=${w?.computeEnvironmentBasis}`,
    );
  }
}
