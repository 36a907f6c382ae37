/**
 * Text edits of wrangler.jsonc / wrangler.json, located with jsonc-parser's syntax tree so
 * comments and formatting elsewhere stay. Unchecked on their own; the policy in edit.ts parses
 * before and after.
 *
 * A value is replaced with jsonc-parser's own modify + applyEdits, which changes exactly that
 * value. Insertions are written here: modify re-formats what it inserts into (a one-line
 * object became five lines, the `v1` step of a migrations array was re-indented, and a comment
 * at the end of a line ended up after the inserted property), which the byte-preserving promise
 * does not allow.
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, type Node } from "jsonc-parser";
import { ConfigEditError, eolOf, inline, lineAt, type ExportsRenameEdit } from "./edit-text.js";
import type { ConfigPath } from "./types.js";

function nodeAt(source: string, path: ConfigPath): Node | undefined {
  const tree = parseTree(source, [], { allowTrailingComma: true });
  return tree && findNodeAtLocation(tree, path);
}

export function replaceJsoncString(source: string, path: ConfigPath, value: string): string {
  const node = nodeAt(source, path);
  if (node?.type !== "string") throw new ConfigEditError(`no string at ${path.join(".")}`);
  return applyEdits(source, modify(source, path, value, {}));
}

/**
 * Adds `"key": "value"` to the object at `entryPath`, next to `anchorKey`: on its line for a
 * one-line object, else on a line of its own after it, so a comment at the end of the anchor's
 * line stays with it.
 */
export function insertJsoncField(source: string, entryPath: ConfigPath, anchorKey: string, key: string, value: string): string {
  const entry = nodeAt(source, entryPath);
  if (entry?.type !== "object") throw new ConfigEditError(`no object at ${entryPath.join(".")}`);
  const anchor = findNodeAtLocation(entry, [anchorKey])?.parent;
  const property = `${JSON.stringify(key)}: ${JSON.stringify(value)}`;
  if (!anchor) {
    const inner = source.slice(entry.offset + 1, entry.offset + entry.length - 1);
    if (inner.trim() !== "") throw new ConfigEditError(`no "${anchorKey}" at ${entryPath.join(".")}`);
    return `${source.slice(0, entry.offset)}{ ${property} }${source.slice(entry.offset + entry.length)}`;
  }
  const after = anchor.offset + anchor.length;
  const line = lineAt(source, after);
  const objectEnd = entry.offset + entry.length;
  const multiline = source.slice(lineAt(source, entry.offset).start, after).includes("\n");
  if (!multiline || objectEnd <= line.end) return `${source.slice(0, after)}, ${property}${source.slice(after)}`;
  const newLine = `${eolOf(source)}${lineAt(source, anchor.offset).indent}${property}`;
  if (/^\s*,/.test(source.slice(after, objectEnd))) return `${source.slice(0, line.end)}${newLine},${source.slice(line.end)}`;
  return `${source.slice(0, after)},${source.slice(after, line.end)}${newLine}${source.slice(line.end)}`;
}

/** Appends an entry to the top-level array `key`, creating the array when there is none. */
export function appendJsoncArrayEntry(source: string, key: string, entry: Record<string, unknown>): string {
  return appendJsoncArrayAt(source, [key], entry);
}

/** How a new member is laid out: on lines of its own (indent, one level, line end) or, undefined, on one line. */
type Layout = { indent: string; unit: string; eol: string } | undefined;

/** `[entry]` under the keys `rest`: `{ "a": { "b": [entry] } }`, laid out as its neighbours are. */
function nested(rest: ConfigPath, entry: string, layout: Layout): string {
  if (!layout) return rest.reduceRight<string>((inner, key) => `{ ${JSON.stringify(key)}: ${inner} }`, `[${entry}]`);
  const { indent, unit, eol } = layout;
  const inner = `${indent}${unit}`;
  if (rest.length === 0) return `[${eol}${inner}${entry}${eol}${indent}]`;
  return `{${eol}${inner}${JSON.stringify(rest[0])}: ${nested(rest.slice(1), entry, { indent: inner, unit, eol })}${eol}${indent}}`;
}

