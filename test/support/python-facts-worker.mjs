// Starts the TypeScript worker beside it in a thread of its own (tsx's loader is per thread).
import { register } from "tsx/esm/api";

register();
await import("./python-facts-worker.ts");
