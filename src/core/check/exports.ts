/**
 * What a module exports, read from its text without a compiler (`check` runs offline, fast, and
 * on any TypeScript line): its own exported classes, the names it re-exports from other modules,
 * and the modules it re-exports whole. The caller follows relative modules. Comments and strings
 * are blanked first, so an `export` inside either is not taken for one. Pure.
 */

export interface ModuleExports {
  /** Names this module declares and exports as classes (`export class X`, `export { X }` of a local class). */
  classes: Set<string>;
  /** `export { a as b } from "m"`: exported name -> [module, name there]. */
  reexports: Map<string, [string, string]>;
  /** `export { a as b }` of a name this module imported: exported name -> [module, name there]. */
  importedExports: Map<string, [string, string]>;
  /** `export * from "m"`. */
  stars: string[];
  /** Every class the module declares, exported or not. */
  declaredClasses: Set<string>;
  /** Every name the module exports explicitly, of any kind (a second export of one is an error; a star export is not). */
  names: Set<string>;
}

/** The text with comments and string contents replaced by spaces (quotes of import paths kept). */
function blank(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*|`(?:[^`\\]|\\.)*`|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'/g, (match) =>
    match.startsWith("/") || match.startsWith("`") ? match.replace(/[^\n]/g, " ") : match,
  );
}

/** `a`, `a as b` -> [local, exported] pairs of a brace list. */
function specifiers(list: string): [string, string][] {
  return list
    .split(",")
    .map((part) => part.trim().replace(/^type\s+/, ""))
    .filter(Boolean)
    .map((part) => {
      const [local, exported] = part.split(/\s+as\s+/);
      return [local!.trim(), (exported ?? local)!.trim()];
    });
}

export function scanExports(text: string): ModuleExports {
  const source = blank(text);
  const declaredClasses = new Set(
    [...source.matchAll(/(?:^|[;\s])(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!),
  );
  const exportedClassDeclarations = [...source.matchAll(/\bexport\s+(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!);
  const imported = new Map<string, [string, string]>();
  for (const m of source.matchAll(/\bimport\s+(?:type\s+)?\{([^}]*)\}\s*from\s*["']([^"']+)["']/g)) {
    for (const [name, local] of specifiers(m[1]!)) imported.set(local, [m[2]!, name]);
  }
  const declaredExports = [
    ...source.matchAll(
      /\bexport\s+(?:declare\s+)?(?:abstract\s+)?(?:(?:const|let|var|class|enum|interface|type|namespace)\s+|(?:async\s+)?function\s*\*?\s*)([A-Za-z_$][\w$]*)/g,
    ),
  ].map((m) => m[1]!);
  const result: ModuleExports = {
    classes: new Set(exportedClassDeclarations),
    reexports: new Map(),
    importedExports: new Map(),
    stars: [],
    names: new Set(declaredExports),
    declaredClasses,
  };
  for (const m of source.matchAll(/\bexport\s+(?:type\s+)?\{([^}]*)\}\s*(?:from\s*["']([^"']+)["'])?/g)) {
    for (const [local, exported] of specifiers(m[1]!)) {
      result.names.add(exported);
      if (m[2]) result.reexports.set(exported, [m[2], local]);
      else if (declaredClasses.has(local) && exported === local) result.classes.add(exported);
      else if (imported.has(local)) result.importedExports.set(exported, imported.get(local)!);
      else if (declaredClasses.has(local)) result.classes.add(exported);
    }
  }
  for (const m of source.matchAll(/\bexport\s+\*\s+from\s*["']([^"']+)["']/g)) result.stars.push(m[1]!);
  return result;
}
