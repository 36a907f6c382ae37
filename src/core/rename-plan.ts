/**
 * Planning a rename: from `rename` flags or from the record (for `sync`) to the name changes,
 * the config edits and the migration step. Pure; refusals are UsageErrors (exit 2).
 */
import {
  appendMigration,
  renameBoundClass,
  renameDoBinding,
  renameInExports,
  renameKvBinding,
} from "./config-edit.js";
import type { MigrationStep, WranglerConfig } from "./config-read.js";
import { validateBindingName, validateClassName } from "./names.js";
import type { ConfigFormat } from "./options.js";
import type { ProjectRecord } from "./record.js";
import { UsageError } from "../errors.js";

export interface NameChange {
  from: string;
  to: string;
}

export interface Renames {
  classes: NameChange[];
  doBindings: NameChange[];
  kv: NameChange[];
}

export const NO_RENAMES: Renames = { classes: [], doBindings: [], kv: [] };

export function isEmpty(renames: Renames): boolean {
  return renames.classes.length + renames.doBindings.length + renames.kv.length === 0;
}

export function parsePair(flag: string, pair: string): NameChange {
  const parts = pair.split("=");
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new UsageError(`${flag}: "${pair}" is not OLD=NEW.`);
  return { from: parts[0].trim(), to: parts[1].trim() };
}

function bindingNames(config: WranglerConfig): string[] {
  return [
    ...(config.durable_objects?.bindings ?? []).map((b) => b.name),
    ...(config.kv_namespaces ?? []).map((e) => e.binding),
  ];
}

/**
 * Checks requested renames against the config. A rename already applied (old gone, new there)
 * is dropped as done; one whose old name is missing, or whose new name is taken, is refused.
 */
export function checkRenames(config: WranglerConfig, requested: Renames): { todo: Renames; done: string[] } {
  const done: string[] = [];
  const classes = new Set((config.durable_objects?.bindings ?? []).map((b) => b.class_name));
  const doBindings = new Set((config.durable_objects?.bindings ?? []).map((b) => b.name));
  const kv = new Set((config.kv_namespaces ?? []).map((e) => e.binding));
  const allBindings = new Set(bindingNames(config));

  const check = (
    kind: string,
    flag: string,
    changes: NameChange[],
    present: Set<string>,
    taken: Set<string>,
    validate: (name: string) => string | undefined,
  ) =>
    changes.filter(({ from, to }) => {
      const problem = validate(to);
      if (problem) throw new UsageError(`${flag}: ${problem}`);
      if (from === to) return false;
      if (!present.has(from) && present.has(to)) {
        done.push(`${kind} ${from} is already ${to}`);
        return false;
      }
      if (!present.has(from)) throw new UsageError(`${flag}: there is no ${kind} "${from}" in the config.`);
      if (taken.has(to)) throw new UsageError(`${flag}: "${to}" is already used in the config; choose another name.`);
      return true;
    });

  return {
    todo: {
      classes: check("Durable Object class", "--class", requested.classes, classes, classes, validateClassName),
      doBindings: check("Durable Object binding", "--do-binding", requested.doBindings, doBindings, allBindings, validateBindingName),
      kv: check("KV binding", "--kv", requested.kv, kv, allBindings, validateBindingName),
    },
    done,
  };
}

/** The next migration tag: v<n+1> after the highest v<n>, else v<count+1>. */
export function nextMigrationTag(migrations: readonly MigrationStep[]): string {
  const numbers = migrations.map((m) => /^v(\d+)$/.exec(m.tag)?.[1]).filter(Boolean).map(Number);
  let next = Math.max(0, ...numbers, migrations.length) + 1;
  const tags = new Set(migrations.map((m) => m.tag));
  while (tags.has(`v${next}`)) next++;
  return `v${next}`;
}

/** Class renames that no migration records yet (sync may find one the user already added). */
export function classRenamesNeedingMigration(config: WranglerConfig, classes: NameChange[]): NameChange[] {
  const recorded = (config.migrations ?? []).flatMap((m) => m.renamed_classes ?? []);
  return classes.filter(({ from, to }) => !recorded.some((r) => r.from === from && r.to === to));
}

export function migrationFor(config: WranglerConfig, classes: NameChange[]): MigrationStep | undefined {
  const needed = classRenamesNeedingMigration(config, classes);
  if (needed.length === 0) return undefined;
  return { tag: nextMigrationTag(config.migrations ?? []), renamed_classes: needed.map(({ from, to }) => ({ from, to })) };
}

/** The config text after the renames: names changed, a migration appended for renamed classes. */
export function applyConfigRenames(source: string, format: ConfigFormat, config: WranglerConfig, renames: Renames): string {
  let text = source;
  for (const { from, to } of renames.kv) text = renameKvBinding(text, format, from, to);
  for (const { from, to } of renames.doBindings) text = renameDoBinding(text, format, from, to);
  for (const { from, to } of renames.classes) text = renameBoundClass(text, format, from, to);
  return recordClassRenames(text, format, config, renames.classes);
}

/**
 * Records class renames where the config keeps its class history: a new migration step, or,
 * for a config using the declarative `exports` map, renamed entries there.
 */
export function recordClassRenames(source: string, format: ConfigFormat, config: WranglerConfig, classes: NameChange[]): string {
  if (config.exports) {
    let text = source;
    for (const { from, to } of classes) {
      const entries = config.exports;
      if (entries[from]?.state === "renamed" && entries[from]?.renamed_to === to) continue; // already recorded
      if (entries[to]) throw new UsageError(`--class: the exports map already has an entry for "${to}".`);
      text = renameInExports(text, format, from, to);
    }
    return text;
  }
  const step = migrationFor(config, classes);
  return step ? appendMigration(source, format, step) : source;
}

/**
 * What changed since the record: matched by position for Durable Objects, by namespace id for
 * KV. A changed Worker name is refused: Durable Objects belong to the Worker by name.
 */
export function renamesFromRecord(record: ProjectRecord, config: WranglerConfig): Renames {
  if (config.name !== record.worker) {
    throw new UsageError(
      `The Worker name changed from "${record.worker}" to "${config.name}". Durable Objects live under the Worker's name, so this would strand their data; ` +
        "moving them needs a `transferred_classes` migration, which create-do-kv does not write.",
      `If you have handled that yourself, set "worker" in create-do-kv.json to "${config.name}" and run sync again.`,
    );
  }
  const bindings = config.durable_objects?.bindings ?? [];
  const renames: Renames = { classes: [], doBindings: [], kv: [] };
  record.durableObjects.forEach((old, i) => {
    const now = bindings[i];
    if (!now) return;
    if (now.class_name !== old.class && !renames.classes.some((c) => c.from === old.class)) {
      renames.classes.push({ from: old.class, to: now.class_name });
    }
    if (now.name !== old.binding) renames.doBindings.push({ from: old.binding, to: now.name });
  });
  for (const old of record.kv) {
    if (!old.id) continue;
    const now = (config.kv_namespaces ?? []).find((e) => e.id === old.id);
    if (now && now.binding !== old.binding) renames.kv.push({ from: old.binding, to: now.binding });
  }
  return renames;
}
