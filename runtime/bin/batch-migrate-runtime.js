#!/usr/bin/env node
let cli;
try {
  cli = await import("../dist/cli.js");
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  console.error(
    "batch-migrate-runtime: dist/ is missing; build it first with `npx tsc -p runtime` (or `npm run build` in runtime/)",
  );
  process.exit(3);
}

cli
  .main(process.argv.slice(2), (line) => console.log(line))
  .then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof cli.UsageError) {
        console.error(`batch-migrate-runtime: ${error.message}\nrun batch-migrate-runtime --help for usage`);
        process.exit(2);
      }
      // A state directory the executor cannot write is the machine's problem, not a bug: say so without a trace.
      if (error instanceof cli.StorageError) {
        console.error(`batch-migrate-runtime: ${error.message}`);
        process.exit(2);
      }
      console.error(error);
      process.exit(3);
    },
  );
