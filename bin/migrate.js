#!/usr/bin/env node
// The bin is bin/migrate.cjs. This forwarder keeps working the links npx cached for checkouts that ran
// `npx migrate` when the bin still had this name.
import "./migrate.cjs";
