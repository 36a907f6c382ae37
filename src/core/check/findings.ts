/**
 * `check`: whether the next deploy is safe for the Worker's data, from the config, what main
 * exports, the committed config (git HEAD) or the record, the types file and what the code reads.
 * Two levels: an error when the deploy would be rejected or would lose or hide data (the rule in
 * Cloudflare's words where its API rejects it); a notice when only the record or the types are
 * out of date. Each finding says where (file:line) and what to do. Pure: every input is data.
 */
import type { ExportEntry, MigrationStep, WranglerConfig } from "../config/read.js";
import { allBindings, envBindingNames, kvBindings, ownDurableObjectBindings, sectionLabel, sectionsOf } from "../config/sections.js";
import type { ConfigFormat, ConfigPath } from "../config/types.js";
import { NAMESPACE_ID } from "../kv/wrangler-output.js";
import { lifecycleOf } from "../migrations/lifecycle.js";
import type { ProjectRecord } from "../rename/record.js";
import { lineOf } from "./locate.js";

/** error: the deploy is rejected, or loses or hides data. notice: out of date, nothing at risk. */
export type Level = "error" | "notice";

export interface Finding {
  file: string;
  line: number;
  level: Level;
  message: string;
  fix: string;
  /** The rule broken, as Cloudflare's documentation or API words it, where it has words for it. */
  rule?: string;
}

export interface CheckInput {
  /** The config's file name, relative to the project. */
  file: string;
  format: ConfigFormat;
  source: string;
  config: WranglerConfig;
  /** The config as committed, the reference for earlier steps and names; absent outside git. */
  committed?: { config: WranglerConfig; where: string };
  record?: ProjectRecord;
  /** The main module, relative to the project, and the classes it exports (undefined: unreadable). */
  main: string;
  mainClasses?: ReadonlySet<string>;
  /** The binding names the types file's Env declares; undefined without a types file. */
  typesEnv?: ReadonlySet<string>;
  /** Where the project keeps its types (its cf-typegen script's file), for the finding's place. */
  typesFile?: string;
  /** Binding names the Worker's code reads (`env.NAME`); undefined when the code was not read. */
  codeReads?: ReadonlySet<string>;
}

/** Data compared by meaning: the order of keys in a table is not meaning, the order in a list is. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}
const same = (a: unknown, b: unknown) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

/** Cloudflare's words for the uploads its API rejects (Durable Object migrations docs, API errors). */
export const RULES = {
  notLive: (name: string) =>
    `Cloudflare rejects the upload (code 10061): "Cannot create binding for class '${name}' because it is not currently configured to implement Durable Objects".`,
  deletedBound: (name: string) =>
    `Cloudflare rejects the upload (code 10061): "Cannot apply --delete-class migration to class '${name}' without also removing the binding that references it".`,
  notExported: (name: string) =>
    `Cloudflare rejects the upload (code 10064): "New version of script does not export class '${name}' which is depended on by existing Durable Objects".`,
  stepEdited:
    "A deployed migration is never applied again: wrangler uploads only the steps after the last deployed tag (code 10079 when the tags disagree, 10074 when a step is replayed).",
  invalidStep:
    "Cloudflare applies migration steps in tag order, each valid against the classes that exist at that point (Durable Object migrations docs).",
  newWorker:
    "Durable Objects and auto-provisioned KV namespaces belong to the Worker's name: a renamed Worker is a new Worker, with new, empty Durable Object namespaces (Durable Object migrations docs).",
  kvIdChanged: "A KV binding reads and writes the namespace its id names; the data stays in the namespace it had (KV bindings docs).",
  kvProvisioned:
    "wrangler deploy creates a namespace for a KV binding without an id, titled after the Worker and the binding (4.45+): a renamed binding gets a new, empty one.",
  missingBinding: "A binding the code reads and the config does not declare is undefined at run time: the first request that reads it throws.",
  duplicateBinding: "Each binding name may appear once in a Worker's configuration (wrangler's config validation).",
  namespaceId: "A KV namespace id is 32 lowercase hexadecimal characters (Cloudflare's API refuses any other).",
} as const;

