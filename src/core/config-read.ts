/**
 * Reads a wrangler config (toml or jsonc) with real parsers into the few fields this tool
 * cares about. Used to check every config we write says what was asked.
 */
import { parse as parseJsonc, printParseErrorCode, type ParseError } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import type { ConfigFormat } from "./options.js";

export interface KvNamespaceEntry {
  binding: string;
  id?: string;
  preview_id?: string;
}
export interface DurableObjectBinding {
  name: string;
  class_name: string;
}
export interface MigrationStep {
  tag: string;
  new_sqlite_classes?: string[];
  new_classes?: string[];
  renamed_classes?: { from: string; to: string }[];
  deleted_classes?: string[];
}
/** One entry of the declarative `exports` map (wrangler 4.107+), the alternative to migrations. */
export interface ExportEntry {
  type: string;
  storage?: string;
  state?: string;
  renamed_to?: string;
}
export interface WranglerConfig {
  exports?: Record<string, ExportEntry>;
  name?: string;
  main?: string;
  compatibility_date?: string;
  durable_objects?: { bindings?: DurableObjectBinding[] };
  migrations?: MigrationStep[];
  kv_namespaces?: KvNamespaceEntry[];
}

export class ConfigParseError extends Error {}

export function readConfig(source: string, format: ConfigFormat, file = `wrangler.${format}`): WranglerConfig {
  if (format === "toml") {
    try {
      // smol-toml rejects a CR before a comment's end; CRLF and LF mean the same to TOML.
      return parseToml(source.replace(/\r\n/g, "\n")) as WranglerConfig;
    } catch (error) {
      throw new ConfigParseError(`${file} is not valid TOML: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  const errors: ParseError[] = [];
  const value = parseJsonc(source, errors, { allowTrailingComma: true });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new ConfigParseError(`${file} is not valid JSONC: ${printParseErrorCode(first.error)} at offset ${first.offset}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigParseError(`${file} does not hold a JSON object.`);
  }
  return value as WranglerConfig;
}
