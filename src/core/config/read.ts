/**
 * Reads a wrangler config (toml or jsonc) with real parsers into the few fields this tool
 * cares about. Used to check every config we write says what was asked.
 */
import { createScanner, parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { UsageError } from "../../errors.js";
import type { ConfigFormat } from "./types.js";

export interface KvNamespaceEntry {
  binding: string;
  id?: string;
  preview_id?: string;
}
export interface DurableObjectBinding {
  name: string;
  class_name: string;
  /** Set when the class belongs to another Worker: never renamed with this Worker's classes. */
  script_name?: string;
  environment?: string;
}
export interface MigrationStep {
  tag: string;
  new_sqlite_classes?: string[];
  new_classes?: string[];
  renamed_classes?: { from: string; to: string }[];
  deleted_classes?: string[];
  transferred_classes?: { from: string; from_script?: string; to: string }[];
}
/** One entry of the declarative `exports` map (wrangler 4.107+), the alternative to migrations. */
export interface ExportEntry {
  type: string;
  storage?: string;
  state?: string;
  renamed_to?: string;
  transferred_to?: string;
}
/** What the top level and each `env.<name>` section hold: bindings of every kind. */
export interface ConfigSection {
  durable_objects?: { bindings?: DurableObjectBinding[] };
  kv_namespaces?: KvNamespaceEntry[];
  migrations?: MigrationStep[];
  [key: string]: unknown;
}
export interface WranglerConfig extends ConfigSection {
  exports?: Record<string, ExportEntry>;
  name?: string;
  main?: string;
  compatibility_date?: string;
  env?: Record<string, ConfigSection>;
}

/** A config that does not parse: the user's to fix, so a usage error (exit 2) naming the place. */
export class ConfigParseError extends UsageError {}

/** 1-based line and column of a character offset. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  const before = source.slice(0, offset);
  const line = before.split("\n").length;
  return { line, column: offset - before.lastIndexOf("\n") };
}

/** As smol-toml limits TOML: jsonc-parser recurses per level and would overflow the stack first. */
const MAX_DEPTH = 1000;

/** The offset where `source` (JSONC) nests deeper than MAX_DEPTH, found without recursion. */
function jsoncTooDeep(source: string): number | undefined {
  // jsonc-parser's SyntaxKind is a const enum, out of reach under verbatimModuleSyntax: its values.
  const [OPEN_BRACE, CLOSE_BRACE, OPEN_BRACKET, CLOSE_BRACKET, EOF] = [1, 2, 3, 4, 17];
  const scanner = createScanner(source, false);
  let depth = 0;
  for (let token: number = scanner.scan(); token !== EOF; token = scanner.scan()) {
    if (token === OPEN_BRACE || token === OPEN_BRACKET) {
      if (++depth > MAX_DEPTH) return scanner.getTokenOffset();
    } else if (token === CLOSE_BRACE || token === CLOSE_BRACKET) depth--;
  }
  return undefined;
}

/** A UTF-8 byte-order mark, as some Windows editors save one; wrangler reads past it. */
export const BOM = "\uFEFF";

export function readConfig(text: string, format: ConfigFormat, file = `wrangler.${format}`): WranglerConfig {
  const source = text.startsWith(BOM) ? text.slice(BOM.length) : text;
  if (format === "toml") {
    try {
      // smol-toml rejects a CR before a comment's end; CRLF and LF mean the same to TOML.
      return parseToml(source.replace(/\r\n/g, "\n")) as WranglerConfig;
    } catch (error) {
      const { line, column } = error as { line?: number; column?: number };
      const where = line ? `:${line}:${column ?? 1}` : "";
      const reason = (error as Error).message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
      throw new ConfigParseError(`${file}${where} is not valid TOML: ${reason}.`, "Fix the file (nothing was written), then run the command again.");
    }
  }
  const tooDeep = jsoncTooDeep(source);
  if (tooDeep !== undefined) {
    const { line, column } = lineColumn(source, tooDeep);
    throw new ConfigParseError(
      `${file}:${line}:${column} is not a config create-do-kv can read: nested more than ${MAX_DEPTH} levels deep.`,
      "Fix the file (nothing was written), then run the command again.",
    );
  }
  const errors: ParseError[] = [];
  const value = parseJsonc(source, errors, { allowTrailingComma: true });
  if (errors.length > 0) {
    const first = errors[0]!;
    const { line, column } = lineColumn(source, first.offset);
    throw new ConfigParseError(
      `${file}:${line}:${column} is not valid JSONC: ${printParseErrorCode(first.error)}.`,
      "Fix the file (nothing was written), then run the command again.",
    );
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigParseError(`${file} does not hold a JSON object.`);
  }
  return value as WranglerConfig;
}
