import path from "node:path";
import { defineCommand } from "./command.js";
import { emit, type CommandIO } from "./io.js";

export interface PricesArgs {
  check: boolean;
  pricesFile?: string;
  /** The day ages are measured on (YYYY-MM-DD); default today (or SOURCE_DATE_EPOCH). */
  now?: string;
  output?: string;
}

/** Reads `--prices-file` from a path or an http(s) URL. */
export async function pricesInput(file: string | undefined, cwd: string) {
  if (!file) return undefined;
  const { fetchPricesText } = await import("../cost/prices.js");
  if (/^https?:\/\//.test(file)) return fetchPricesText(file);
  return path.resolve(cwd, file);
}

function today(io: CommandIO, given?: string): Date {
  if (given) return new Date(`${given}T00:00:00Z`);
  const epoch = io.env.SOURCE_DATE_EPOCH;
  return epoch && /^\d+$/.test(epoch) ? new Date(Number(epoch) * 1000) : new Date();
}

/** `migrate prices`: the price tables, their dates and sources; `--check` lists stale rows and exits 1 if any. */
export async function runPricesCommand(args: PricesArgs, io: CommandIO): Promise<number> {
  const { loadPriceBook, staleRows, STALE_AFTER_DAYS } = await import("../cost/prices.js");
  const { visible } = await import("../report/escape.js");
  const book = loadPriceBook(await pricesInput(args.pricesFile, io.cwd));
  const now = today(io, args.now);
  const out: string[] = [];
  const sources = Object.values(book);
  const stale = staleRows(book, now);
  for (const source of sources) {
    const rows = stale.filter((s) => s.sourceId === source.id);
    out.push(
      `${source.id} (${visible(source.origin)}): ${source.rows.length} rows, oldest ${source.asOf ?? "undated"}; ${rows.length} older than ${STALE_AFTER_DAYS} days or undated`,
    );
    if (!args.check) continue;
    // Rows of one source and date are listed once, with how many there are and a few keys.
    const groups = new Map<string, typeof rows>();
    for (const row of rows) {
      const key = `${row.row.date ?? ""}\u0000${row.row.source ?? ""}`;
      groups.set(key, [...(groups.get(key) ?? []), row]);
    }
    for (const group of groups.values()) {
      const first = group[0]!;
      const keys = group
        .slice(0, 6)
        .map((g) =>
          [g.row.region, g.row.instance_type ?? g.row.name ?? g.row.family ?? g.row.workload].filter(Boolean).join("/"),
        )
        .join(", ");
      out.push(
        `  ${first.ageDays === null ? "undated" : `${first.ageDays} days old`} (${visible(first.row.date ?? "")}): ${group.length} row${group.length === 1 ? "" : "s"} — ${visible(keys)}${group.length > 6 ? ", …" : ""}`,
        `    source: ${visible(first.row.source ?? "")}`,
      );
    }
  }
  if (args.check)
    out.push(
      stale.length
        ? `${stale.length} stale rows: refresh data/pricing/ or pass --prices-file (a file or an https:// URL)`
        : "no stale rows",
    );
  await emit(io, `${out.join("\n")}\n`, args.output);
  return args.check && stale.length > 0 ? 1 : 0;
}

export default defineCommand({
  command: "prices",
  describe: "Show the price tables and their dates; --check lists rows older than 180 days",
  builder: (y) =>
    y
      .option("check", { type: "boolean", default: false, describe: "List stale rows; exit 1 when there are any" })
      .option("prices-file", {
        type: "string",
        describe: "JSON price tables (a file or an https:// URL) replacing the bundled ones",
      })
      .option("now", { type: "string", describe: "Measure ages on this day (YYYY-MM-DD)" })
      .example("$0 prices --check", "which bundled prices are stale"),
  run: (args, io) =>
    runPricesCommand(
      {
        check: args.check,
        ...(args.pricesFile ? { pricesFile: args.pricesFile } : {}),
        ...(args.now ? { now: args.now } : {}),
        ...(args.output ? { output: args.output } : {}),
      },
      io,
    ),
});
