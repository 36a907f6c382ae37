/**
 * What the Worker's modules export, read from their text (core/check/exports.ts) with relative
 * imports followed: `check` asks which classes main exports, `add` which names it has taken.
 */
import { dirname, join, resolve } from "node:path";
import { scanExports } from "../core/check/exports.js";
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
