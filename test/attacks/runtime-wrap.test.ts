// A queue job's input against `batch-migrate-runtime wrap` (loopback only): whatever the input says, only the
// wrapped command runs, no program-choosing variable gets through, it listens on 127.0.0.1, one job at a time.
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseWrapArguments, startWrapper, type RunReport, type RunningWrapper } from "../../runtime/src/wrap/index.js";

const NODE = process.execPath;
const opened: RunningWrapper[] = [];
afterEach(async () => {
  for (const wrapper of opened.splice(0)) await wrapper.close();
});

function sentinelFolder(): string {
  return mkdtempSync(path.join(tmpdir(), "wrap-attack-sentinel-"));
}

async function post(wrapper: RunningWrapper, body: unknown): Promise<{ status: number; report: RunReport }> {
  const response = await fetch(`${wrapper.url}/process`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, report: (await response.json()) as RunReport };
}

describe("wrap under hostile job input", () => {
  it("never runs the input's command, nor lets its environment choose the program", async () => {
    const sentinel = sentinelFolder();
    const preload = path.join(sentinel, "..", `${path.basename(sentinel)}-preload.cjs`);
    writeFileSync(
      preload,
      `require("node:fs").writeFileSync(${JSON.stringify(path.join(sentinel, "node-options"))}, "ran");`,
    );
    const options = parseWrapArguments(
      ["--port", "0", "--", NODE, "-e", "console.log('wrapped', process.argv[1])", "Ref::name"],
      (message) => new Error(message),
    );
    if (options === "help") throw new Error("unexpected help");
    const wrapper = await startWrapper({ ...options, passThrough: null });
    opened.push(wrapper);
    // The default address is loopback: the queue worker runs in the same container.
    expect(new URL(wrapper.url).hostname).toBe("127.0.0.1");

    const attacks: unknown[] = [
      { command: ["sh", "-c", `id -u > ${path.join(sentinel, "command")}`] },
      {
        parameters: { name: "x" },
        command: [NODE, "-e", `require("fs").writeFileSync(${JSON.stringify(path.join(sentinel, "argv"))}, "")`],
      },
      { environment: { NODE_OPTIONS: `--require ${preload}` } },
      {
        environment: [
          { name: "LD_PRELOAD", value: path.join(sentinel, "evil.so") },
          { name: "PATH", value: sentinel },
        ],
      },
      { environment: { node_options: `--require ${preload}`, BASH_ENV: preload, PYTHONSTARTUP: preload } },
    ];
    for (const attack of attacks) {
      const { status, report } = await post(wrapper, attack);
      expect(status, JSON.stringify(attack)).toBe(200);
      expect(report.command.slice(0, 2)).toEqual([NODE, "-e"]);
      expect(report.stdoutTail).toMatch(/^wrapped /);
    }
    const last = await post(wrapper, attacks[4]);
    expect(last.report.ignoredEnvironment?.sort()).toEqual(["BASH_ENV", "PYTHONSTARTUP", "node_options"]);
    expect(readdirSync(sentinel)).toEqual([]);
  });

  it("answers deep or oversized input with a 4xx and keeps serving", async () => {
    const wrapper = await startWrapper({
      port: 0,
      path: "/process",
      command: [NODE, "-e", ""],
      parameters: {},
      maxInputBytes: 1024 * 1024,
      passThrough: null,
    });
    opened.push(wrapper);
    const send = (body: string) =>
      fetch(`${wrapper.url}/process`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const started = performance.now();
    const levels = 100_000;
    expect((await send(`{"parameters":{"a":${"[".repeat(levels)}${"]".repeat(levels)}}}`)).status).toBe(400);
    expect((await send(`{"environment":${'{"a":'.repeat(levels)}1${"}".repeat(levels)}}`)).status).toBe(400);
    expect((await send(`"${"x".repeat(2 * 1024 * 1024)}"`)).status).toBe(413);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect((await send("{}")).status).toBe(200);
  });

  it("runs one job at a time: a second job while one runs gets a 503, so the queue retries it", async () => {
    const wrapper = await startWrapper({
      port: 0,
      path: "/process",
      command: [NODE, "-e", "setTimeout(() => {}, 800)"],
      parameters: {},
      passThrough: null,
    });
    opened.push(wrapper);
    const started = performance.now();
    const answers = await Promise.all([
      post(wrapper, {}),
      new Promise((resolve) => setTimeout(resolve, 200)).then(() => post(wrapper, {})),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 503]);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect((await post(wrapper, {})).status).toBe(200);
  });
});
