/**
 * Edits to a wrangler config as text: the smallest insertion or replacement that makes the
 * change, so comments, order and formatting elsewhere stay byte for byte. Every edit is checked
 * by parsing before and after with a real parser: the result must equal the old config with
 * exactly the intended change, or the edit is refused.
 */
import { findNodeAtLocation, parseTree, type Node } from "jsonc-parser";
import {
  readConfig,
  type DurableObjectBinding,
  type ExportEntry,
  type KvNamespaceEntry,
  type MigrationStep,
  type WranglerConfig,
} from "./config-read.js";
import { compareText } from "./compare.js";
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

/** The bodies of the top-level `[[<name>]]` tables, as [start, end) offsets. */
function tomlTables(source: string, name: string, arrayOfTables = true): { bodyStart: number; bodyEnd: number }[] {
  const tables: { bodyStart: number; bodyEnd: number }[] = [];
  const header = /^[ \t]*\[\[?[^\]\n]*\]\]?[ \t]*(?:#[^\r\n]*)?\r?$/gm;
  const open = arrayOfTables ? "\\[\\[" : "\\[";
  const close = arrayOfTables ? "\\]\\]" : "\\](?!\\])";
  const wanted = new RegExp(`^[ \\t]*${open}[ \\t]*${escapeRegExp(name)}[ \\t]*${close}`);
  const headers = [...source.matchAll(header)];
  headers.forEach((match, i) => {
    if (!wanted.test(match[0])) return;
    const bodyStart = match.index! + match[0].length;
    const next = headers[i + 1];
    tables.push({ bodyStart, bodyEnd: next ? next.index! : source.length });
  });
  return tables;
}

/** In the `[[list]]` entry whose `matchKey` is `matchValue`, sets `key` to a string. */
function setTomlEntryValue(source: string, list: string, entry: [string, string], key: string, value: string): string {
  const [matchKey, matchValue] = entry;
  const matchLine = new RegExp(
    `^[ \\t]*${matchKey}[ \\t]*=[ \\t]*(["'])${escapeRegExp(matchValue)}\\1[ \\t]*(?:#[^\\r\\n]*)?\\r?$`,
    "m",
  );
  const keyValue = (flags: string) => new RegExp(`(^|[{,\\s])(${key}[ \\t]*=[ \\t]*)(["'])[^"'\\n]*\\3`, flags);

  for (const table of tomlTables(source, list)) {
    const body = source.slice(table.bodyStart, table.bodyEnd);
    const found = matchLine.exec(body);
    if (!found) continue;
    const existing = keyValue("m").exec(body);
    if (existing) {
      const at = table.bodyStart + existing.index + existing[1]!.length;
      return source.slice(0, at) + `${existing[2]}${quote(value)}` + source.slice(at + existing[0].length - existing[1]!.length);
    }
    const line = lineAt(source, table.bodyStart + found.index + found[0].length - 1);
    return source.slice(0, line.end) + `${eolOf(source)}${line.indent}${key} = ${quote(value)}` + source.slice(line.end);
  }

  // The inline form: kv_namespaces = [ { binding = "X", id = "..." }, ... ]
  const inline = new RegExp(`\\{[^{}]*?\\b${matchKey}[ \\t]*=[ \\t]*(["'])${escapeRegExp(matchValue)}\\1[^{}]*\\}`);
  const table = inline.exec(source);
  if (table) {
    const text = table[0];
    const existing = keyValue("").exec(text);
    const edited = existing
      ? text.slice(0, existing.index + existing[1]!.length) + `${existing[2]}${quote(value)}` + text.slice(existing.index + existing[0].length)
      : text.replace(/\s*\}$/, (end) => `, ${key} = ${quote(value)}${end}`);
    return source.slice(0, table.index) + edited + source.slice(table.index + text.length);
  }
  throw new ConfigEditError(`Could not find ${describeEntry(list, entry)} in wrangler.toml.`);
}

function describeEntry(list: string, [key, value]: [string, string]): string {
  return list === "kv_namespaces" ? `the KV binding "${value}"` : `the Durable Object binding with ${key} "${value}"`;
}

// ---------------------------------------------------------------- JSONC

