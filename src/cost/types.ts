/** One row of a price table as strings, with the columns of its data file; every row carries `source` and `date`. */
export type PriceRow = Record<string, string>;

/** Where a unit price came from. */
export interface PriceReference {
  /** Pricing source id (`aws-ec2`, `salad`, …). */
  sourceId: string;
  /** The row's own source text. */
  source: string;
  /** The row's own date as written (`2026-01-19`, `2026`, `estimate`). */
  date: string;
}

/** A unit price with its provenance. */
export interface PriceQuote extends PriceReference {
  /** Price in the source currency per `unit`. */
  value: number;
  /** What one unit is: `hour`, `vCPU-hour`, `GB-hour`, `1M tokens`, `fraction of on-demand`. */
  unit: string;
  /** A note the table carries for this row, when it has one. */
  note?: string;
}

/** A dated price table with a lookup (DESIGN.md §4: a missing price is `undefined`, never 0). */
export interface PricingSource<Query> {
  /** Stable id, equal to the file name of its unit. */
  id: string;
  /** What the table prices. */
  title: string;
  currency: "USD";
  /** Earliest dated row of the table (YYYY-MM-DD), the date its age is measured from; undefined when undated. */
  asOf: string | undefined;
  /** The data file it was read from (`data/pricing/ec2_ondemand.csv`, or the `--prices-file` path). */
  origin: string;
  rows: readonly PriceRow[];
  price(query: Query): PriceQuote | undefined;
}

/** How a pricing source is declared: its data file and how to build the lookup from rows. */
export interface PricingSourceDefinition<Query> {
  id: string;
  title: string;
  /** File name under `data/pricing/`. */
  file: string;
  /** Turns the file's text into rows (CSV by default). */
  parse?: (text: string) => PriceRow[];
  /** Columns every row must have (besides `source` and `date`). */
  requiredColumns: readonly string[];
  build(rows: readonly PriceRow[]): (query: Query) => PriceQuote | undefined;
}

export function defineSource<Query>(definition: PricingSourceDefinition<Query>): PricingSourceDefinition<Query> {
  return definition;
}

export function quoteFrom(sourceId: string, row: PriceRow, value: number, unit: string): PriceQuote {
  const quote: PriceQuote = { sourceId, source: row.source ?? "", date: row.date ?? "", value, unit };
  const note = row.notes ?? row.note;
  if (note) quote.note = note;
  return quote;
}

/** A number from a price cell; blank or non-numeric cells are "no price", not zero. */
export function priceCell(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
