#!/usr/bin/env node
import { main, UsageError } from "../dist/cli.js";

main(process.argv.slice(2), (line) => console.log(line)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof UsageError) {
      console.error(`batch-migrate-runtime: ${error.message}\nrun batch-migrate-runtime --help for usage`);
      process.exit(2);
    }
    console.error(error);
    process.exit(3);
  },
);