/** The step (or exports entry) that makes `name` live, for a finding's line. */
function whereLive(config: WranglerConfig, name: string): ConfigPath {
  if (config.exports && typeof config.exports === "object") return ["exports", name];
  const steps = config.migrations ?? [];
  for (let i = steps.length - 1; i >= 0; i--) {
    const step = steps[i]!;
    const made = [...(step.new_sqlite_classes ?? []), ...(step.new_classes ?? []), ...(step.renamed_classes ?? []).map((r) => r.to)];
    if (made.includes(name)) return ["migrations", i];
  }
  return ["migrations"];
}

/** Whether the lifecycle carries `from` into `to` through renames. */
function renamedInto(renamedFrom: ReadonlyMap<string, string>, from: string, to: string): boolean {
  const seen = new Set<string>();
  for (let at: string | undefined = to; at !== undefined && !seen.has(at); at = renamedFrom.get(at)) {
    if (at === from) return true;
    seen.add(at);
  }
  return false;
}

export function checkProject(input: CheckInput): Finding[] {
  const { file, config } = input;
  const at = (path: ConfigPath) => lineOf(input.source, input.format, path);
  const findings: Finding[] = [];
  const error = (path: ConfigPath, message: string, fix: string, rule?: string) =>
    findings.push({ file, line: at(path), level: "error", message, fix, ...(rule ? { rule } : {}) });
  const notice = (path: ConfigPath, message: string, fix: string) => findings.push({ file, line: at(path), level: "notice", message, fix });
  const model = lifecycleOf(config);
  const lifecycleKey = model.form === "exports" ? "exports" : "migrations";

  // The steps (or entries) as written: each valid.
  for (const problem of model.problems) {
    error(
      [lifecycleKey],
      problem,
      "Fix it so every step is valid; a step that was deployed must never be edited, only followed by new ones.",
      RULES.invalidStep,
    );
  }

  // Every class this Worker binds, in every section, is live.
  const reported = new Set<string>();
  for (const { binding, env, path } of ownDurableObjectBindings(config)) {
    const name = binding.class_name;
    if (model.live.has(name) || reported.has(name)) continue;
    reported.add(name);
    if (wasDeleted(config, name)) {
      error(
        [...path, "class_name"],
        `The class "${name}" is deleted by the config, but the binding "${binding.name}" (${sectionLabel(env)}) still uses it.`,
        `Remove the binding (and the code that uses env.${binding.name}) and deploy that first; delete the class in a later deploy.`,
        RULES.deletedBound(name),
      );
      continue;
    }
    error(
      [...path, "class_name"],
      `The binding "${binding.name}" (${sectionLabel(env)}) uses the class "${name}", which ${model.form === "exports" ? "has no live entry in exports" : "no migration creates"}.`,
      `If "${name}" is a class renamed from one that exists, run \`npx create-do-kv rename --class OLD=${name}\`; if it is new, ${
        model.form === "exports" ? `add [exports.${name}] with type = "durable-object"` : `add a step with new_sqlite_classes = ["${name}"]`
      }.`,
      RULES.notLive(name),
    );
  }

  // Every live class is exported by main: Cloudflare refuses a deploy whose migrations name a class the Worker does not export.
  if (input.mainClasses === undefined) {
    error(
      ["main"],
      `The Worker's main module ${input.main} could not be read, so its exported classes are unknown.`,
      "Point `main` at the Worker's TypeScript entry.",
    );
  } else {
    for (const name of model.live) {
      if (input.mainClasses.has(name)) continue;
      error(
        whereLive(config, name),
        `The class "${name}" is live (its stored objects exist once deployed) but ${input.main} does not export it.`,
        `Export it from ${input.main} (wrangler finds Durable Object classes among its exports); to drop it and its data on purpose, ${
          model.form === "exports" ? `set [exports.${name}] state = "deleted"` : `add a step with deleted_classes = ["${name}"]`
        }.`,
        RULES.notExported(name),
      );
    }
  }

  // Steps that were committed are never edited or removed.
  const committed = input.committed;
  const referenceSteps: MigrationStep[] | undefined = committed ? (committed.config.migrations ?? []) : input.record?.migrations;
  const referenceExports: Record<string, ExportEntry> | undefined = committed ? committed.config.exports : input.record?.exports;
  const reference = committed?.where ?? "create-do-kv.json";
  const steps = config.migrations ?? [];
  for (const [i, step] of (referenceSteps ?? []).entries()) {
    if (same(steps[i], step)) continue;
    error(
      ["migrations", Math.min(i, Math.max(steps.length - 1, 0))],
      steps[i] === undefined
        ? `The migration step "${step.tag}" (in ${reference}) was removed.`
        : `The migration step "${step.tag}" was changed since ${reference}: a deployed step is permanent, and the deploy applies only steps after the last one it ran.`,
      `Put the step back as it was, and add a new step for the change (\`npx create-do-kv rename\` writes one for a rename).`,
      RULES.stepEdited,
    );
  }
  for (const [name, entry] of Object.entries(referenceExports ?? {})) {
    const now = config.exports?.[name];
    const wasFinal = entry.state !== undefined && entry.state !== "created" && entry.state !== "expecting-transfer";
    if (now === undefined)
      error(
        ["exports"],
        `exports.${name} (in ${reference}) was removed.`,
        `Put it back; to drop the class and its data, set its state = "deleted".`,
        RULES.stepEdited,
      );
    else if (wasFinal && !same(now, entry))
      error(
        ["exports", name],
        `exports.${name} was changed since ${reference} after it was ${entry.state}.`,
        "Put it back as it was.",
        RULES.stepEdited,
      );
  }

  // A binding that now points at another class without a step that renames the old one: the new class starts empty.
  const before =
    committed !== undefined
      ? ownDurableObjectBindings(committed.config)
          .filter((l) => l.env === undefined)
          .map((l) => ({ binding: l.binding.name, class: l.binding.class_name }))
      : input.record?.durableObjects;
  for (const old of before ?? []) {
    const now = ownDurableObjectBindings(config).find((l) => l.env === undefined && l.binding.name === old.binding);
    if (!now || now.binding.class_name === old.class) continue;
    const to = now.binding.class_name;
    if (renamedInto(model.renamedFrom, old.class, to)) continue;
    error(
      [...now.path, "class_name"],
      `The binding "${old.binding}" used the class "${old.class}" (${reference}) and now uses "${to}", with no step that renames "${old.class}" to "${to}": "${to}" would start empty and the objects of "${old.class}" stay behind.`,
      `If "${to}" is "${old.class}" renamed, run \`npx create-do-kv rename --class ${old.class}=${to}\` (a renamed_classes step moves the data).`,
    );
  }

  if (committed) againstCommitted(input, committed.config, error, notice);

  // config and create-do-kv.json agree. Without a commit the record is the reference for the
  // Worker's name (a new name is a new Worker); otherwise a difference is only a stale record.
  const record = input.record;
  if (record) {
    if (record.worker !== (config.name ?? "")) {
      const message = `The Worker's name is "${config.name}" and create-do-kv.json says "${record.worker}"`;
      if (committed)
        notice(["name"], `${message} (the last commit agrees with the config).`, "Run `npx create-do-kv sync` to bring the record up to date.");
      else if (holdsData(config))
        error(
          ["name"],
          `${message}: the deploy would go to a new Worker, whose Durable Objects start empty.`,
          "Put the name back, or move the objects with a transferred_classes step; then run `npx create-do-kv sync`.",
          RULES.newWorker,
        );
      else notice(["name"], `${message}.`, "Run `npx create-do-kv sync` to bring the record up to date.");
    }
    const bindingsNow = ownDurableObjectBindings(config)
      .filter((l) => l.env === undefined)
      .map((l) => `${l.binding.name}=${l.binding.class_name}`)
      .sort();
    const kvNow = kvBindings(config)
      .filter((l) => l.env === undefined)
      .map((l) => l.binding.binding)
      .sort();
    // Outside git the record's ids are the reference: a namespace switched hides its data the same way.
    if (!committed) {
      for (const now of kvBindings(config).filter((l) => l.env === undefined)) {
        const was = record.kv.find((k) => k.binding === now.binding.binding)?.id;
        if (typeof was !== "string" || now.binding.id === undefined || was === now.binding.id) continue;
        error(
          [...now.path, "id"],
          `The KV binding "${now.binding.binding}" names the namespace ${now.binding.id}, and ${was} in create-do-kv.json: the Worker would read and write the other namespace, and its data would stay behind.`,
          "Put the id back; to move on purpose, copy the keys first (`npx wrangler kv bulk`), then run `npx create-do-kv sync`.",
          RULES.kvIdChanged,
        );
      }
    }
    const recorded = record.durableObjects.map((d) => `${d.binding}=${d.class}`).sort();
    if (!same(bindingsNow, recorded) || !same(kvNow, record.kv.map((k) => k.binding).sort())) {
      notice(
        ["durable_objects", "bindings", 0],
        `The bindings in ${file} differ from create-do-kv.json (the names last carried into the code and types).`,
        "Run `npx create-do-kv sync`: it finds the renames, carries them into the code, types and migrations.",
      );
    }
  }

  // Every binding name the config declares in Env, every kind wrangler knows, in every section.
  const bound = envBindingNames(config);

  // The types file declares what the config binds. Names the types hold beyond the config can be
  // secrets from .dev.vars: only a missing binding, or one the reference bound, is reported.
  if (input.typesEnv) {
    const missing = [...bound].filter((name) => !input.typesEnv!.has(name));
    const removed = [...input.typesEnv].filter((name) => !bound.has(name) && wasBound(input, name));
    if (missing.length + removed.length > 0) {
      findings.push({
        file: input.typesFile ?? "worker-configuration.d.ts",
        line: 1,
        level: "notice",
        message: `The types are out of date: ${[...missing.map((n) => `${n} is bound but not declared`), ...removed.map((n) => `${n} is declared but no longer bound`)].join(", ")}.`,
        fix: "Run `npx create-do-kv sync` (or `npx wrangler types`).",
      });
    }
  }

  // Code that reads a binding the config no longer declares: the first request that reads it throws.
  for (const name of [...(input.codeReads ?? [])].sort()) {
    if (bound.has(name) || !wasBound(input, name)) continue;
    error(
      ["name"],
      `The code reads env.${name}, which ${committed ? "the last commit" : "create-do-kv.json"} binds and ${file} no longer does.`,
      `Bind it again in ${file}, or remove what reads env.${name} from the code; then run \`npx create-do-kv sync\` for the types.`,
      RULES.missingBinding,
    );
  }

  // KV bindings unique in each section, ids well formed.
  const seen = new Set<string>();
  for (const { env, path, binding } of kvBindings(config)) {
    const key = `${env ?? ""}\u0000${binding.binding}`;
    if (seen.has(key))
      error(
        [...path, "binding"],
        `The KV binding "${binding.binding}" appears twice in ${sectionLabel(env)}.`,
        "Give each binding its own name.",
        RULES.duplicateBinding,
      );
    seen.add(key);
    for (const field of ["id", "preview_id"] as const) {
      const value = binding[field];
      if (value !== undefined && !(typeof value === "string" && NAMESPACE_ID.test(value))) {
        error(
          [...path, field],
          `The ${field} of KV binding "${binding.binding}" (${sectionLabel(env)}) is not a namespace id (32 lowercase hex characters).`,
          "Fix it, or remove it and run `npx create-do-kv sync` to create the namespace.",
          RULES.namespaceId,
        );
      }
    }
  }
  return findings;
}

