/**
 * Text edits of wrangler.toml: the smallest replacement or insertion that makes a change, found
 * with the value layout of toml-locate, so every other byte stays. Unchecked on their own; the
 * policy in edit.ts parses before and after.
 */
import { ConfigEditError, eolOf, inline, lineAt, type ExportsRenameEdit } from "./edit-text.js";
import { samePath, scanToml, type TomlTable, type TomlValue } from "./toml-locate.js";
import type { ConfigPath } from "./types.js";

function valueAt(source: string, path: ConfigPath): TomlValue | undefined {
  return scanToml(source).values.find((v) => samePath(v.path, path));
}

const describe = (path: ConfigPath) => path.join(".");

/** Replaces the string at `path`, keeping the quote style it was written with. */
export function replaceTomlString(source: string, path: ConfigPath, value: string): string {
  const found = valueAt(source, path);
  if (found?.kind !== "string") throw new ConfigEditError(`no string at ${describe(path)}`);
  const text = found.quote === "'" && !value.includes("'") ? `'${value}'` : JSON.stringify(value);
  return source.slice(0, found.start) + text + source.slice(found.end);
}

/**
 * Adds `key = "value"` to the table at `entryPath` (a `[[header]]` table or an inline one),
 * next to `anchorKey`'s line for a header table so a comment at the end of that line stays put.
 */
export function insertTomlField(source: string, entryPath: ConfigPath, anchorKey: string, key: string, value: string): string {
  const layout = scanToml(source);
  const pair = `${key} = ${JSON.stringify(value)}`;
  const table = layout.tables.find((t) => samePath(t.path, entryPath));
  if (table) {
    const anchor = layout.values.find((v) => samePath(v.path, [...entryPath, anchorKey]));
    const line = anchor ? lineAt(source, anchor.end) : lineAt(source, table.headerEnd);
    return `${source.slice(0, line.end)}${eolOf(source)}${anchor ? line.indent : ""}${pair}${source.slice(line.end)}`;
  }
  const inlineTable = layout.values.find((v) => samePath(v.path, entryPath) && v.kind === "table");
  if (!inlineTable) throw new ConfigEditError(`no table at ${describe(entryPath)}`);
  const inner = source.slice(inlineTable.start + 1, inlineTable.end - 1);
  if (inner.trim() === "") return `${source.slice(0, inlineTable.start)}{ ${pair} }${source.slice(inlineTable.end)}`;
  // The last value inside it ends last (a nested value ends before the value holding it).
  const at = Math.max(...layout.values.filter((v) => v.start > inlineTable.start && v.end < inlineTable.end).map((v) => v.end));
  return `${source.slice(0, at)}, ${pair}${source.slice(at)}`;
}

/** Appends a step to `migrations`, whichever form it has; earlier steps are never touched. */
export function appendTomlArrayEntry(source: string, key: string, entry: Record<string, unknown>): string {
  return appendTomlArrayAt(source, [key], entry);
}

/** A dotted key as a header writes it: bare parts, quoted where they must be. */
const header = (path: readonly string[]) => path.map((part) => (/^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part))).join(".");

const startsWith = (path: ConfigPath, prefix: readonly string[]) => path.length > prefix.length && prefix.every((part, i) => path[i] === part);