function setJsoncEntryValue(source: string, list: string, match: [string, string], field: string, value: string): string {
  const tree = parseTree(source, [], { allowTrailingComma: true });
  const array = tree && findNodeAtLocation(tree, list.split("."));
  const [matchKey, matchValue] = match;
  const entry = array?.children?.find(
    (item: Node) => item.type === "object" && findNodeAtLocation(item, [matchKey])?.value === matchValue,
  );
  if (!entry) throw new ConfigEditError(`Could not find ${describeEntry(list, match)} in wrangler.jsonc.`);

  const existing = findNodeAtLocation(entry, [field]);
  if (existing) {
    return source.slice(0, existing.offset) + quote(value) + source.slice(existing.offset + existing.length);
  }
  // Insert next to the "binding" property: on its line for a one-line entry, else on a line
  // of its own after it, so a comment at the end of the binding's line stays with it.
  const bindingProperty = findNodeAtLocation(entry, [matchKey])!.parent!;
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

/** The config with every KV entry passed through `change`. */
function mapKv(config: WranglerConfig, change: (entry: KvNamespaceEntry) => KvNamespaceEntry): WranglerConfig {
  return { ...config, kv_namespaces: config.kv_namespaces?.map(change) };
}

/** The config with every Durable Object binding passed through `change`. */
function mapDoBindings(config: WranglerConfig, change: (binding: DurableObjectBinding) => DurableObjectBinding): WranglerConfig {
  return {
    ...config,
    durable_objects: { ...config.durable_objects, bindings: config.durable_objects?.bindings?.map(change) },
  };
}

function expectedAfter(config: WranglerConfig, binding: string, field: KvIdField, value: string): WranglerConfig {
  return mapKv(config, (entry) => (entry.binding === binding ? { ...entry, [field]: value } : entry));
}

/** Sorted-key JSON, so two configs compare by meaning. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareText(a, b)))
      : v,
  );
}

/**
 * Applies `edit` to the text and checks, by parsing before and after, that the config changed
 * exactly as `expected` says; anything else is refused.
 */
function checkedEdit(
  source: string,
  format: ConfigFormat,
  edit: (source: string) => string,
  expected: (config: WranglerConfig) => WranglerConfig,
  what: string,
): string {
  const before = readConfig(source, format);
  const edited = edit(source);
  if (canonical(readConfig(edited, format)) !== canonical(expected(before))) {
    throw new ConfigEditError(`${what} would change more than that in wrangler.${format}; make the change by hand.`);
  }
  return edited;
}

function setEntryValue(source: string, format: ConfigFormat, list: string, match: [string, string], key: string, value: string): string {
  return format === "toml"
    ? setTomlEntryValue(source, list, match, key, value)
    : setJsoncEntryValue(source, list, match, key, value);
}

/** Sets `id` or `preview_id` of one KV binding. Throws ConfigEditError when that cannot be done safely. */
export function setKvNamespaceField(
  source: string,
  format: ConfigFormat,
  binding: string,
  field: KvIdField,
  value: string,
): string {
  return checkedEdit(
    source,
    format,
    (text) => setEntryValue(text, format, "kv_namespaces", ["binding", binding], field, value),
    (config) => expectedAfter(config, binding, field, value),
    `Setting ${field} of KV binding "${binding}"`,
  );
}

/** Renames a KV binding; its id and preview_id stay. */
export function renameKvBinding(source: string, format: ConfigFormat, from: string, to: string): string {
  return checkedEdit(
    source,
    format,
    (text) => setEntryValue(text, format, "kv_namespaces", ["binding", from], "binding", to),
    (config) => mapKv(config, (e) => (e.binding === from ? { ...e, binding: to } : e)),
    `Renaming KV binding "${from}"`,
  );
}

/** Renames a Durable Object binding (its `name`). */
export function renameDoBinding(source: string, format: ConfigFormat, from: string, to: string): string {
  return checkedEdit(
    source,
    format,
    (text) => setEntryValue(text, format, "durable_objects.bindings", ["name", from], "name", to),
    (config) => mapDoBindings(config, (b) => (b.name === from ? { ...b, name: to } : b)),
    `Renaming Durable Object binding "${from}"`,
  );
}

/** Points every Durable Object binding of class `from` at class `to`. Migrations are separate. */
export function renameBoundClass(source: string, format: ConfigFormat, from: string, to: string): string {
  const count = readConfig(source, format).durable_objects?.bindings?.filter((b) => b.class_name === from).length ?? 0;
  let text = source;
  for (let i = 0; i < count; i++) {
    text = setEntryValue(text, format, "durable_objects.bindings", ["class_name", from], "class_name", to);
  }
  return checkedEdit(
    source,
    format,
    () => text,
    (config) => mapDoBindings(config, (b) => (b.class_name === from ? { ...b, class_name: to } : b)),
    `Renaming class "${from}" in the Durable Object bindings`,
  );
}

/** One-line TOML (`{ k = v }`) or JSON (`{ "k": v }`) for a small value. */
function inline(value: unknown, format: ConfigFormat): string {
  if (Array.isArray(value)) return `[${value.map((v) => inline(v, format)).join(", ")}]`;
  if (value && typeof value === "object") {
    const pairs = Object.entries(value).map(([k, v]) =>
      format === "toml" ? `${k} = ${inline(v, format)}` : `${JSON.stringify(k)}: ${inline(v, format)}`,
    );
    return `{ ${pairs.join(", ")} }`;
  }
  return JSON.stringify(value);
}

/** Appends a migration step after the last one; earlier steps are never touched. */
export function appendMigration(source: string, format: ConfigFormat, step: MigrationStep): string {
  const edit = (text: string): string => {
    const eol = eolOf(text);
    if (format === "toml") {
      const lines = Object.entries(step).map(([k, v]) => `${k} = ${inline(v, format)}`);
      const block = `[[migrations]]${eol}${lines.join(eol)}`;
      const tables = tomlTables(text, "migrations");
      const last = tables[tables.length - 1];
      if (!last) return `${text.replace(/\s*$/, "")}${eol}${eol}${block}${eol}`;
      // After the last non-blank line of the last step, so a following comment stays with what follows.
      const body = text.slice(last.bodyStart, last.bodyEnd);
      const end = last.bodyStart + body.replace(/(?:\r?\n[ \t]*(?:#[^\r\n]*)?)*\s*$/, "").length;
      return `${text.slice(0, end)}${eol}${eol}${block}${text.slice(end)}`;
    }
    const tree = parseTree(text, [], { allowTrailingComma: true });
    const migrations = tree && findNodeAtLocation(tree, ["migrations"]);
    if (!migrations || migrations.type !== "array") throw new ConfigEditError("wrangler.jsonc has no migrations array.");
    const items = migrations.children ?? [];
    const lastItem = items[items.length - 1];
    if (!lastItem) {
      return text.slice(0, migrations.offset + 1) + inline(step, format) + text.slice(migrations.offset + 1);
    }
    const after = lastItem.offset + lastItem.length;
    const multiline = text.slice(migrations.offset, lastItem.offset).includes("\n");
    const separator = multiline ? `,${eol}${lineAt(text, lastItem.offset).indent}` : ", ";
    return text.slice(0, after) + separator + inline(step, format) + text.slice(after);
  };
  return checkedEdit(
    source,
    format,
    edit,
    (config) => ({ ...config, migrations: [...(config.migrations ?? []), step] }),
    `Adding migration ${step.tag}`,
  );
}

/**
 * Records a class rename in the declarative `exports` map: the old entry becomes
 * `{ type, state: "renamed", renamed_to }` and a live entry for the new name is added after it
 * with the old storage. (exports and migrations never appear together in one config.)
 */
export function renameInExports(source: string, format: ConfigFormat, from: string, to: string): string {
  const old = readConfig(source, format).exports?.[from];
  if (!old) throw new ConfigEditError(`The exports map has no entry for "${from}".`);
  const renamed: ExportEntry = { type: old.type, state: "renamed", renamed_to: to };
  const live: ExportEntry = { type: old.type, storage: old.storage ?? "sqlite" };
  const edit = (text: string): string => {
    const eol = eolOf(text);
    if (format === "toml") {
      const table = tomlTables(text, `exports.${from}`, false)[0];
      if (!table) throw new ConfigEditError(`Could not find [exports.${from}] in wrangler.toml.`);
      const lines = (entry: ExportEntry) => Object.entries(entry).map(([k, v]) => `${k} = ${inline(v, format)}`).join(eol);
      const body = lines(renamed);
      const next = `[exports.${to}]${eol}${lines(live)}`;
      const rest = text.slice(table.bodyStart, table.bodyEnd);
      const trailing = /(\r?\n)*$/.exec(rest)![0] || eol;
      return `${text.slice(0, table.bodyStart)}${eol}${body}${eol}${eol}${next}${trailing}${text.slice(table.bodyEnd)}`;
    }
    const tree = parseTree(text, [], { allowTrailingComma: true });
    const value = tree && findNodeAtLocation(tree, ["exports", from]);
    if (!value) throw new ConfigEditError(`Could not find exports.${from} in wrangler.jsonc.`);
    const property = value.parent!;
    const multiline = text.slice(property.parent!.offset, property.offset).includes("\n");
    const separator = multiline ? `,${eol}${lineAt(text, property.offset).indent}` : ", ";
    const end = property.offset + property.length;
    return (
      text.slice(0, value.offset) +
      inline(renamed, format) +
      text.slice(value.offset + value.length, end) +
      `${separator}${JSON.stringify(to)}: ${inline(live, format)}` +
      text.slice(end)
    );
  };
  return checkedEdit(
    source,
    format,
    edit,
    (config) => ({ ...config, exports: { ...config.exports, [from]: renamed, [to]: live } }),
    `Recording the rename of "${from}" in exports`,
  );
}
