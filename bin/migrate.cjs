#!/usr/bin/env node
// CommonJS, like the bundle it loads (scripts/bundle.ts): starting Node's ES module loader costs 10 ms more.
require("../dist/migrate.cjs").run();