/** Adds `"key": value` as the last member of the object `object`, on a line of its own when its members are. */
function insertMember(source: string, object: Node, key: string, value: (layout: Layout) => string): string {
  const members = object.children ?? [];
  const last = members[members.length - 1];
  if (!last) {
    // An empty object is written anew; one holding only comments is left to the user.
    if (source.slice(object.offset + 1, object.offset + object.length - 1).trim() !== "")
      throw new ConfigEditError("an object holding only comments");
    return `${source.slice(0, object.offset)}{ ${JSON.stringify(key)}: ${value(undefined)} }${source.slice(object.offset + object.length)}`;
  }
  const end = last.offset + last.length;
  const multiline = source.slice(object.offset, last.offset).includes("\n");
  if (!multiline) return `${source.slice(0, end)}, ${JSON.stringify(key)}: ${value(undefined)}${source.slice(end)}`;
  const eol = eolOf(source);
  const indent = lineAt(source, last.offset).indent;
  const unit = indent.slice(lineAt(source, object.offset).indent.length) || "\t";
  return `${source.slice(0, end)},${eol}${indent}${JSON.stringify(key)}: ${value({ indent, unit, eol })}${source.slice(end)}`;
}

/**
 * Appends an entry to the array at `path` (`["env", "staging", "kv_namespaces"]`), making the
 * array, and the objects on the way to it, where there are none. The rest of the text stays.
 */
export function appendJsoncArrayAt(source: string, path: ConfigPath, entry: Record<string, unknown>): string {
  const tree = parseTree(source, [], { allowTrailingComma: true });
  if (tree?.type !== "object") throw new ConfigEditError("the config is not an object");
  const text = inline(entry, "jsonc");
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? tree : findNodeAtLocation(tree, path.slice(0, depth));
    if (!node) continue;
    if (depth < path.length) {
      if (node.type !== "object") throw new ConfigEditError(`"${path.slice(0, depth).join(".")}" is not an object`);
      return insertMember(source, node, String(path[depth]), (layout) => nested(path.slice(depth + 1), text, layout));
    }
    if (node.type !== "array") throw new ConfigEditError(`"${path.join(".")}" is not an array`);
    const items = node.children ?? [];
    const lastItem = items[items.length - 1];
    if (!lastItem) return source.slice(0, node.offset + 1) + text + source.slice(node.offset + 1);
    const after = lastItem.offset + lastItem.length;
    const multiline = source.slice(node.offset, lastItem.offset).includes("\n");
    const indent = lineAt(source, lastItem.offset).indent;
    const separator = multiline ? `,${eolOf(source)}${indent}` : ", ";
    return source.slice(0, after) + separator + (multiline ? (likeNeighbour(source, lastItem, entry, indent) ?? text) : text) + source.slice(after);
  }
  throw new ConfigEditError(`no place for "${path.join(".")}"`);
}

/**
 * `entry` laid out as the array's last item is: one member per line, at its members' indent, when
 * that item is an object written over several lines; undefined (one line) otherwise.
 */
function likeNeighbour(source: string, neighbour: Node, entry: Record<string, unknown>, indent: string): string | undefined {
  const first = neighbour.type === "object" ? neighbour.children?.[0] : undefined;
  if (!first || !source.slice(neighbour.offset, first.offset).includes("\n")) return undefined;
  const inner = lineAt(source, first.offset).indent;
  if (!inner.startsWith(indent) || inner === indent) return undefined;
  const eol = eolOf(source);
  const members = Object.entries(entry).map(([key, value]) => `${inner}${JSON.stringify(key)}: ${inline(value, "jsonc")}`);
  return `{${eol}${members.join(`,${eol}`)}${eol}${indent}}`;
}

/** Adds `"key": value` to the object at `path` (which must exist), after its last member. */
export function addJsoncMember(source: string, path: ConfigPath, key: string, value: Record<string, unknown>): string {
  const tree = parseTree(source, [], { allowTrailingComma: true });
  const node = tree && (path.length === 0 ? tree : findNodeAtLocation(tree, path));
  if (node?.type !== "object") throw new ConfigEditError(`no object at ${path.join(".")}`);
  return insertMember(source, node, key, () => inline(value, "jsonc"));
}

/** Records a class rename in `exports`: the old entry becomes `renamed`, a live one follows it. */
export const renameInJsoncExports: ExportsRenameEdit = (source, from, to, renamed, live) => {
  const value = nodeAt(source, ["exports", from]);
  if (!value) throw new ConfigEditError(`no exports.${from}`);
  const property = value.parent!;
  const multiline = source.slice(property.parent!.offset, property.offset).includes("\n");
  const separator = multiline ? `,${eolOf(source)}${lineAt(source, property.offset).indent}` : ", ";
  const end = property.offset + property.length;
  return (
    source.slice(0, value.offset) +
    inline(renamed, "jsonc") +
    source.slice(value.offset + value.length, end) +
    `${separator}${JSON.stringify(to)}: ${inline(live, "jsonc")}` +
    source.slice(end)
  );
};
