/**
 * Code-unit order for sorting names and paths. Deliberately not localeCompare: that loads ICU
 * collation (a large share of a scaffold's time, BENCHMARKS.md), and its order changes with the locale.
 */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The names beyond the `keep` most recently used, newest first; ties by name, so two runs agree. */
export function beyondNewest(files: readonly { name: string; usedMs: number }[], keep: number): string[] {
  return [...files]
    .sort((a, b) => b.usedMs - a.usedMs || compareText(a.name, b.name))
    .slice(keep)
    .map(({ name }) => name);
}
