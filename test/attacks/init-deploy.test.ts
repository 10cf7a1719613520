// A job definition whose name, image, command and parameters carry newlines, quotes and markup, through
// `migrate init --target salad|common-compute`: the generated start.sh runs only what it should (it is executed
// here with stand-ins for the wrapper and the worker), the Dockerfile gains no instruction, the README no row.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { scanTree } from "../../src/core/scan.js";
import { DEPLOY_TARGETS } from "../../src/deploy/index.js";
import { buildLinks } from "../../src/link/index.js";
import { SCANNERS } from "../../src/scanners/index.js";

const DOCKERFILE_INSTRUCTIONS = /^(FROM|ARG|ADD|RUN|COPY|CMD|ENV|WORKDIR|ENTRYPOINT|USER|LABEL|EXPOSE)\b/;

describe("init with hostile job definitions", () => {
  it("escapes every value in start.sh, the Dockerfile, the README and the JSON files", async () => {
    const sentinel = mkdtempSync(path.join(tmpdir(), "init-attack-sentinel-"));
    const root = mkdtempSync(path.join(tmpdir(), "init-attack-repo-"));
    const run = (name: string) => `touch ${path.join(sentinel, name)}`;
    const definition = {
      jobDefinitionName: `evil\n${run("name")}\n# `,
      type: "container",
      parameters: { "p'$(x)": `'; ${run("parameter")}; '`, frame: "$(touch /dev/null)" },
      containerProperties: {
        image: `alpine:3\nRUN ${run("image")}`,
        command: ["/bin/render", "--frame", "Ref::frame", `$(${run("command")})`, "`id`"],
        vcpus: 1,
        memory: 2048,
        environment: [{ name: "NOTE", value: `a\n${run("environment")}` }],
      },
    };
    mkdirSync(path.join(root, "batch"));
    writeFileSync(path.join(root, "batch", "evil.json"), JSON.stringify(definition, null, 2));
    const result = await scanTree({ root, scanners: SCANNERS });
    expect(result.inventory.jobDefinitions.map((item) => item.name)).toEqual([definition.jobDefinitionName]);
    const input = {
      inventory: result.inventory,
      findings: result.findings,
      links: buildLinks(result.findings, result.inventory),
    };

    const stubs = mkdtempSync(path.join(tmpdir(), "init-attack-stubs-"));
    for (const stub of ["batch-migrate-runtime", "salad-http-job-queue-worker"]) {
      writeFileSync(path.join(stubs, stub), "#!/bin/sh\nexit 0\n");
      chmodSync(path.join(stubs, stub), 0o755);
    }
    for (const target of DEPLOY_TARGETS) {
      const plan = target.generate(input);
      for (const file of plan.files) {
        if (file.path.endsWith(".json")) expect(() => JSON.parse(file.content), file.path).not.toThrow();
        if (file.path.endsWith("start.sh")) {
          const script = path.join(stubs, "start.sh");
          writeFileSync(script, file.content);
          execFileSync("bash", [script], { env: { PATH: `${stubs}:/usr/bin:/bin` }, timeout: 10_000, stdio: "ignore" });
          const lines = file.content.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
          expect(lines[0]).toBe("set -u");
          expect(lines.slice(2)).toEqual(["salad-http-job-queue-worker &", "wait -n", "exit $?"]);
        }
        if (file.path.endsWith("Dockerfile")) {
          for (const line of file.content.split("\n").filter((line) => line !== "" && !line.startsWith("#")))
            expect(line, file.path).toMatch(DOCKERFILE_INSTRUCTIONS);
          expect(file.content).not.toContain("alpine:3");
          expect(file.content).toContain("FROM REPLACE-WITH-THE-JOB-IMAGE");
          expect(file.content).not.toMatch(/^RUN touch/m);
        }
        if (file.path.endsWith(".md")) {
          expect(file.content, file.path).not.toMatch(/^touch /m);
          expect(file.content, file.path).not.toMatch(/^# $/m);
        }
      }
    }
    expect(readdirSync(sentinel)).toEqual([]);
  });

  it("never writes through a committed symlink: migration/ or a generated file linked outside", async () => {
    const outside = mkdtempSync(path.join(tmpdir(), "init-attack-outside-"));
    writeFileSync(path.join(outside, "bashrc"), "original\n");
    const hash = () =>
      createHash("sha256")
        .update(
          readdirSync(outside)
            .sort()
            .map((name) => `${name}\0${readFileSync(path.join(outside, name), "utf8")}`)
            .join("\0"),
        )
        .digest("hex");
    const before = hash();
    const definition = {
      jobDefinitionName: "render",
      type: "container",
      containerProperties: { image: "alpine:3", command: ["render"], vcpus: 1, memory: 2048 },
    };
    const sink = () => Object.assign(new PassThrough(), { isTTY: false });
    const init = async (root: string, ...extra: string[]) => {
      let err = "";
      const stderr = sink();
      stderr.on("data", (chunk) => (err += chunk));
      const code = await main(["init", "--target", "salad", ...extra], {
        stdout: sink(),
        stderr,
        cwd: root,
        env: { CI: "1" },
      });
      return { code, err };
    };

    const linkedFolder = mkdtempSync(path.join(tmpdir(), "init-attack-repo-"));
    writeFileSync(path.join(linkedFolder, "render.json"), JSON.stringify(definition));
    symlinkSync(outside, path.join(linkedFolder, "migration"));
    const first = await init(linkedFolder);
    expect(first.code).toBe(2);
    expect(first.err).toContain("migration is a symlink");

    const linkedFile = mkdtempSync(path.join(tmpdir(), "init-attack-repo-"));
    writeFileSync(path.join(linkedFile, "render.json"), JSON.stringify(definition));
    mkdirSync(path.join(linkedFile, "migration/salad/render"), { recursive: true });
    symlinkSync(path.join(outside, "bashrc"), path.join(linkedFile, "migration/salad/render/start.sh"));
    const second = await init(linkedFile, "--force");
    expect(second.code).toBe(2);
    expect(second.err).toContain("migration/salad/render/start.sh is a symlink");
    expect(hash()).toBe(before);
  });
});