/** Where a new table goes: after the last table of `group` and its body, before what leads into the next. */
function afterGroup(source: string, group: TomlTable[], block: string, eol: string): string {
  if (group.length === 0) return `${source.replace(/\s*$/, "")}${eol}${eol}${block}${eol}`;
  const last = group.reduce((a, b) => (b.headerStart > a.headerStart ? b : a));
  const body = source.slice(last.headerEnd, last.end);
  const end = last.headerEnd + body.replace(/(?:\r?\n[ \t]*(?:#[^\r\n]*)?)*\s*$/, "").length;
  return `${source.slice(0, end)}${eol}${eol}${block}${source.slice(end)}`;
}

const lines = (entry: Record<string, unknown>, eol: string) =>
  Object.entries(entry)
    .map(([k, v]) => `${k} = ${inline(v, "toml")}`)
    .join(eol);

/**
 * Appends an entry to the array at `path` (`["env", "staging", "kv_namespaces"]`) in the form
 * it has: into an inline array, or as one more `[[...]]` table after the group's last.
 */
export function appendTomlArrayAt(source: string, path: string[], entry: Record<string, unknown>): string {
  const eol = eolOf(source);
  const layout = scanToml(source);
  const array = layout.values.find((v) => samePath(v.path, path) && v.kind === "array");
  if (array) {
    const items = layout.values.filter(
      (v) => v.path.length === path.length + 1 && startsWith(v.path, path) && typeof v.path[path.length] === "number",
    );
    const text = inline(entry, "toml");
    if (items.length === 0) return `${source.slice(0, array.start + 1)}${text}${source.slice(array.start + 1)}`;
    const last = items.reduce((a, b) => (b.end > a.end ? b : a));
    const first = items.reduce((a, b) => (b.start < a.start ? b : a));
    const multiline = source.slice(array.start, first.start).includes("\n");
    const separator = multiline ? `,${eol}${lineAt(source, first.start).indent}` : ", ";
    return `${source.slice(0, last.end)}${separator}${text}${source.slice(last.end)}`;
  }
  // A step's own sub-tables belong to its group too.
  return afterGroup(
    source,
    layout.tables.filter((t) => startsWith(t.path, path)),
    `[[${header(path)}]]${eol}${lines(entry, eol)}`,
    eol,
  );
}

/** Adds the table `[path]` with `entry`'s keys, after the last table of its parent (`[exports.X]` among the other exports). */
export function addTomlTable(source: string, path: string[], entry: Record<string, unknown>): string {
  const eol = eolOf(source);
  const layout = scanToml(source);
  const parent = path.slice(0, -1);
  return afterGroup(
    source,
    layout.tables.filter((t) => startsWith(t.path, parent)),
    `[${header(path)}]${eol}${lines(entry, eol)}`,
    eol,
  );
}

/**
 * Records a class rename in `[exports.<from>]` with line edits: `storage` goes, `state` and
 * `renamed_to` are set, and a live `[exports.<to>]` follows the table's last value, so comments
 * in and after the table stay. Inline and dotted forms of the map are refused by the caller's check.
 */
export const renameInTomlExports: ExportsRenameEdit = (source, from, to, renamed, live) => {
  const eol = eolOf(source);
  const layout = scanToml(source);
  const path = ["exports", from];
  if (!layout.tables.some((t) => samePath(t.path, path) && !t.array)) throw new ConfigEditError(`no [exports.${from}] table`);
  const own = layout.values.filter((v) => v.path.length === 3 && samePath(v.path.slice(0, 2), path));
  const last = own.reduce((a, b) => (b.end > a.end ? b : a), own[0]!);
  if (!last) throw new ConfigEditError(`[exports.${from}] is empty`);
  const at = (key: string) => own.find((v) => v.path[2] === key);
  const pairs = (entry: Record<string, unknown>) => Object.entries(entry).map(([k, v]) => `${k} = ${inline(v, "toml")}`);
  const added = Object.entries(renamed)
    .filter(([key]) => key !== "type" && !at(key))
    .map(([k, v]) => `${eol}${k} = ${inline(v, "toml")}`)
    .join("");
  const insertAt = lineAt(source, last.end).end;
  let text = `${source.slice(0, insertAt)}${added}${eol}${eol}[exports.${to}]${eol}${pairs(live).join(eol)}${source.slice(insertAt)}`;
  // Edits before the insertion point, last first, so earlier offsets hold.
  const edits = own
    .filter((v) => v.path[2] !== "type")
    .sort((a, b) => b.start - a.start)
    .map((v) => ({ v, key: String(v.path[2]) }));
  for (const { v, key } of edits) {
    if (key in renamed) {
      text = text.slice(0, v.start) + inline(renamed[key], "toml") + text.slice(v.end);
    } else {
      const line = lineAt(text, v.start);
      const start = Math.max(0, line.start - eol.length);
      text = text.slice(0, start) + text.slice(line.end);
    }
  }
  return text;
};
