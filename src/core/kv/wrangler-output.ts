/**
 * Reading what wrangler prints. `kv namespace create` has no JSON output: the id comes only as a
 * config snippet whose format follows the project's config (TOML, JSON, or wrangler 3's inline
 * table), after a banner and maybe colours. `kv namespace list` prints a JSON array.
 */
import { stripVTControlCharacters } from "node:util";
import type { KvIdField } from "../config/types.js";

export const NAMESPACE_ID = /^[0-9a-f]{32}$/;

const SNIPPET_ID = /(?<![\w-])(preview_id|id)"?[ \t]*[:=][ \t]*"([0-9a-f]{32})"/g;
/** Where the snippet starts: `[[kv_namespaces]]`, `"kv_namespaces": [` or wrangler 3's `kv_namespaces = [`. */
const SNIPPET_START = /^[ \t]*(?:\[\[kv_namespaces\]\]|"kv_namespaces"[ \t]*:|kv_namespaces[ \t]*=)/m;

/**
 * The id in a `kv namespace create` snippet, of the kind asked for; undefined if there is none.
 * Only inside the snippet: an id-like line before it (a log line, a banner) is not the answer.
 */
export function parseCreatedNamespaceId(stdout: string, field: KvIdField): string | undefined {
  const text = stripVTControlCharacters(stdout);
  const start = text.search(SNIPPET_START);
  if (start === -1) return undefined;
  for (const match of text.slice(start).matchAll(SNIPPET_ID)) {
    if (match[1] === field) return match[2];
  }
  return undefined;
}

export interface NamespaceListing {
  id: string;
  title: string;
}

/** The array `kv namespace list` prints; tolerates a banner or log lines before it. */
export function parseNamespaceList(stdout: string): NamespaceListing[] {
  const text = stripVTControlCharacters(stdout);
  const start = text.search(/^\[/m);
  if (start === -1) throw new Error("wrangler kv namespace list printed no JSON array.");
  const value: unknown = JSON.parse(text.slice(start));
  if (!Array.isArray(value)) throw new Error("wrangler kv namespace list did not print an array.");
  return value.filter(
    (item): item is NamespaceListing => typeof item?.id === "string" && typeof item?.title === "string" && NAMESPACE_ID.test(item.id),
  );
}

export function titleAlreadyExists(stderr: string): boolean {
  return /already exists/i.test(stripVTControlCharacters(stderr));
}

/**
 * Wrangler's own error, without colours, its log-file line or its "open an issue" footer: the
 * lines a user needs to see.
 */
export function wranglerErrorMessage(stderr: string, stdout = ""): string {
  const text = stripVTControlCharacters(stderr).trim() || stripVTControlCharacters(stdout).trim();
  const lines = text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.trim() !== "")
    .filter((line) => !/Logs were written to|If you think this is a bug|^\s*⛅️ wrangler|^[─-]+$/.test(line));
  const errorAt = lines.findIndex((line) => line.includes("[ERROR]"));
  return (errorAt >= 0 ? lines.slice(errorAt) : lines).map((line) => line.trim()).join("\n") || "wrangler printed nothing.";
}
