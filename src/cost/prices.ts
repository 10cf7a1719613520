import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { ConfigError } from "../core/errors.js";
import { parseCsv } from "./csv.js";
import { bundledPricingDir } from "./data-dir.js";
import { daysBetween, earliestDay } from "./dates.js";
import { PRICING_SOURCES, type PricingSourceId } from "./sources/index.js";
import type { PriceRow, PricingSource, PricingSourceDefinition } from "./types.js";

type QueryOf<D> = D extends PricingSourceDefinition<infer Q> ? Q : never;

/** Every pricing source, loaded. */
export type PriceBook = { [Id in PricingSourceId]: PricingSource<QueryOf<(typeof PRICING_SOURCES)[Id]>> };

/** Price tables older than this many days get a warning (reference/pricing.md §10). */
export const STALE_AFTER_DAYS = 180;

function loadSource<Q>(definition: PricingSourceDefinition<Q>, rows: PriceRow[], origin: string): PricingSource<Q> {
  const days = rows
    .map((row) => earliestDay(row.date ?? ""))
    .filter((day): day is string => day !== undefined)
    .sort();
  return {
    id: definition.id,
    title: definition.title,
    currency: "USD",
    asOf: days[0],
    origin,
    rows,
    price: definition.build(rows),
  };
}

const OVERRIDE_SCHEMA = {
  type: "object",
  propertyNames: { enum: Object.keys(PRICING_SOURCES) },
  additionalProperties: {
    type: "array",
    minItems: 1,
    items: {
      type: "object",
      required: ["source", "date"],
      properties: { source: { type: "string", minLength: 1 }, date: { type: "string", minLength: 1 } },
      additionalProperties: { type: ["string", "number", "null"] },
    },
  },
} as const;

/** A `--prices-file` given as text (read from a file or fetched from a URL by the command), with its label. */
export interface PricesText {
  label: string;
  text: string;
}

function readOverrides(input: PricesText): Partial<Record<PricingSourceId, PriceRow[]>> {
  const file = input.label;
  let data: unknown;
  try {
    data = JSON.parse(input.text);
  } catch (error) {
    throw new ConfigError(
      `cannot read the prices file ${file}: ${(error as Error).message}`,
      'give a JSON object keyed by source id, e.g. {"salad": [{"kind": "gpu", …, "source": "…", "date": "2026-11-01"}]}',
    );
  }
  const validate = new Ajv({ allErrors: true }).compile(OVERRIDE_SCHEMA);
  if (!validate(data)) {
    const first = validate.errors![0]!;
    const where = first.instancePath || "(top level)";
    throw new ConfigError(
      `${file}: ${where} ${first.message ?? "is invalid"}`,
      `keys are pricing source ids (${Object.keys(PRICING_SOURCES).join(", ")}); each is the whole table as a list of rows with the columns of data/pricing/<file>, and every row needs "source" and "date"`,
    );
  }
  const overrides: Partial<Record<PricingSourceId, PriceRow[]>> = {};
  for (const [id, rows] of Object.entries(data as Record<string, Record<string, string | number | null>[]>)) {
    const definition = PRICING_SOURCES[id as PricingSourceId];
    overrides[id as PricingSourceId] = rows.map((row, index) => {
      const missing = definition.requiredColumns.filter((column) => !(column in row));
      if (missing.length > 0) {
        throw new ConfigError(
          `${file}: /${id}/${index} has no ${missing.map((m) => `"${m}"`).join(", ")}`,
          `rows of ${id} take the columns of data/pricing/${definition.file}; leave a price blank ("") when there is none`,
        );
      }
      return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, value === null ? "" : String(value)]));
    });
  }
  return overrides;
}

function readPricesFile(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `cannot read the prices file ${file}: ${(error as Error).message}`,
      "give a JSON file (or an https:// URL) of price tables keyed by source id",
    );
  }
}

/** Largest price table accepted from a URL. */
const MAX_PRICES_BYTES = 32 * 1024 * 1024;

