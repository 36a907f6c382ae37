/**
 * `check`: whether the next deploy is safe for the Worker's Durable Objects and KV, from the
 * config, what main exports, the committed config (git HEAD) or the record, and the types file.
 * Each finding says where (file:line) and what to do. Pure: every input is data.
 */
import type { ExportEntry, MigrationStep, WranglerConfig } from "../config/read.js";
import { kvBindings, ownDurableObjectBindings, sectionLabel } from "../config/sections.js";
import type { ConfigFormat, ConfigPath } from "../config/types.js";
import { NAMESPACE_ID } from "../kv/wrangler-output.js";
import { lifecycleOf } from "../migrations/lifecycle.js";
import type { ProjectRecord } from "../rename/record.js";
import { lineOf } from "./locate.js";

export interface Finding {
  file: string;
  line: number;
  message: string;
  fix: string;
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
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

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
  const add = (path: ConfigPath, message: string, fix: string) => findings.push({ file, line: at(path), message, fix });
  const model = lifecycleOf(config);
  const lifecycleKey = model.form === "exports" ? "exports" : "migrations";

  // The steps (or entries) as written: each valid.
  for (const problem of model.problems) {
    add([lifecycleKey], problem, "Fix it so every step is valid; a step that was deployed must never be edited, only followed by new ones.");
  }

  // Every class this Worker binds, in every section, is live.
  const reported = new Set<string>();
  for (const { binding, env, path } of ownDurableObjectBindings(config)) {
    const name = binding.class_name;
    if (model.live.has(name) || reported.has(name)) continue;
    reported.add(name);
    add(
      [...path, "class_name"],
      `The binding "${binding.name}" (${sectionLabel(env)}) uses the class "${name}", which ${model.form === "exports" ? "has no live entry in exports" : "no migration creates"}.`,
      `If "${name}" is a class renamed from one that exists, run \`npx create-do-kv rename --class OLD=${name}\`; if it is new, ${
        model.form === "exports" ? `add [exports.${name}] with type = "durable-object"` : `add a step with new_sqlite_classes = ["${name}"]`
      }.`,
    );
  }

  // Every live class is exported by main: Cloudflare refuses a deploy whose migrations name a class the Worker does not export.
  if (input.mainClasses === undefined) {
    add(
      ["main"],
      `The Worker's main module ${input.main} could not be read, so its exported classes are unknown.`,
      "Point `main` at the Worker's TypeScript entry.",
    );
  } else {
    for (const name of model.live) {
      if (input.mainClasses.has(name)) continue;
      add(
        whereLive(config, name),
        `The class "${name}" is live (its stored objects exist once deployed) but ${input.main} does not export it.`,
        `Export it from ${input.main} (wrangler finds Durable Object classes among its exports); to drop it and its data on purpose, ${
          model.form === "exports" ? `set [exports.${name}] state = "deleted"` : `add a step with deleted_classes = ["${name}"]`
        }.`,
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
    add(
      ["migrations", Math.min(i, Math.max(steps.length - 1, 0))],
      steps[i] === undefined
        ? `The migration step "${step.tag}" (in ${reference}) was removed.`
        : `The migration step "${step.tag}" was changed since ${reference}: a deployed step is permanent, and the deploy applies only steps after the last one it ran.`,
      `Put the step back as it was, and add a new step for the change (\`npx create-do-kv rename\` writes one for a rename).`,
    );
  }
  for (const [name, entry] of Object.entries(referenceExports ?? {})) {
    const now = config.exports?.[name];
    const wasFinal = entry.state !== undefined && entry.state !== "created" && entry.state !== "expecting-transfer";
    if (now === undefined)
      add(["exports"], `exports.${name} (in ${reference}) was removed.`, `Put it back; to drop the class and its data, set its state = "deleted".`);
    else if (wasFinal && !same(now, entry))
      add(["exports", name], `exports.${name} was changed since ${reference} after it was ${entry.state}.`, "Put it back as it was.");
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
    add(
      [...now.path, "class_name"],
      `The binding "${old.binding}" used the class "${old.class}" (${reference}) and now uses "${to}", with no step that renames "${old.class}" to "${to}": "${to}" would start empty and the objects of "${old.class}" stay behind.`,
      `If "${to}" is "${old.class}" renamed, run \`npx create-do-kv rename --class ${old.class}=${to}\` (a renamed_classes step moves the data).`,
    );
  }

  // config and create-do-kv.json agree.
  const record = input.record;
  if (record) {
    if (record.worker !== (config.name ?? "")) {
      add(
        ["name"],
        `The Worker's name is "${config.name}" and create-do-kv.json says "${record.worker}": Durable Objects live under the Worker's name.`,
        "Put the name back, or move the objects with a transferred_classes step; then run `npx create-do-kv sync`.",
      );
    }
    const bindingsNow = ownDurableObjectBindings(config)
      .filter((l) => l.env === undefined)
      .map((l) => `${l.binding.name}=${l.binding.class_name}`)
      .sort();
    const kvNow = kvBindings(config)
      .filter((l) => l.env === undefined)
      .map((l) => l.binding.binding)
      .sort();
    const recorded = record.durableObjects.map((d) => `${d.binding}=${d.class}`).sort();
    if (!same(bindingsNow, recorded) || !same(kvNow, record.kv.map((k) => k.binding).sort())) {
      add(
        ["durable_objects", "bindings", 0],
        `The bindings in ${file} differ from create-do-kv.json (the names last carried into the code and types).`,
        "Run `npx create-do-kv sync`: it finds the renames, carries them into the code, types and migrations.",
      );
    }
  }

  // The types file declares what the config binds.
  if (input.typesEnv) {
    const bound = [
      ...kvBindings(config)
        .filter((l) => l.env === undefined)
        .map((l) => l.binding.binding),
      ...(config.durable_objects?.bindings ?? []).map((b) => b.name),
    ];
    const missing = bound.filter((name) => !input.typesEnv!.has(name));
    const extra = [...input.typesEnv].filter((name) => !bound.includes(name));
    if (missing.length + extra.length > 0) {
      findings.push({
        file: "worker-configuration.d.ts",
        line: 1,
        message: `The types are out of date: ${[...missing.map((n) => `${n} is bound but not declared`), ...extra.map((n) => `${n} is declared but not bound`)].join(", ")}.`,
        fix: "Run `npx create-do-kv sync` (or `npx wrangler types`).",
      });
    }
  }

  // KV bindings unique in each section, ids well formed.
  const seen = new Set<string>();
  for (const { env, path, binding } of kvBindings(config)) {
    const key = `${env ?? ""}\u0000${binding.binding}`;
    if (seen.has(key))
      add([...path, "binding"], `The KV binding "${binding.binding}" appears twice in ${sectionLabel(env)}.`, "Give each binding its own name.");
    seen.add(key);
    for (const field of ["id", "preview_id"] as const) {
      const value = binding[field];
      if (value !== undefined && !(typeof value === "string" && NAMESPACE_ID.test(value))) {
        add(
          [...path, field],
          `The ${field} of KV binding "${binding.binding}" (${sectionLabel(env)}) is not a namespace id (32 lowercase hex characters).`,
          "Fix it, or remove it and run `npx create-do-kv sync` to create the namespace.",
        );
      }
    }
  }
  return findings;
}
