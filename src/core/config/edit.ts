/**
 * Edits to a wrangler config as text, under one policy: make the smallest change (so comments,
 * order and formatting elsewhere stay byte for byte), then parse before and after with a real
 * parser; the result must equal the old config with exactly the intended change, or the edit is
 * refused and nothing is written. The text work is in edit-toml.ts and edit-jsonc.ts.
 */
import {
  addJsoncMember,
  appendJsoncArrayAt,
  appendJsoncArrayEntry,
  insertJsoncField,
  renameInJsoncExports,
  replaceJsoncString,
} from "./edit-jsonc.js";
import { ConfigEditError } from "./edit-text.js";
import { addTomlTable, appendTomlArrayAt, appendTomlArrayEntry, insertTomlField, renameInTomlExports, replaceTomlString } from "./edit-toml.js";
import { BOM, readConfig, type ExportEntry, type MigrationStep, type WranglerConfig } from "./read.js";
import { compareText } from "../compare.js";
import { UsageError } from "../../errors.js";
import type { ConfigFormat, ConfigPath } from "./types.js";
import type { KvIdField } from "./types.js";

export { ConfigEditError };

/** An edit the policy refused: the user's config is left as it is (exit 2). */
export class UnsafeEditError extends UsageError {}

/** Sorted-key JSON, so two configs compare by meaning. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareText(a, b)))
      : v,
  );
}

function setPath(config: WranglerConfig, path: ConfigPath, value: unknown): WranglerConfig {
  const copy = structuredClone(config) as Record<string | number, unknown>;
  let at = copy;
  for (const part of path.slice(0, -1)) at = at[part] as Record<string | number, unknown>;
  at[path[path.length - 1]!] = value;
  return copy as WranglerConfig;
}

export interface EditTarget {
  source: string;
  format: ConfigFormat;
  /** The file's name, for messages (wrangler.toml, wrangler.jsonc, wrangler.json). */
  file?: string;
}

/**
 * Applies `edit` and checks, by parsing before and after, that the config changed exactly as
 * `expected` says; anything else is refused with the reason.
 */
function checkedEdit(
  target: EditTarget,
  what: string,
  edit: (source: string) => string,
  expected: (config: WranglerConfig) => WranglerConfig,
): string {
  const file = target.file ?? `wrangler.${target.format}`;
  const hint = "Nothing was written; make the change by hand, then run the command again.";
  const before = readConfig(target.source, target.format, file);
  // The byte-order mark stays where it was; the editors see the text after it.
  const bom = target.source.startsWith(BOM) ? BOM : "";
  let edited: string;
  try {
    edited = bom + edit(target.source.slice(bom.length));
  } catch (error) {
    if (!(error instanceof ConfigEditError)) throw error;
    throw new UnsafeEditError(`${what}: could not find where to make the change in ${file} (${error.message}).`, hint);
  }
  let after: WranglerConfig;
  try {
    after = readConfig(edited, target.format, file);
  } catch {
    throw new UnsafeEditError(`${what} would leave ${file} unparseable.`, hint);
  }
  if (canonical(after) !== canonical(expected(before))) {
    throw new UnsafeEditError(`${what} would change more than that in ${file}.`, hint);
  }
  return edited;
}

export interface StringSet {
  path: ConfigPath;
  value: string;
}

/** Sets string values (binding names, class names) at the given paths, nothing else. */
export function setStrings(target: EditTarget, sets: readonly StringSet[], what: string): string {
  const replace = target.format === "toml" ? replaceTomlString : replaceJsoncString;
  return checkedEdit(
    target,
    what,
    (text) => sets.reduce((acc, { path, value }) => replace(acc, path, value), text),
    (config) => sets.reduce((acc, { path, value }) => setPath(acc, path, value), config),
  );
}