/** Fetches a `--prices-file` URL (http or https only, bounded in size and time). */
export async function fetchPricesText(url: string, timeoutMs = 30_000): Promise<PricesText> {
  if (!/^https?:\/\//.test(url))
    throw new ConfigError(`${url}: only http:// and https:// URLs are fetched`, "or download it and pass the file");
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "follow" });
  } catch (error) {
    throw new ConfigError(
      `cannot fetch the prices file ${url}: ${(error as Error).message}`,
      "check the URL, or download it and pass the file",
    );
  }
  if (!response.ok)
    throw new ConfigError(
      `cannot fetch the prices file ${url}: HTTP ${response.status}`,
      "check the URL, or download it and pass the file",
    );
  const length = Number(response.headers.get("content-length") ?? 0);
  if (length > MAX_PRICES_BYTES)
    throw new ConfigError(`${url} is ${length} bytes, over the ${MAX_PRICES_BYTES}-byte limit`, "pass a smaller table");
  const text = await response.text();
  if (text.length > MAX_PRICES_BYTES)
    throw new ConfigError(`${url} is over the ${MAX_PRICES_BYTES}-byte limit`, "pass a smaller table");
  return { label: url, text };
}

/** One row older than {@link STALE_AFTER_DAYS} days (or undated) on the day `now`. */
export interface StaleRow {
  sourceId: string;
  origin: string;
  row: PriceRow;
  /** Age in days; null when the row's date is not a date. */
  ageDays: number | null;
}

/** Every stale or undated row of every table of the book. */
export function staleRows(book: PriceBook, now: Date): StaleRow[] {
  const out: StaleRow[] = [];
  for (const source of Object.values(book) as PricingSource<unknown>[]) {
    for (const row of source.rows) {
      const day = earliestDay(row.date ?? "");
      const ageDays = day === undefined ? null : daysBetween(day, now);
      if (ageDays === null || ageDays > STALE_AFTER_DAYS)
        out.push({ sourceId: source.id, origin: source.origin, row, ageDays });
    }
  }
  return out;
}

/**
 * Loads the bundled price tables, each replaced as a whole by the `--prices-file` table of the same id
 * (pricing.md §2: override a whole table at once, keeping its dates).
 */
export function loadPriceBook(pricesFile?: string | PricesText): PriceBook {
  const dir = bundledPricingDir();
  const input = typeof pricesFile === "string" ? { label: pricesFile, text: readPricesFile(pricesFile) } : pricesFile;
  const overrides = input ? readOverrides(input) : {};
  const book: Record<string, PricingSource<unknown>> = {};
  for (const [id, definition] of Object.entries(PRICING_SOURCES) as [
    PricingSourceId,
    PricingSourceDefinition<unknown>,
  ][]) {
    const override = overrides[id];
    if (override) {
      book[id] = loadSource(
        definition,
        override,
        /^https?:/.test(input!.label) ? input!.label : path.basename(input!.label),
      );
      continue;
    }
    const text = readFileSync(path.join(dir, definition.file), "utf8");
    const rows = definition.parse ? definition.parse(text) : parseCsv(text);
    book[id] = loadSource(definition, rows, `data/pricing/${definition.file}`);
  }
  return book as PriceBook;
}

/** One warning per table whose used rows are older than {@link STALE_AFTER_DAYS} days, or undated, on the day `now`. */
export function staleTableWarnings(
  used: readonly { source: PricingSource<unknown>; dates: readonly string[] }[],
  now: Date,
): string[] {
  return used.flatMap(({ source, dates }) => {
    const days = dates.map(earliestDay);
    if (days.some((day) => day === undefined))
      return [
        `${source.id} (${source.origin}): some prices used are undated (${[...new Set(dates.filter((d) => !earliestDay(d)))].join(", ")}): check them before relying on them`,
      ];
    const oldest = (days as string[]).sort()[0];
    if (!oldest) return [];
    const age = daysBetween(oldest, now);
    return age > STALE_AFTER_DAYS
      ? [
          `${source.id} (${source.origin}): prices used date from ${oldest}, ${age} days old: refresh the table or pass --prices-file`,
        ]
      : [];
  });
}
