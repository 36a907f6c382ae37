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
  const tree = parseTree(source, [], { allowTrailingComma: true });
  const array = tree && findNodeAtLocation(tree, [key]);
  const text = inline(entry, "jsonc");
  if (!array) {
    if (tree?.type !== "object") throw new ConfigEditError("the config is not an object");
    const eol = eolOf(source);
    const members = tree.children ?? [];
    const last = members[members.length - 1];
    if (!last) return `${source.slice(0, tree.offset + 1)}${JSON.stringify(key)}: [${text}]${source.slice(tree.offset + 1)}`;
    const end = last.offset + last.length;
    const indent = lineAt(source, last.offset).indent;
    return `${source.slice(0, end)},${eol}${indent}${JSON.stringify(key)}: [${text}]${source.slice(end)}`;
  }
  if (array.type !== "array") throw new ConfigEditError(`"${key}" is not an array`);
  const items = array.children ?? [];
  const lastItem = items[items.length - 1];
  if (!lastItem) return source.slice(0, array.offset + 1) + text + source.slice(array.offset + 1);
  const after = lastItem.offset + lastItem.length;
  const multiline = source.slice(array.offset, lastItem.offset).includes("\n");
  const separator = multiline ? `,${eolOf(source)}${lineAt(source, lastItem.offset).indent}` : ", ";
  return source.slice(0, after) + separator + text + source.slice(after);
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