/** Sets `id` or `preview_id` of the KV binding at `entryPath` (default: the top-level one named `binding`). */
export function setKvNamespaceField(target: EditTarget, binding: string, field: KvIdField, value: string, entryPath?: ConfigPath): string {
  const what = `Setting ${field} of KV binding "${binding}"`;
  const config = readConfig(target.source, target.format, target.file);
  const index = (config.kv_namespaces ?? []).findIndex((e) => e.binding === binding);
  const path = entryPath ?? ["kv_namespaces", index];
  if (!entryPath && index === -1) throw new UnsafeEditError(`${what}: there is no such binding in ${target.file ?? `wrangler.${target.format}`}.`);
  const toml = target.format === "toml";
  const entry = path.reduce<unknown>((at, part) => (at as Record<string | number, unknown>)?.[part], config) as Record<string, unknown>;
  const edit =
    typeof entry?.[field] === "string"
      ? (text: string) => (toml ? replaceTomlString : replaceJsoncString)(text, [...path, field], value)
      : (text: string) => (toml ? insertTomlField : insertJsoncField)(text, path, "binding", field, value);
  return checkedEdit(target, what, edit, (c) => setPath(c, [...path, field], value));
}

/** Appends a migration step after the last one; earlier steps are never touched. */
export function appendMigration(target: EditTarget, step: MigrationStep): string {
  const append = target.format === "toml" ? appendTomlArrayEntry : appendJsoncArrayEntry;
  return checkedEdit(
    target,
    `Adding migration ${step.tag}`,
    (text) => append(text, "migrations", { ...step }),
    (config) => ({ ...config, migrations: [...(config.migrations ?? []), step] }),
  );
}

/**
 * Records a class rename in the declarative `exports` map: the old entry becomes
 * `{ type, state: "renamed", renamed_to }` and a live entry for the new name is added after it
 * with the old storage.
 */
export function renameInExports(target: EditTarget, from: string, to: string): string {
  const old = readConfig(target.source, target.format, target.file).exports?.[from];
  const what = `Recording the rename of "${from}" in exports`;
  if (!old) throw new UnsafeEditError(`${what}: the exports map has no entry for "${from}".`);
  const renamed: ExportEntry = { type: old.type, state: "renamed", renamed_to: to };
  const live: ExportEntry = { type: old.type, storage: old.storage ?? "sqlite" };
  const edit = target.format === "toml" ? renameInTomlExports : renameInJsoncExports;
  return checkedEdit(
    target,
    what,
    (text) => edit(text, from, to, { ...renamed }, { ...live }),
    (config) => ({ ...config, exports: { ...config.exports, [from]: renamed, [to]: live } }),
  );
}

/** `config` with `value` at `path`, making the objects on the way where there are none. */
function setDeep(config: WranglerConfig, path: readonly string[], value: unknown): WranglerConfig {
  const copy = structuredClone(config) as Record<string, unknown>;
  let at = copy;
  for (const part of path.slice(0, -1)) {
    if (!at[part] || typeof at[part] !== "object") at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
  return copy as WranglerConfig;
}

const getDeep = (config: WranglerConfig, path: readonly string[]): unknown =>
  path.reduce<unknown>((at, part) => (at && typeof at === "object" ? (at as Record<string, unknown>)[part] : undefined), config);

/** Appends `entry` to the array at `path` (a binding list, in any section), making it where there is none. */
export function appendEntry(target: EditTarget, path: string[], entry: Record<string, unknown>, what: string): string {
  return checkedEdit(
    target,
    what,
    (text) => (target.format === "toml" ? appendTomlArrayAt(text, path, entry) : appendJsoncArrayAt(text, path, entry)),
    (config) => {
      const list = getDeep(config, path);
      return setDeep(config, path, [...(Array.isArray(list) ? list : []), entry]);
    },
  );
}

/** Adds the entry `name` to the declarative `exports` map, which exists. */
export function addExportsEntry(target: EditTarget, name: string, entry: ExportEntry): string {
  return checkedEdit(
    target,
    `Adding exports.${name}`,
    (text) =>
      target.format === "toml" ? addTomlTable(text, ["exports", name], { ...entry }) : addJsoncMember(text, ["exports"], name, { ...entry }),
    (config) => ({ ...config, exports: { ...config.exports, [name]: entry } }),
  );
}
