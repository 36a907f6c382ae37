/**
 * What `sync` may call a rename: only what evidence that cannot be a coincidence shows, never a
 * position in a list. The evidence: the record of the names last generated (create-do-kv.json),
 * a KV namespace id that stayed, the class the code still exports, and the migration state.
 * Anything less certain becomes a question, asked in a terminal and otherwise refused with the
 * `rename` command that would do it. Pure.
 */
import type { WranglerConfig } from "../config/read.js";
import { lifecycleOf } from "../migrations/lifecycle.js";
import type { ProjectRecord } from "./record.js";
import { noRenames, renameCommand, type Renames } from "./plan.js";
import { kvBindings, ownDurableObjectBindings } from "../config/sections.js";

export interface Question {
  /** A yes/no question; yes means `renames`. */
  text: string;
  renames: Renames;
}

export interface Inference {
  /** Renames the evidence proves. */
  renames: Renames;
  /** Cases the evidence cannot settle. */
  questions: Question[];
}

/**
 * The classes the Worker's main module exports, asked only when a class question needs it;
 * undefined when the code cannot be read (its TypeScript is not installed).
 */
export type ExportedClasses = () => ReadonlySet<string> | undefined;

export function inferRenames(record: ProjectRecord | undefined, config: WranglerConfig, exported: ExportedClasses): Inference {
  const renames = noRenames();
  const questions: Question[] = [];
  const model = lifecycleOf(config);
  const own = ownDurableObjectBindings(config);
  const boundClasses = new Set(own.map((l) => l.binding.class_name));

  if (record) {
    // Durable Object bindings: the same name is the same binding; else the same class (one each side).
    const current = own.filter((l) => l.env === undefined).map((l) => l.binding);
    const unmatchedOld = record.durableObjects.filter((old) => !current.some((c) => c.name === old.binding));
    const unmatchedNew = current.filter((c) => !record.durableObjects.some((old) => old.binding === c.name));
    const pairs: { old: { binding: string; class: string }; now: { name: string; class_name: string } }[] = [];
    for (const old of record.durableObjects) {
      const now = current.find((c) => c.name === old.binding);
      if (now) pairs.push({ old, now });
    }
    for (const old of [...unmatchedOld]) {
      const sameClassOld = unmatchedOld.filter((o) => o.class === old.class);
      const sameClassNew = unmatchedNew.filter((c) => c.class_name === old.class);
      if (sameClassOld.length === 1 && sameClassNew.length === 1) {
        const now = sameClassNew[0]!;
        renames.doBindings.push({ from: old.binding, to: now.name });
        unmatchedOld.splice(unmatchedOld.indexOf(old), 1);
        unmatchedNew.splice(unmatchedNew.indexOf(now), 1);
      }
    }
    // A binding gone and another added, names and classes both different: only the user knows.
    for (const now of unmatchedNew) {
      for (const old of unmatchedOld) {
        const asked = noRenames();
        asked.doBindings.push({ from: old.binding, to: now.name });
        if (old.class !== now.class_name) asked.classes.push({ from: old.class, to: now.class_name });
        questions.push({
          text: `Is the Durable Object binding ${now.name} (class ${now.class_name}) the binding ${old.binding} (class ${old.class}) renamed?`,
          renames: asked,
        });
      }
    }
    // Same binding, another class: a rename only if the old class is live, unbound, and the new one is not live.
    for (const { old, now } of pairs) {
      if (old.class === now.class_name || renames.classes.some((c) => c.from === old.class)) continue;
      if (!model.live.has(old.class) || model.live.has(now.class_name) || boundClasses.has(old.class)) continue;
      const classes = exported() ?? new Set<string>();
      const change = { from: old.class, to: now.class_name };
      if (classes.has(old.class) && classes.has(now.class_name)) {
        questions.push({
          text: `The binding ${now.name} now uses the class ${now.class_name}, and the code exports both ${old.class} and ${now.class_name}. Is ${now.class_name} ${old.class} renamed (its stored objects move to it)?`,
          renames: { ...noRenames(), classes: [change] },
        });
      } else renames.classes.push(change);
    }

    // KV bindings: the same namespace id is the same binding, whatever its name; then names.
    const kvNow = kvBindings(config)
      .filter((l) => l.env === undefined)
      .map((l) => l.binding);
    const kvOld = [...record.kv];
    const kvNew = [...kvNow];
    for (const old of record.kv) {
      const byId = old.id ? kvNew.find((e) => e.id === old.id) : undefined;
      const match = byId ?? kvNew.find((e) => e.binding === old.binding);
      if (!match) continue;
      if (match.binding !== old.binding) renames.kv.push({ from: old.binding, to: match.binding });
      kvOld.splice(kvOld.indexOf(old), 1);
      kvNew.splice(kvNew.indexOf(match), 1);
    }
    for (const now of kvNew) {
      for (const old of kvOld) {
        questions.push({
          text: `Is the KV binding ${now.binding} the binding ${old.binding} renamed (code that uses ${old.binding} would follow)?`,
          renames: { ...noRenames(), kv: [{ from: old.binding, to: now.binding }] },
        });
      }
    }
  }

  // A rename finished in the config and its migration but not in the code: the config binds C, a
  // step renamed R into C, and the code still exports R and not C. Only the code is left to do.
  for (const name of boundClasses) {
    const from = model.renamedFrom.get(name);
    if (!from || !model.live.has(name) || renames.classes.some((c) => c.from === from || c.to === name)) continue;
    const classes = exported();
    if (classes?.has(from) && !classes.has(name)) renames.classes.push({ from, to: name });
  }

  // An editor rename finished in the config: one bound class that no migration creates, one live
  // class no longer bound, and the code exports the new name and not the old.
  const renamedTo = new Set(renames.classes.map((c) => c.to));
  const asked = new Set(questions.flatMap((q) => q.renames.classes.map((c) => c.to)));
  const notLive = [...boundClasses].filter((name) => !model.live.has(name) && !renamedTo.has(name) && !asked.has(name));
  const renamedFrom = new Set(renames.classes.map((c) => c.from));
  const unbound = [...model.live].filter((name) => !boundClasses.has(name) && !renamedFrom.has(name));
  if (notLive.length === 1 && unbound.length === 1) {
    const classes = exported();
    const change = { from: unbound[0]!, to: notLive[0]! };
    if (classes?.has(change.to) && !classes.has(change.from)) renames.classes.push(change);
  }

  // A class renamed in the editor only: the config binds a live class the code no longer
  // exports, and the code exports one class nothing binds. Likely a rename; only the user knows.
  const settled = new Set([
    ...renames.classes.flatMap((c) => [c.from, c.to]),
    ...questions.flatMap((q) => q.renames.classes.flatMap((c) => [c.from, c.to])),
  ]);
  const missing = [...boundClasses].filter((name) => model.live.has(name) && !settled.has(name));
  const classes = missing.length > 0 ? exported() : undefined;
  if (classes) {
    const gone = missing.filter((name) => !classes.has(name));
    const fresh = [...classes].filter((name) => !boundClasses.has(name) && !model.live.has(name) && !settled.has(name));
    if (gone.length === 1 && fresh.length === 1) {
      questions.push({
        text: `The config binds the class ${gone[0]}, which the code no longer exports; the code exports ${fresh[0]}, which nothing binds. Is ${fresh[0]} ${gone[0]} renamed (its stored objects move to it)?`,
        renames: { ...noRenames(), classes: [{ from: gone[0]!, to: fresh[0]! }] },
      });
    }
  }
  // Never ask for a rename back against a step the config already has: following that advice
  // would append a second step moving the data back.
  const backwards = (c: { from: string; to: string }) => model.renamedFrom.get(c.from) === c.to;
  return { renames, questions: questions.filter((q) => !q.renames.classes.some(backwards)) };
}

/** The refusal for questions that cannot be asked (no terminal): each with its command. */
export function unanswered(questions: readonly Question[]): { message: string; hint: string } {
  return {
    message: `sync cannot tell from the evidence whether these are renames:\n${questions.map((q) => `  - ${q.text}`).join("\n")}`,
    hint: `If one is a rename, run it (in a terminal, sync asks): ${questions.map((q) => renameCommand(q.renames)).join("  or  ")}. If none is, run \`npx create-do-kv sync --no-renames\` to take the config as it is (removed and added, not renamed).`,
  };
}
