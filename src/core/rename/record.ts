/**
 * The record of what create-do-kv last generated, kept in the project as create-do-kv.json.
 * It is how `sync` tells a rename from a removal: the config says what the names are now, the
 * record what they were. A KV binding whose id stayed while its name changed was renamed.
 */
import type { ExportEntry, MigrationStep, WranglerConfig } from "../config/read.js";
import type { NameChange, Renames } from "./plan.js";
import { ownDurableObjectBindings } from "../config/sections.js";
import { UsageError } from "../../errors.js";

export const RECORD_FILE = "create-do-kv.json";

export interface ProjectRecord {
  $comment: string;
  worker: string;
  durableObjects: { binding: string; class: string }[];
  kv: { binding: string; id: string | null }[];
  /** The lifecycle as last written, the reference `check` holds later steps against outside git. */
  migrations?: MigrationStep[];
  exports?: Record<string, ExportEntry>;
}

/** The config's lifecycle, as the record keeps it. */
function lifecycleOfConfig(config: WranglerConfig): Pick<ProjectRecord, "migrations" | "exports"> {
  return {
    ...(Array.isArray(config.migrations) ? { migrations: config.migrations } : {}),
    ...(config.exports && typeof config.exports === "object" ? { exports: config.exports } : {}),
  };
}

export function recordFromConfig(config: WranglerConfig): ProjectRecord {
  return {
    $comment:
      "Written by create-do-kv: the names it last generated, so `npx create-do-kv sync` can tell a rename from a removal. Commit it; do not edit it by hand.",
    worker: config.name ?? "",
    // Only this Worker's own classes: a binding to another Worker's is that Worker's to rename.
    durableObjects: ownDurableObjectBindings(config)
      .filter((l) => l.env === undefined)
      .map(({ binding }) => ({ binding: binding.name, class: binding.class_name })),
    kv: (config.kv_namespaces ?? []).map((e) => ({ binding: e.binding, id: e.id ?? null })),
    ...lifecycleOfConfig(config),
  };
}

/** Whether two records name different things (ids and the lifecycle snapshot aside). */
export function recordNamesDiffer(a: ProjectRecord, b: ProjectRecord): boolean {
  const names = (r: ProjectRecord) =>
    JSON.stringify([r.worker, r.durableObjects.map((d) => `${d.binding}:${d.class}`).sort(), r.kv.map((k) => k.binding).sort()]);
  return names(a) !== names(b);
}

export function serializeRecord(record: ProjectRecord): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export class RecordError extends UsageError {}

export function parseRecord(text: string): ProjectRecord {
  let value: Partial<ProjectRecord>;
  try {
    value = JSON.parse(text) as Partial<ProjectRecord>;
  } catch (error) {
    throw new RecordError(`${RECORD_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value.worker !== "string" || !Array.isArray(value.durableObjects) || !Array.isArray(value.kv)) {
    throw new RecordError(`${RECORD_FILE} does not have the expected fields (worker, durableObjects, kv).`);
  }
  return value as ProjectRecord;
}

/**
 * The record after a rename: the old record with the renamed names changed and nothing else, so
 * a hand edit the rename did not cover (another binding renamed in the config) is still seen by
 * the next `sync`. Without an old record, the config's names are all there is.
 */
export function renamedRecord(old: ProjectRecord | undefined, config: WranglerConfig, renames: Renames): ProjectRecord {
  if (!old) return recordFromConfig(config);
  const to = (changes: NameChange[], name: string) => changes.find((c) => c.from === name)?.to ?? name;
  return {
    ...old,
    ...lifecycleOfConfig(config),
    durableObjects: old.durableObjects.map((d) => ({ binding: to(renames.doBindings, d.binding), class: to(renames.classes, d.class) })),
    kv: old.kv.map((k) => ({ ...k, binding: to(renames.kv, k.binding) })),
  };
}
