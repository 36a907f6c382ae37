import type { ConfigFormat } from "./types.js";
/** Text helpers shared by the TOML and JSONC editors. */

/** An edit that cannot be made safely: raised inside the editors, turned into a message by the policy. */
export class ConfigEditError extends Error {}

/** The line containing `offset`: [start, end) without its line break, and its leading whitespace. */
export function lineAt(source: string, offset: number): { start: number; end: number; indent: string } {
  const start = source.lastIndexOf("\n", offset - 1) + 1;
  const newline = source.indexOf("\n", offset);
  let end = newline === -1 ? source.length : newline;
  if (source[end - 1] === "\r") end--;
  return { start, end, indent: /^[ \t]*/.exec(source.slice(start, end))![0] };
}

export function eolOf(source: string): string {
  return source.includes("\r\n") ? "\r\n" : "\n";
}

/** One-line TOML (`{ k = v }`) or JSON (`{ "k": v }`) for a small value. */
export function inline(value: unknown, format: ConfigFormat): string {
  if (Array.isArray(value)) return `[${value.map((v) => inline(v, format)).join(", ")}]`;
  if (value && typeof value === "object") {
    const pairs = Object.entries(value).map(([k, v]) =>
      format === "toml" ? `${k} = ${inline(v, format)}` : `${JSON.stringify(k)}: ${inline(v, format)}`,
    );
    return `{ ${pairs.join(", ")} }`;
  }
  return JSON.stringify(value);
}

/** Records a class rename in the `exports` map: the old entry becomes `renamed`, a live one follows it. */
export type ExportsRenameEdit = (source: string, from: string, to: string, renamed: Record<string, unknown>, live: Record<string, unknown>) => string;
