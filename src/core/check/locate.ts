/** The line of a value in a config's text, by its parsed path, for findings that say file:line. Pure. */
import { findNodeAtLocation, parseTree } from "jsonc-parser";
import { BOM } from "../config/read.js";
import { scanToml } from "../config/toml-locate.js";
import type { ConfigFormat, ConfigPath } from "../config/types.js";

const lineAt = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/**
 * The 1-based line of the value at `path`, or of the nearest enclosing value that exists; 1 when
 * none does (an empty config).
 */
export function lineOf(source: string, format: ConfigFormat, path: ConfigPath): number {
  const text = source.startsWith(BOM) ? source.slice(BOM.length) : source;
  for (let length = path.length; length > 0; length--) {
    const at = path.slice(0, length);
    const offset = format === "toml" ? tomlOffset(text, at) : jsoncOffset(text, at);
    if (offset !== undefined) return lineAt(text, offset);
  }
  return 1;
}

const same = (a: ConfigPath, b: ConfigPath) => a.length === b.length && a.every((part, i) => part === b[i]);

function tomlOffset(text: string, path: ConfigPath): number | undefined {
  try {
    const layout = scanToml(text);
    return layout.values.find((v) => same(v.path, path))?.start ?? layout.tables.find((t) => same(t.path, path))?.headerStart;
  } catch {
    return undefined; // a shape the scanner does not follow: the caller falls back to a parent
  }
}

function jsoncOffset(text: string, path: ConfigPath): number | undefined {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const node = tree && findNodeAtLocation(tree, path);
  return node?.offset;
}
