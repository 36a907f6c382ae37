/**
 * A model of Durable Object class lifecycles, as Cloudflare applies them: the `migrations` steps
 * replayed in order, or the declarative `exports` map, give the set of live classes. A deployed
 * step is permanent and a rename moves stored data, so every command that writes a config asks
 * this model first: after the change, every class this Worker binds must be live and every step
 * must be valid. Pure: config in, verdict out.
 */
import type { ExportEntry, MigrationStep, WranglerConfig } from "../config/read.js";
import { ownDurableObjectBindings, sectionLabel } from "../config/sections.js";

export interface Lifecycle {
  /** Classes that exist after every step (or entry) is applied. */
  live: Set<string>;
  /** For a live class that got its name from a rename: the name it had before. */
  renamedFrom: Map<string, string>;
  /** Why a step or entry is invalid, one sentence each; empty when all are valid. */
  problems: string[];
  form: "migrations" | "exports" | "none";
}

const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []);
const pairs = (value: unknown): { from: string; to: string }[] =>
  (Array.isArray(value) ? value : [])
    .filter((v): v is Record<string, unknown> => Boolean(v) && typeof v === "object")
    .map((v) => ({ from: typeof v.from === "string" ? v.from : "", to: typeof v.to === "string" ? v.to : "" }));

/** Replays `migrations` steps in order: what is live at the end, and what is wrong on the way. */
export function replayMigrations(steps: readonly MigrationStep[]): Lifecycle {
  const live = new Set<string>();
  const renamedFrom = new Map<string, string>();
  const problems: string[] = [];
  const tags = new Set<string>();
  steps.forEach((step, index) => {
    const tag = typeof step?.tag === "string" && step.tag !== "" ? step.tag : undefined;
    const where = tag ? `Migration "${tag}"` : `Migration step ${index + 1}`;
    if (!tag) problems.push(`${where} has no tag.`);
    else if (tags.has(tag)) problems.push(`${where} uses a tag an earlier step already used.`);
    if (tag) tags.add(tag);

    const created = [...list(step.new_classes), ...list(step.new_sqlite_classes)];
    const renamed = pairs(step.renamed_classes);
    const transferred = pairs(step.transferred_classes);
    const deleted = list(step.deleted_classes);
    // One step may mention a class once: the order of operations inside a step is not documented.
    const mentioned = [...created, ...renamed.flatMap((r) => [r.from, r.to]), ...transferred.map((t) => t.to), ...deleted];
    const twice = mentioned.find((name, i) => mentioned.indexOf(name) !== i);
    if (twice) problems.push(`${where} names the class "${twice}" more than once.`);

    for (const name of created) {
      if (live.has(name)) problems.push(`${where} creates "${name}", which already exists.`);
      live.add(name);
      renamedFrom.delete(name);
    }
    for (const { from, to } of renamed) {
      if (!from || !to) {
        problems.push(`${where} has a renamed_classes entry without both "from" and "to".`);
        continue;
      }
      if (!live.has(from)) problems.push(`${where} renames "${from}", which does not exist at that point.`);
      if (live.has(to)) problems.push(`${where} renames "${from}" to "${to}", which already exists.`);
      live.delete(from);
      live.add(to);
      renamedFrom.set(to, from);
    }
    for (const { to } of transferred) {
      if (!to) {
        problems.push(`${where} has a transferred_classes entry without "to".`);
        continue;
      }
      if (live.has(to)) problems.push(`${where} transfers into "${to}", which already exists.`);
      live.add(to);
      renamedFrom.delete(to);
    }
    for (const name of deleted) {
      if (!live.has(name)) problems.push(`${where} deletes "${name}", which does not exist at that point.`);
      live.delete(name);
    }
  });
  return { live, renamedFrom, problems, form: steps.length > 0 ? "migrations" : "none" };
}

const LIVE_STATES = new Set([undefined, "created", "expecting-transfer"]);
const KNOWN_STATES = new Set([...LIVE_STATES, "deleted", "renamed", "transferred"]);

/** Reads the declarative `exports` map: entries of type durable-object and their states. */
export function readExports(entries: Record<string, ExportEntry>): Lifecycle {
  const live = new Set<string>();
  const renamedFrom = new Map<string, string>();
  const problems: string[] = [];
  const objects = Object.entries(entries).filter(([, entry]) => entry?.type === "durable-object");
  for (const [name, entry] of objects) {
    if (!KNOWN_STATES.has(entry.state)) problems.push(`exports.${name} has an unknown state "${entry.state}".`);
    else if (LIVE_STATES.has(entry.state)) live.add(name);
  }
  const renamedInto = new Map<string, string>();
  for (const [name, entry] of objects) {
    if (entry.state === "renamed") {
      const to = entry.renamed_to;
      if (!to) problems.push(`exports.${name} is renamed but has no renamed_to.`);
      else if (!live.has(to)) problems.push(`exports.${name} is renamed to "${to}", which has no live entry in exports.`);
      else if (renamedInto.has(to)) problems.push(`exports.${name} and exports.${renamedInto.get(to)} are both renamed to "${to}".`);
      if (to) {
        renamedInto.set(to, name);
        renamedFrom.set(to, name);
      }
    }
    if (entry.state === "transferred" && !entry.transferred_to) problems.push(`exports.${name} is transferred but has no transferred_to.`);
  }
  return { live, renamedFrom, problems, form: "exports" };
}

/** The lifecycle the config describes, with `migrations` and `exports` never both. */
export function lifecycleOf(config: WranglerConfig): Lifecycle {
  const hasMigrations = Array.isArray(config.migrations) && config.migrations.length > 0;
  if (config.exports && typeof config.exports === "object") {
    const model = readExports(config.exports);
    if (hasMigrations) model.problems.unshift("The config has both `migrations` and `exports`; wrangler accepts only one of them.");
    return model;
  }
  if (config.migrations !== undefined && !Array.isArray(config.migrations)) {
    return { live: new Set(), renamedFrom: new Map(), problems: ["`migrations` is not a list of steps."], form: "migrations" };
  }
  return replayMigrations(config.migrations ?? []);
}

/**
 * Everything wrong with the config's Durable Object lifecycle: invalid steps, and classes bound
 * by this Worker (bindings without script_name, at the top level and in every environment)
 * that are not live. Empty when the config is safe to deploy as far as classes go.
 */
export function lifecycleProblems(config: WranglerConfig): string[] {
  const model = lifecycleOf(config);
  const problems = [...model.problems];
  const reported = new Set<string>();
  for (const { binding, env } of ownDurableObjectBindings(config)) {
    const name = binding.class_name;
    if (model.live.has(name) || reported.has(name)) continue;
    reported.add(name);
    const where = sectionLabel(env);
    problems.push(
      model.form === "exports"
        ? `The binding "${binding.name}" (${where}) uses the class "${name}", which has no live entry in exports.`
        : `The binding "${binding.name}" (${where}) uses the class "${name}", which no migration creates (or one renames or deletes it).`,
    );
  }
  return problems;
}