type Report = (path: ConfigPath, message: string, fix: string, rule?: string) => void;

/** Whether the config deletes `name` (a deleted_classes step, or an exports entry set deleted). */
function wasDeleted(config: WranglerConfig, name: string): boolean {
  if (config.exports && typeof config.exports === "object") return config.exports[name]?.state === "deleted";
  return (config.migrations ?? []).some((step) => Array.isArray(step?.deleted_classes) && step.deleted_classes.includes(name));
}

/** Whether a deploy under another name would leave data behind: live classes, or KV provisioned by name. */
function holdsData(config: WranglerConfig): boolean {
  return lifecycleOf(config).live.size > 0 || kvBindings(config).some((l) => l.binding.id === undefined);
}

/** Whether the reference (the last commit, else the record) binds `name` at the top level. */
function wasBound(input: CheckInput, name: string): boolean {
  if (input.committed) return allBindings(input.committed.config).some((b) => b.name === name && b.env === undefined);
  const record = input.record;
  return record !== undefined && (record.durableObjects.some((d) => d.binding === name) || record.kv.some((k) => k.binding === name));
}

/** The Worker each section deploys as: the top level's name, an environment's own or `<name>-<env>`. */
function scriptNames(config: WranglerConfig): Map<string | undefined, string | undefined> {
  return new Map(
    sectionsOf(config).map(({ env, value }) => {
      const own = typeof value.name === "string" ? value.name : undefined;
      return [env, env === undefined ? config.name : (own ?? (config.name ? `${config.name}-${env}` : undefined))];
    }),
  );
}

