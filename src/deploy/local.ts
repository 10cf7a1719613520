// `init --target local`: no deployment files, only the registry the local executor runs the jobs from (the queues,
// compute environments and job definitions the scan found, in the shape migrate.config.json holds them).
import { callSiteEntries } from "./call-site-names.js";
import { placeJobDefinitions } from "./placement.js";
import { registerJobDefinitionShape, registryConfig } from "./render.js";
import type { DeployInput } from "./types.js";

export function localConfig(input: DeployInput): Record<string, unknown> {
  const registry = registryConfig(input, () => ({}));
  const jobDefinitions = Object.fromEntries(
    placeJobDefinitions(input).map((placement) => [
      placement.definition.name,
      registerJobDefinitionShape(placement.properties),
    ]),
  );
  const named = callSiteEntries(input.findings, "local", {
    queues: Object.keys(registry.jobQueues),
    definitions: Object.keys(jobDefinitions),
  });
  return {
    shim: { target: "local" },
    computeEnvironments: registry.computeEnvironments,
    jobQueues: { ...registry.jobQueues, ...named.jobQueues },
    jobDefinitions: { ...jobDefinitions, ...named.jobDefinitions },
  };
}
