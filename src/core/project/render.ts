/**
 * Template rendering: `__NAME__` placeholders (valid identifiers, so templates stay readable
 * and type-check as code) filled from one record. A placeholder without a value is an error,
 * never left in the output; inserted values are not scanned again.
 */

const PLACEHOLDER = /__([A-Z](?:[A-Z0-9_]*[A-Z0-9])?)__/g;

export type Values = Readonly<Record<string, string>>;

export class RenderError extends Error {}

export function fill(template: string, values: Values, file: string): string {
  return template.replace(PLACEHOLDER, (match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new RenderError(`${file}: no value for placeholder ${match}`);
    return value;
  });
}

/** The placeholders a template uses, for tests and for checking a record is complete. */
export function placeholdersIn(template: string): string[] {
  return [...new Set([...template.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}
