/** The earliest day a price date can mean: `2026-01-19`, `2026-07` (its first day), `~2023-24` (2023-01-01); undefined when undated. */
export function earliestDay(date: string): string | undefined {
  const full = /(\d{4})-(\d{2})-(\d{2})/.exec(date);
  if (full) return `${full[1]}-${full[2]}-${full[3]}`;
  const month = /(\d{4})-(\d{2})(?!\d)/.exec(date);
  if (month && Number(month[2]) <= 12) return `${month[1]}-${month[2]}-01`;
  const year = /(\d{4})/.exec(date);
  return year ? `${year[1]}-01-01` : undefined;
}

export function daysBetween(fromDay: string, to: Date): number {
  return Math.floor((to.getTime() - Date.parse(`${fromDay}T00:00:00Z`)) / 86_400_000);
}
