// Target `aws` (the default: no target configured) hands every call to the real AWS SDK. This package has no
// dependencies, so the SDK comes from the application's own node_modules, only when that target is chosen.
// It is loaded with require(): a constructor must hand back the real client synchronously, so that code merged
// before the cut-over keeps the real client's every property (middlewareStack, config, destroy…), unchanged.
import { createRequire } from "node:module";
import path from "node:path";
import { ConfigurationError } from "./settings.js";

export type RealSdkName = "@aws-sdk/client-batch" | "aws-sdk";

const loaded = new Map<RealSdkName, unknown>();

function missing(specifier: RealSdkName): ConfigurationError {
  return new ConfigurationError(
    `BATCH_MIGRATE_TARGET=aws sends Batch calls to the real AWS SDK, but ${specifier} is not installed: ` +
      `run \`npm install ${specifier}\`, or choose another target (common-compute, salad, local)`,
  );
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "MODULE_NOT_FOUND" || code === "ERR_MODULE_NOT_FOUND" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED";
}

/** The real SDK, resolved from this package's place in node_modules, then from the working directory; or undefined. */
export function tryLoadRealSdk<T>(specifier: RealSdkName): T | undefined {
  if (loaded.has(specifier)) return loaded.get(specifier) as T;
  // The CommonJS build defines import.meta.url from __filename (see scripts/build-cjs.mjs).
  for (const base of [import.meta.url, path.join(process.cwd(), "package.json")]) {
    try {
      const module = createRequire(base)(specifier) as T;
      loaded.set(specifier, module);
      return module;
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }
  return undefined;
}

export function loadRealSdk<T>(specifier: RealSdkName): Promise<T> {
  try {
    const module = tryLoadRealSdk<T>(specifier);
    return module === undefined ? Promise.reject(missing(specifier)) : Promise.resolve(module);
  } catch (error) {
    return Promise.reject(error);
  }
}
