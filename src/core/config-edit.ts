/**
 * Edits to a wrangler config as text: the smallest insertion or replacement that makes the
 * change, so comments, order and formatting elsewhere stay byte for byte. Every edit is checked
 * by parsing before and after with a real parser: the result must equal the old config with
 * exactly the intended change, or the edit is refused.
 */
import { findNodeAtLocation, parseTree, type Node } from "jsonc-parser";
import { readConfig, type KvNamespaceEntry, type WranglerConfig } from "./config-read.js";
import type { ConfigFormat } from "./options.js";

export class ConfigEditError extends Error {}

export type KvIdField = "id" | "preview_id";

const quote = (value: string) => JSON.stringify(value);
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The line containing `offset`: [start, end) without its line break, and its leading whitespace. */
function lineAt(source: string, offset: number): { start: number; end: number; indent: string } {
  const start = source.lastIndexOf("\n", offset - 1) + 1;
  const newline = source.indexOf("\n", offset);
  let end = newline === -1 ? source.length : newline;
  if (source[end - 1] === "\r") end--;
  return { start, end, indent: /^[ \t]*/.exec(source.slice(start, end))![0] };
}

function eolOf(source: string): string {
  return source.includes("\r\n") ? "\r\n" : "\n";
}

// ---------------------------------------------------------------- TOML

/** Header lines of top-level `[[kv_namespaces]]` tables: [start of body, end of body). */
function tomlKvTables(source: string): { bodyStart: number; bodyEnd: number }[] {
  const tables: { bodyStart: number; bodyEnd: number }[] = [];
  const header = /^[ \t]*\[\[?[^\]\n]*\]\]?[ \t]*(?:#[^\r\n]*)?\r?$/gm;
  const headers = [...source.matchAll(header)];
  headers.forEach((match, i) => {
    if (!/^[ \t]*\[\[[ \t]*kv_namespaces[ \t]*\]\]/.test(match[0])) return;
    const bodyStart = match.index! + match[0].length;
    const next = headers[i + 1];
    tables.push({ bodyStart, bodyEnd: next ? next.index! : source.length });
  });
  return tables;
}

function setTomlKvField(source: string, binding: string, field: KvIdField, value: string): string {
  const bindingLine = new RegExp(`^[ \\t]*binding[ \\t]*=[ \\t]*(["'])${escapeRegExp(binding)}\\1[ \\t]*(?:#[^\\r\\n]*)?\\r?$`, "m");
  const fieldLine = new RegExp(`^([ \\t]*${field}[ \\t]*=[ \\t]*)(["'])[^"'\\n]*\\2`, "m");

  for (const table of tomlKvTables(source)) {
    const body = source.slice(table.bodyStart, table.bodyEnd);
    const found = bindingLine.exec(body);
    if (!found) continue;
    const existing = fieldLine.exec(body);
    if (existing) {
      const at = table.bodyStart + existing.index;
      return source.slice(0, at) + `${existing[1]}${quote(value)}` + source.slice(at + existing[0].length);
    }
    const line = lineAt(source, table.bodyStart + found.index + found[0].length - 1);
    return source.slice(0, line.end) + `${eolOf(source)}${line.indent}${field} = ${quote(value)}` + source.slice(line.end);
  }

  // The inline form: kv_namespaces = [ { binding = "X" }, ... ]
  const inline = new RegExp(`\\{([^{}]*?\\bbinding[ \\t]*=[ \\t]*(["'])${escapeRegExp(binding)}\\2)([^{}]*)\\}`);
  const match = inline.exec(source);
  if (match) {
    const rest = match[3]!;
    const existing = new RegExp(`(\\b${field}[ \\t]*=[ \\t]*)(["'])[^"']*\\2`).exec(rest);
    const newRest = existing
      ? rest.replace(existing[0], `${existing[1]}${quote(value)}`)
      : `, ${field} = ${quote(value)}${rest}`;
    return source.slice(0, match.index) + `{${match[1]}${newRest}}` + source.slice(match.index + match[0].length);
  }
  throw new ConfigEditError(`Could not find the KV binding "${binding}" in wrangler.toml.`);
}

// ---------------------------------------------------------------- JSONC

function setJsoncKvField(source: string, binding: string, field: KvIdField, value: string): string {
  const tree = parseTree(source, [], { allowTrailingComma: true });
  const list = tree && findNodeAtLocation(tree, ["kv_namespaces"]);
  const entry = list?.children?.find(
    (item: Node) => item.type === "object" && findNodeAtLocation(item, ["binding"])?.value === binding,
  );
  if (!entry) throw new ConfigEditError(`Could not find the KV binding "${binding}" in wrangler.jsonc.`);

  const existing = findNodeAtLocation(entry, [field]);
  if (existing) {
    return source.slice(0, existing.offset) + quote(value) + source.slice(existing.offset + existing.length);
  }
  // Insert next to the "binding" property: on its line for a one-line entry, else on a line
  // of its own after it, so a comment at the end of the binding's line stays with it.
  const bindingProperty = findNodeAtLocation(entry, ["binding"])!.parent!;
  const after = bindingProperty.offset + bindingProperty.length;
  const property = `${quote(field)}: ${quote(value)}`;
  const line = lineAt(source, after);
  const objectEnd = entry.offset + entry.length;
  const multiline = source.slice(lineAt(source, entry.offset).start, after).includes("\n");
  if (!multiline || objectEnd <= line.end) {
    return source.slice(0, after) + `, ${property}` + source.slice(after);
  }
  const newLine = `${eolOf(source)}${lineAt(source, bindingProperty.offset).indent}${property}`;
  const end = line.end;
  if (/^\s*,/.test(source.slice(after, objectEnd))) {
    return source.slice(0, end) + `${newLine},` + source.slice(end);
  }
  return source.slice(0, after) + "," + source.slice(after, end) + newLine + source.slice(end);
}

// ---------------------------------------------------------------- shared

function expectedAfter(config: WranglerConfig, binding: string, field: KvIdField, value: string): WranglerConfig {
  return {
    ...config,
    kv_namespaces: (config.kv_namespaces ?? []).map((entry: KvNamespaceEntry) =>
      entry.binding === binding ? { ...entry, [field]: value } : entry,
    ),
  };
}

/** Sorted-key JSON, so two configs compare by meaning. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

/** Sets `id` or `preview_id` of one KV binding. Throws ConfigEditError when that cannot be done safely. */
export function setKvNamespaceField(
  source: string,
  format: ConfigFormat,
  binding: string,
  field: KvIdField,
  value: string,
): string {
  const before = readConfig(source, format);
  const edited =
    format === "toml" ? setTomlKvField(source, binding, field, value) : setJsoncKvField(source, binding, field, value);
  const after = readConfig(edited, format);
  if (canonical(after) !== canonical(expectedAfter(before, binding, field, value))) {
    throw new ConfigEditError(
      `Setting ${field} of KV binding "${binding}" would change more than that in wrangler.${format}; add it by hand: ${field} = ${quote(value)}`,
    );
  }
  return edited;
}
