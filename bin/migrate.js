#!/usr/bin/env node
// The CLI is bundled into one CommonJS file (scripts/bundle.ts): a third faster to start than ~200 ES modules.
import { createRequire } from "node:module";

createRequire(import.meta.url)("../dist/migrate.cjs").run();
