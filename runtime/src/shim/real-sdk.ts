// BATCH_MIGRATE_TARGET=aws hands every call to the real AWS SDK. This package has no dependencies, so the SDK
// is loaded with a dynamic import() from the user's own node_modules, only when that target is chosen.
import { ConfigurationError } from "./settings.js";

const loaded = new Map<string, Promise<unknown>>();

export function loadRealSdk<T>(specifier: "@aws-sdk/client-batch" | "aws-sdk"): Promise<T> {
  let module = loaded.get(specifier);
  if (!module) {
    // A variable specifier: the compiler must not try to resolve a package this one does not depend on.
    const name: string = specifier;
    module = import(name).catch((error: unknown) => {
      loaded.delete(specifier);
      const code = (error as { code?: string }).code;
      if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") {
        throw new ConfigurationError(
          `BATCH_MIGRATE_TARGET=aws sends Batch calls to the real AWS SDK, but ${specifier} is not installed: ` +
            `run \`npm install ${specifier}\`, or choose another target (common-compute, salad, local)`,
        );
      }
      throw error;
    });
    loaded.set(specifier, module);
  }
  return module as Promise<T>;
}
