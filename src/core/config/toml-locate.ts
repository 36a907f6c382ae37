/**
 * Where each value of a TOML document sits in its text, by the path a parser would give it
 * (["env", "staging", "kv_namespaces", 0, "binding"]), and where each table's header and body
 * are. This is what lets config edits touch exactly one value, whatever shape the user wrote:
 * `[[tables]]`, inline arrays and tables, dotted keys, sub-tables of array entries, either quote
 * style, CRLF, comments anywhere. Only run on text a real parser has accepted; the edits made with
 * it are checked by parsing again.
 */
import { ConfigEditError } from "./edit-text.js";
import type { ConfigPath } from "./types.js";

export interface TomlValue {
  path: ConfigPath;
  start: number;
  end: number;
  kind: "string" | "array" | "table" | "other";
  /** For strings: the quote they were written with. */
  quote?: '"' | "'" | '"""' | "'''";
}

export interface TomlTable {
  path: ConfigPath;
  /** Offset of the header's first character. */
  headerStart: number;
  /** Offset just after the header (`]` or `]]`). */
  headerEnd: number;
  /** Where the next header starts, or the end of the text. */
  end: number;
  array: boolean;
}

export interface TomlLayout {
  values: TomlValue[];
  tables: TomlTable[];
}

/** TOML this scanner does not follow: the edit is refused as unsafe, never guessed. */
export class TomlScanError extends ConfigEditError {}

const BARE_KEY = /[A-Za-z0-9_-]/;

export function scanToml(source: string): TomlLayout {
  const values: TomlValue[] = [];
  const tables: TomlTable[] = [];
  const arrayTables = new Map<string, number>();
  let i = 0;
  let current: ConfigPath = [];

  const fail = (what: string): never => {
    throw new TomlScanError(`Unexpected TOML at offset ${i}: ${what}`);
  };
  const skipSpace = () => {
    while (i < source.length && (source[i] === " " || source[i] === "\t")) i++;
  };
  /** Spaces, line breaks and comments. */
  const skipBlank = () => {
    for (;;) {
      skipSpace();
      if (source[i] === "#") {
        while (i < source.length && source[i] !== "\n") i++;
      } else if (source[i] === "\n" || source[i] === "\r") i++;
      else return;
    }
  };

  const basicStringEnd = (from: number, delimiter: string): number => {
    let j = from;
    while (j < source.length) {
      if (source[j] === "\\") j += 2;
      else if (source.startsWith(delimiter, j)) {
        // A multi-line string may end in up to two extra quotes: `""""` closes after the content quote.
        let end = j + delimiter.length;
        while (delimiter.length === 3 && source[end] === '"' && end - j < 5) end++;
        return end;
      } else j++;
    }
    return fail("unterminated string");
  };

  const readKeyPart = (): string => {
    const c = source[i];
    if (c === '"') {
      const end = basicStringEnd(i + 1, '"');
      const text = source.slice(i, end);
      i = end;
      return JSON.parse(text) as string;
    }
    if (c === "'") {
      const end = source.indexOf("'", i + 1);
      if (end === -1) fail("unterminated key");
      const text = source.slice(i + 1, end);
      i = end + 1;
      return text;
    }
    const start = i;
    while (i < source.length && BARE_KEY.test(source[i]!)) i++;
    if (i === start) fail("expected a key");
    return source.slice(start, i);
  };

  const readKey = (): string[] => {
    const parts = [readKeyPart()];
    for (;;) {
      skipSpace();
      if (source[i] !== ".") return parts;
      i++;
      skipSpace();
      parts.push(readKeyPart());
    }
  };

  const readValue = (path: ConfigPath): void => {
    const start = i;
    const c = source[i];
    if (c === '"' || c === "'") {
      const triple = source.startsWith(c.repeat(3), i);
      const quote = (triple ? c.repeat(3) : c) as TomlValue["quote"];
      const end =
        c === '"'
          ? basicStringEnd(i + quote!.length, quote!)
          : (() => {
              const close = source.indexOf(quote!, i + quote!.length);
              if (close === -1) fail("unterminated string");
              let e = close + quote!.length;
              while (triple && source[e] === "'" && e - close < 5) e++;
              return e;
            })();
      i = end;
      values.push({ path, start, end, kind: "string", quote });
      return;
    }
    if (c === "[") {
      i++;
      let index = 0;
      for (;;) {
        skipBlank();
        if (source[i] === "]") break;
        readValue([...path, index++]);
        skipBlank();
        if (source[i] === ",") i++;
        else if (source[i] !== "]") fail("expected , or ] in an array");
      }
      i++;
      values.push({ path, start, end: i, kind: "array" });
      return;
    }
    if (c === "{") {
      i++;
      for (;;) {
        skipBlank();
        if (source[i] === "}") break;
        const key = readKey();
        skipSpace();
        if (source[i] !== "=") fail("expected = in an inline table");
        i++;
        skipSpace();
        readValue([...path, ...key]);
        skipBlank();
        if (source[i] === ",") i++;
        else if (source[i] !== "}") fail("expected , or } in an inline table");
      }
      i++;
      values.push({ path, start, end: i, kind: "table" });
      return;
    }
    // Numbers, booleans, dates: up to a delimiter (a date may hold one space before its time).
    while (i < source.length && !/[,\]}#\r\n]/.test(source[i]!)) i++;
    let end = i;
    while (end > start && /[ \t]/.test(source[end - 1]!)) end--;
    if (end === start) fail("expected a value");
    values.push({ path, start, end, kind: "other" });
  };

  /** The concrete path of a header: array-of-tables segments resolve to their latest entry. */
  const resolveHeader = (segments: string[], isArray: boolean): ConfigPath => {
    const path: ConfigPath = [];
    segments.forEach((segment, k) => {
      path.push(segment);
      const key = JSON.stringify(path);
      if (k === segments.length - 1 && isArray) {
        const count = arrayTables.get(key) ?? 0;
        arrayTables.set(key, count + 1);
        path.push(count);
      } else if (arrayTables.has(key)) {
        path.push(arrayTables.get(key)! - 1);
      }
    });
    return path;
  };

  for (;;) {
    skipBlank();
    if (i >= source.length) break;
    if (source[i] === "[") {
      const headerStart = i;
      const isArray = source[i + 1] === "[";
      i += isArray ? 2 : 1;
      skipSpace();
      const segments = readKey();
      skipSpace();
      const close = isArray ? "]]" : "]";
      if (!source.startsWith(close, i)) fail("expected the end of a table header");
      i += close.length;
      const previous = tables[tables.length - 1];
      if (previous) previous.end = headerStart;
      current = resolveHeader(segments, isArray);
      tables.push({ path: current, headerStart, headerEnd: i, end: source.length, array: isArray });
      continue;
    }
    const key = readKey();
    skipSpace();
    if (source[i] !== "=") fail("expected =");
    i++;
    skipSpace();
    readValue([...current, ...key]);
  }
  return { values, tables };
}

export const samePath = (a: ConfigPath, b: ConfigPath) => a.length === b.length && a.every((part, k) => part === b[k]);
export const startsWith = (path: ConfigPath, prefix: ConfigPath) => path.length >= prefix.length && prefix.every((part, k) => path[k] === part);