/** What changed since the last commit that moves or hides data, section by section; and an environment removed. */
function againstCommitted(input: CheckInput, before: WranglerConfig, error: Report, notice: Report): void {
  const { config } = input;
  const namesBefore = scriptNames(before);
  const namesNow = scriptNames(config);
  for (const [env, name] of namesNow) {
    const was = namesBefore.get(env);
    if (!namesBefore.has(env) || was === undefined || name === undefined || was === name) continue;
    const path: ConfigPath = env === undefined ? ["name"] : ["env", env, "name"];
    const message = `${env === undefined ? "The Worker" : `The environment "${env}"`} deploys as "${name}" and deployed as "${was}" at the last commit`;
    if (holdsData(config))
      error(
        path,
        `${message}: the deploy goes to a new Worker, whose Durable Objects start empty (those of "${was}" stay behind).`,
        `Put the name back; to move the objects, deploy "${name}" with a transferred_classes step from "${was}".`,
        RULES.newWorker,
      );
    else notice(path, `${message}.`, "Nothing holds data under the old name; make sure routes and clients point at the new Worker.");
  }
  for (const env of namesBefore.keys()) {
    if (env !== undefined && !namesNow.has(env))
      notice(
        ["env"],
        `The environment "${env}" (at the last commit) is gone from ${input.file}.`,
        `Its deployed Worker "${namesBefore.get(env)}" and its data stay until you delete them.`,
      );
  }
  // KV: the namespace each binding names, section by section.
  const kvBefore = kvBindings(before);
  for (const now of kvBindings(config)) {
    const old = kvBefore.find((l) => l.env === now.env && l.binding.binding === now.binding.binding);
    if (!old || old.binding.id === undefined || now.binding.id === undefined || old.binding.id === now.binding.id) continue;
    error(
      [...now.path, "id"],
      `The KV binding "${now.binding.binding}" (${sectionLabel(now.env)}) names the namespace ${now.binding.id}, and ${old.binding.id} at the last commit: the Worker would read and write the other namespace, and its data would stay behind.`,
      `Put the id back; to move on purpose, copy the keys first (\`npx wrangler kv bulk\`), then commit the change before the deploy.`,
      RULES.kvIdChanged,
    );
  }
  // An id-less binding renamed: wrangler provisions the new name a new, empty namespace.
  for (const { env } of sectionsOf(config)) {
    const removed = kvBefore.filter(
      (l) => l.env === env && l.binding.id === undefined && !kvBindings(config).some((n) => n.env === env && n.binding.binding === l.binding.binding),
    );
    const added = kvBindings(config).filter(
      (l) => l.env === env && l.binding.id === undefined && !kvBefore.some((o) => o.env === env && o.binding.binding === l.binding.binding),
    );
    if (removed.length === 0 || added.length === 0) continue;
    for (const now of added) {
      error(
        [...now.path, "binding"],
        `The KV binding "${now.binding.binding}" (${sectionLabel(env)}) has no id and ${removed.map((r) => `"${r.binding.binding}"`).join(", ")}, also without one, is gone since the last commit: if it is a rename, the deploy provisions a new, empty namespace for "${now.binding.binding}".`,
        `Give "${now.binding.binding}" the id of the old binding's namespace (\`npx wrangler kv namespace list\` shows it, titled after the Worker and the old binding), or run \`npx create-do-kv sync\` before renaming.`,
        RULES.kvProvisioned,
      );
    }
  }
}
