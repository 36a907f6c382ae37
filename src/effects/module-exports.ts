/**
 * What the Worker's modules export and read from env, from their text (core/check/exports.ts,
 * reads.ts) with relative imports followed: `check` asks which classes main exports and which
 * bindings the code reads, `add` which names it has taken.
 */
import { dirname, join, resolve } from "node:path";
import { scanExports } from "../core/check/exports.js";
import { envReads, relativeImports } from "../core/check/reads.js";
import { readRegularFileIfAny } from "./project-files.js";

/** The module a relative specifier names, as TypeScript's bundler resolution finds it. */
function moduleFile(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = resolve(dirname(from), specifier.replace(/\.[cm]?js$/, ""));
  for (const candidate of [`${base}.ts`, `${base}.mts`, `${base}.tsx`, join(base, "index.ts"), base]) {
    if (readRegularFileIfAny(candidate) !== undefined) return candidate;
  }
  return undefined;
}

/** The classes `file` exports under each name, re-exports followed through relative modules. */
export function exportedClasses(file: string, seen = new Set<string>()): Set<string> {
  const text = readRegularFileIfAny(file);
  if (text === undefined || seen.has(file)) return new Set();
  seen.add(file);
  const scanned = scanExports(text);
  const classes = new Set(scanned.classes);
  const isClassThere = (specifier: string, name: string) => {
    const target = moduleFile(file, specifier);
    return target !== undefined && exportedClasses(target, new Set(seen)).has(name);
  };
  for (const [exported, [specifier, name]] of [...scanned.reexports, ...scanned.importedExports]) {
    if (isClassThere(specifier, name)) classes.add(exported);
  }
  for (const specifier of scanned.stars) {
    const target = moduleFile(file, specifier);
    if (target) for (const name of exportedClasses(target, new Set(seen))) classes.add(name);
  }
  return classes;
}

/** The binding names read from `env` in `file` and every module it imports relatively. */
export function bindingsRead(file: string): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const queue = [file];
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    const text = readRegularFileIfAny(next);
    if (text === undefined) continue;
    for (const name of envReads(text)) names.add(name);
    for (const specifier of relativeImports(text)) {
      const target = moduleFile(next, specifier);
      if (target) queue.push(target);
    }
  }
  return names;
}
