/**
 * Code renames with TypeScript's own language service (findRenameLocations): every reference
 * TypeScript would rename, and nothing else (no strings, no comments, no unrelated names).
 *
 * The engine is the TypeScript the generated project pins (6.0.x, the last line with the classic
 * JS API; 7 is the native compiler without a stable one), loaded from the project's own
 * node_modules. So create-do-kv itself ships no compiler, and the create path never loads one.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative, resolve, sep } from "node:path";
import type * as TS from "typescript";
import type { WranglerConfig } from "../core/config-read.js";
import type { NameChange } from "../core/rename-plan.js";
import { UsageError } from "../errors.js";

export const TYPES_FILE = "worker-configuration.d.ts";

export interface CodeChanges {
  classes: NameChange[];
  /** Properties of Env: the Durable Object and KV bindings. */
  envProperties: NameChange[];
}

export interface FileChange {
  path: string;
  before: string;
  after: string;
}

export function loadTypeScript(projectDir: string): typeof TS {
  try {
    const require = createRequire(join(projectDir, "package.json"));
    return require("typescript") as typeof TS;
  } catch {
    throw new UsageError(
      "Renaming code needs TypeScript, which is loaded from the project's own node_modules, and it is not installed there.",
      "Install the project's dependencies (npm install), then run the command again.",
    );
  }
}

/** The Env interface as `wrangler types` writes it, for the names in `config`. */
export function envInterface(config: WranglerConfig): string {
  const main = (config.main ?? "src/index.ts").replace(/\.[cm]?[jt]s$/, "");
  const properties = [
    ...(config.kv_namespaces ?? []).map((e) => `\t${e.binding}: KVNamespace;`),
    ...(config.durable_objects?.bindings ?? []).map(
      (b) => `\t${b.name}: DurableObjectNamespace<import("./${main}").${b.class_name}>;`,
    ),
  ];
  return `interface __BaseEnv_Env {\n${properties.join("\n")}\n}`;
}

const ENV_BLOCK = /interface (?:__BaseEnv_Env|Env) \{[^}]*\n\}/;

/**
 * Plans the code edits. `before` describes the names the code uses now; the generated types
 * file is served with an Env built from it, so `env.X` resolves to the binding being renamed
 * whatever the config on disk says.
 */
export function planCodeRenames(
  projectDir: string,
  before: WranglerConfig,
  changes: CodeChanges,
  typesFile = resolve(projectDir, TYPES_FILE),
): FileChange[] {
  if (changes.classes.length + changes.envProperties.length === 0) return [];
  const ts = loadTypeScript(projectDir);
  const configPath = ts.findConfigFile(projectDir, ts.sys.fileExists, "tsconfig.json");
  if (!configPath) throw new UsageError(`No tsconfig.json in ${projectDir}; cannot find the code to rename.`);
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, ts.sys.readFile).config, ts.sys, projectDir);
  const typesPath = resolve(projectDir, TYPES_FILE);
  if (!existsSync(typesFile)) throw new UsageError(`${TYPES_FILE} is missing; run \`npx wrangler types\` first.`);
  const typesText = readFileSync(typesFile, "utf8");
  if (!ENV_BLOCK.test(typesText)) throw new UsageError(`${TYPES_FILE} has no Env interface; run \`npx wrangler types\`.`);
  const patchedTypes = typesText.replace(ENV_BLOCK, envInterface(before));

  const fileNames = [...new Set([...parsed.fileNames.map((f) => resolve(f)), typesPath])];
  const contents = new Map<string, string>();
  const read = (file: string) => {
    const full = resolve(file);
    if (full === typesPath) return patchedTypes;
    if (!contents.has(full)) contents.set(full, readFileSync(full, "utf8"));
    return contents.get(full)!;
  };
  // The types file is served from memory: it may exist on disk only under a temporary name.
  const exists = (file: string) => resolve(file) === typesPath || ts.sys.fileExists(file);
  const host: TS.LanguageServiceHost = {
    getScriptFileNames: () => fileNames,
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) => (exists(file) ? ts.ScriptSnapshot.fromString(read(file)) : undefined),
    getCurrentDirectory: () => projectDir,
    getCompilationSettings: () => parsed.options,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: exists,
    readFile: (file) => (resolve(file) === typesPath ? patchedTypes : ts.sys.readFile(file)),
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  const program = service.getProgram()!;
  const ours = (file: string) => {
    const full = resolve(file);
    return full !== typesPath && !full.split(sep).includes("node_modules") && !full.endsWith(".d.ts");
  };

  const edits = new Map<string, { start: number; length: number; text: string }[]>();
  const renameAt = (file: string, position: number, change: NameChange) => {
    const locations = service.findRenameLocations(file, position, false, false, { providePrefixAndSuffixTextForRename: false });
    if (!locations) throw new UsageError(`TypeScript cannot rename "${change.from}".`);
    for (const location of locations) {
      if (!ours(location.fileName)) continue;
      const text = read(location.fileName);
      const found = text.slice(location.textSpan.start, location.textSpan.start + location.textSpan.length);
      if (found !== change.from) continue; // e.g. a string-literal key; never ours to touch
      const list = edits.get(resolve(location.fileName)) ?? [];
      if (list.some((edit) => edit.start === location.textSpan.start)) continue;
      list.push({ start: location.textSpan.start, length: location.textSpan.length, text: change.to });
      edits.set(resolve(location.fileName), list);
    }
  };

  for (const change of changes.classes) {
    let declaration: TS.ClassDeclaration | undefined;
    for (const source of program.getSourceFiles().filter((s) => ours(s.fileName))) {
      ts.forEachChild(source, (node) => {
        if (ts.isClassDeclaration(node) && node.name?.text === change.from) declaration = node;
        if (
          (ts.isClassDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node)) &&
          node.name?.text === change.to
        ) {
          throw new UsageError(`--class: "${change.to}" is already declared in ${relative(projectDir, source.fileName)}; choose another name.`);
        }
      });
    }
    if (!declaration) throw new UsageError(`--class: no class "${change.from}" is declared in the project's code.`);
    renameAt(declaration.getSourceFile().fileName, declaration.name!.getStart(), change);
  }

  const typesSource = program.getSourceFile(typesPath)!;
  for (const change of changes.envProperties) {
    let position: number | undefined;
    const visit = (node: TS.Node): void => {
      if (ts.isInterfaceDeclaration(node) && /^(__BaseEnv_Env|Env)$/.test(node.name.text)) {
        for (const member of node.members) {
          if (member.name && ts.isIdentifier(member.name) && member.name.text === change.from) position ??= member.name.getStart();
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(typesSource);
    if (position === undefined) throw new UsageError(`The binding "${change.from}" is not in the Env types.`);
    renameAt(typesPath, position, change);
  }

  return [...edits].map(([path, list]) => {
    const original = read(path);
    let after = original;
    for (const edit of [...list].sort((a, b) => b.start - a.start)) {
      after = after.slice(0, edit.start) + edit.text + after.slice(edit.start + edit.length);
    }
    return { path, before: original, after };
  });
}
