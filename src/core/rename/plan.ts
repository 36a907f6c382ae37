/**
 * Planning a rename: from the names asked for (by `rename` flags, a prompt, or what `sync`
 * inferred) to the config edits, the migration step and the code renames still to do. Pure, and
 * all or nothing: every refusal is a UsageError (exit 2) raised before anything is written.
 *
 * A rename may be half done when it arrives (the config edited by hand, the class renamed in an
 * editor): each part (config, migration, code) is planned from its own state, so the plan
 * finishes exactly what is left.
 */
import { appendMigration, renameInExports, setStrings, type EditTarget, type StringSet } from "../config/edit.js";
import { readConfig, type MigrationStep, type WranglerConfig } from "../config/read.js";
import { lifecycleOf, lifecycleProblems } from "../migrations/lifecycle.js";
import { validateBindingName, validateClassName } from "../project/names.js";
import { allBindings, durableObjectBindings, kvBindings, ownDurableObjectBindings, sectionLabel, type Located } from "../config/sections.js";
import { UsageError } from "../../errors.js";

export interface NameChange {
  from: string;
  to: string;
}

export interface Renames {
  classes: NameChange[];
  doBindings: NameChange[];
  kv: NameChange[];
}

export const noRenames = (): Renames => ({ classes: [], doBindings: [], kv: [] });

export function isEmpty(renames: Renames): boolean {
  return renames.classes.length + renames.doBindings.length + renames.kv.length === 0;
}

export function parsePair(flag: string, pair: string): NameChange {
  const parts = pair.split("=");
  if (parts.length !== 2 || !parts[0]?.trim() || !parts[1]?.trim()) throw new UsageError(`${flag}: "${pair}" is not OLD=NEW.`);
  return { from: parts[0].trim(), to: parts[1].trim() };
}

/** The flags that would ask for these renames, for messages that tell the user what to run. */
export function renameCommand(renames: Renames): string {
  const flags = [
    ...renames.classes.map((c) => `--class ${c.from}=${c.to}`),
    ...renames.doBindings.map((c) => `--do-binding ${c.from}=${c.to}`),
    ...renames.kv.map((c) => `--kv ${c.from}=${c.to}`),
  ];
  return `npx create-do-kv rename ${flags.join(" ")}`;
}

/** What the code exports, as far as the plan needs it. */
export interface CodeFacts {
  /** Names the Worker's main module exports (re-exports followed) that are classes. */
  exportedClasses: ReadonlySet<string>;
}

export interface RenamePlan {
  /** The renames asked for that are not already complete. */
  todo: Renames;
  /** One line for each rename asked for that is already complete. */
  done: string[];
  /** The config text afterwards (equal to the input when only code or nothing changes). */
  configText: string;
  /** The renames the code still needs, as the code has the names now. */
  code: { classes: NameChange[]; envProperties: NameChange[] };
  /** The config as the code sees it now (binding names the code still uses), for its Env type. */
  codeConfig: WranglerConfig;
  /** The migration step appended, if any. */
  step?: MigrationStep;
  /** The class renames recorded in the config's lifecycle by this plan, and in which form. */
  recorded: { classes: NameChange[]; form: "migrations" | "exports" | "none" };
}

/**
 * Where a rename came from, for messages: the flags of `rename`, or what `sync` read in the
 * config (no flag was given then, so messages name the config entry).
 */
export type Origin = "flags" | { config: string };

type RenameKind = keyof Renames;
const FLAGS: Record<RenameKind, string> = { classes: "--class", doBindings: "--do-binding", kv: "--kv" };
const WHAT: Record<RenameKind, string> = { classes: "class", doBindings: "Durable Object binding", kv: "KV binding" };

/** The prefix of a message about one rename: its flag, or the rename as the config shows it. */
function labelOf(origin: Origin, kind: RenameKind, change: NameChange): string {
  return origin === "flags" ? FLAGS[kind] : `The ${WHAT[kind]} ${change.from} -> ${change.to} (as ${origin.config} has it now)`;
}

/** Refuses requests that contradict themselves: two renames into one name, one name renamed twice, chains. */
function checkRequest(renames: Renames, origin: Origin): void {
  const labelled = (kind: RenameKind) => renames[kind].map((c) => ({ ...c, kind, flag: labelOf(origin, kind, c) }));
  const bindings = [...labelled("doBindings"), ...labelled("kv")];
  const classes = labelled("classes");
  for (const group of [bindings, classes]) {
    for (const [i, a] of group.entries()) {
      const problem = a.kind === "classes" ? validateClassName(a.to) : validateBindingName(a.to);
      if (problem) throw new UsageError(`${a.flag}: ${problem}`);
      for (const b of group.slice(i + 1)) {
        if (a.to === b.to) throw new UsageError(`${pair(a)} and ${pair(b)} give two things the name "${a.to}".`);
        if (a.from === b.from) throw new UsageError(`${pair(a)} and ${pair(b)} rename "${a.from}" twice.`);
      }
      const chained = group.find((b) => b.from === a.to && b !== a);
      if (chained && a.from !== a.to) {
        throw new UsageError(`${pair(a)} and ${pair(chained)} chain or swap names in one command; rename in two commands instead.`);
      }
    }
  }
}

const where = (env: string | undefined) => sectionLabel(env);

/** One rename of a request, as the user gave it: `--kv A=B`, or the rename the config shows. */
const pair = (a: NameChange & { flag: string }) => (a.flag.startsWith("--") ? `${a.flag} ${a.from}=${a.to}` : a.flag);

/** A binding rename (Durable Object or KV) in every section, refused where the new name is taken. */
function planBindingRename(
  config: WranglerConfig,
  change: NameChange,
  kind: "Durable Object" | "KV namespace",
  located: Located<{ name: string }>[],
  flag: string,
): { sets: StringSet[]; configDone: boolean } {
  const { from, to } = change;
  const withFrom = located.filter((l) => l.binding.name === from);
  const withTo = located.filter((l) => l.binding.name === to);
  const other = allBindings(config).find((b) => b.name === to && b.kind !== kind);
  if (other) throw new UsageError(`${flag}: "${to}" is already the name of a ${other.kind} binding (${where(other.env)}); choose another name.`);
  if (withFrom.length === 0 && withTo.length === 0) {
    throw new UsageError(`${flag}: there is no ${kind} binding "${from}" in the config.`);
  }
  const clash = withFrom.find((f) => withTo.some((t) => t.env === f.env));
  if (clash) throw new UsageError(`${flag}: "${to}" is already used by another ${kind} binding (${where(clash.env)}); choose another name.`);
  const field = kind === "KV namespace" ? "binding" : "name";
  return { sets: withFrom.map((l) => ({ path: [...l.path, field], value: to })), configDone: withFrom.length === 0 };
}

/**
 * Plans renames against the config and the code. `target.source` is the config text that
 * `config` was read from.
 */
export function planRenames(target: EditTarget, config: WranglerConfig, requested: Renames, code: CodeFacts, origin: Origin = "flags"): RenamePlan {
  checkRequest(requested, origin);
  const sets: StringSet[] = [];
  const todo = noRenames();
  const done: string[] = [];
  const codeChanges: RenamePlan["code"] = { classes: [], envProperties: [] };
  const codeConfig = codeView(config, requested);

  const doLocated = durableObjectBindings(config).map((l) => ({ ...l, binding: { name: l.binding.name } }));
  const kvLocated = kvBindings(config).map((l) => ({ ...l, binding: { name: l.binding.binding } }));
  for (const [key, kind, located, list] of [
    ["doBindings", "Durable Object", doLocated, todo.doBindings],
    ["kv", "KV namespace", kvLocated, todo.kv],
  ] as const) {
    for (const change of requested[key]) {
      if (change.from === change.to) continue;
      const planned = planBindingRename(config, change, kind, located, labelOf(origin, key, change));
      sets.push(...planned.sets);
      list.push(change);
      // The code may still say `from` even when the config no longer does.
      codeChanges.envProperties.push(change);
    }
  }

  const model = lifecycleOf(config);
  const own = ownDurableObjectBindings(config);
  const steps: NameChange[] = [];
  for (const change of requested.classes) {
    const { from, to } = change;
    if (from === to) continue;
    const label = labelOf(origin, "classes", change);
    const withFrom = own.filter((l) => l.binding.class_name === from);
    const withTo = own.filter((l) => l.binding.class_name === to);
    if (withFrom.length === 0 && withTo.length === 0) {
      throw new UsageError(`${label}: no Durable Object binding of this Worker uses the class "${from}".`);
    }
    if (withFrom.length > 0 && withTo.length > 0) {
      throw new UsageError(
        `${label}: "${to}" is already the class of the binding "${withTo[0]!.binding.name}" (${where(withTo[0]!.env)}); choose another name.`,
      );
    }
    const liveFrom = model.live.has(from);
    const liveTo = model.live.has(to);
    let needsStep = false;
    if (liveFrom && liveTo) {
      throw new UsageError(
        `${label}: "${to}" already exists as a class of its own, so "${from}" cannot be renamed into it (a rename needs a destination that does not exist yet).`,
      );
    } else if (liveFrom) needsStep = true;
    else if (liveTo && model.renamedFrom.get(to) !== from) {
      throw new UsageError(`${label}: "${to}" already exists as a class of its own, and no migration renames "${from}" into it.`);
    } else if (!liveTo) {
      throw new UsageError(`${label}: no migration creates the class "${from}", so there is no stored data to carry to "${to}".`);
    }
    const exportsFrom = code.exportedClasses.has(from);
    const exportsTo = code.exportedClasses.has(to);
    if (exportsFrom && exportsTo) {
      throw new UsageError(`${label}: the Worker's main module already exports a class "${to}" besides "${from}"; choose another name.`);
    }
    if (!exportsFrom && !exportsTo) {
      throw new UsageError(`${label}: the Worker's main module exports neither "${from}" nor "${to}", so the class to rename cannot be found.`);
    }
    if (exportsFrom) codeChanges.classes.push(change);
    if (needsStep) steps.push(change);
    sets.push(...withFrom.map((l) => ({ path: [...l.path, "class_name"], value: to })));
    if (withFrom.length > 0 || needsStep || exportsFrom) todo.classes.push(change);
    else done.push(`class ${from} is already ${to}`);
  }

  let text = sets.length > 0 ? setStrings(target, sets, "Renaming") : target.source;
  let step: MigrationStep | undefined;
  if (steps.length > 0) {
    if (model.form === "exports") {
      for (const { from, to } of steps) text = renameInExports({ ...target, source: text }, from, to);
    } else {
      step = { tag: nextMigrationTag(config.migrations ?? []), renamed_classes: steps.map(({ from, to }) => ({ from, to })) };
      text = appendMigration({ ...target, source: text }, step);
    }
  }
  const problems = text === target.source ? [] : lifecycleProblems(readConfig(text, target.format, target.file));
  if (problems.length > 0) {
    throw new UsageError(`The config would not be safe to deploy after this change, so nothing was written:\n  ${problems.join("\n  ")}`);
  }
  return { todo, done, configText: text, code: codeChanges, codeConfig, step, recorded: { classes: steps, form: model.form } };
}

/**
 * The config as the code sees it: a binding renamed in the config already (its old name gone
 * everywhere) still has its old name in code until the code rename runs.
 */
export function codeView(config: WranglerConfig, renames: Renames): WranglerConfig {
  const copy = structuredClone(config);
  const kv = kvBindings(copy).map((l) => l.binding);
  const objects = durableObjectBindings(copy).map((l) => l.binding);
  for (const { from, to } of renames.kv) {
    if (!kv.some((e) => e.binding === from)) for (const e of kv) if (e.binding === to) e.binding = from;
  }
  for (const { from, to } of renames.doBindings) {
    if (!objects.some((b) => b.name === from)) for (const b of objects) if (b.name === to) b.name = from;
  }
  return copy;
}

/** The next migration tag: v<n+1> after the highest v<n>, else v<count+1>. */
export function nextMigrationTag(migrations: readonly MigrationStep[]): string {
  const numbers = migrations
    .map((m) => /^v(\d+)$/.exec(m.tag)?.[1])
    .filter(Boolean)
    .map(Number);
  let next = Math.max(0, ...numbers, migrations.length) + 1;
  const tags = new Set(migrations.map((m) => m.tag));
  while (tags.has(`v${next}`)) next++;
  return `v${next}`;
}
