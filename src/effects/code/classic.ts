/**
 * The rename engine for TypeScript 5.x and 6.x: the classic JS API's language service
 * (findRenameLocations), loaded from the project's own node_modules. Every reference TypeScript
 * would rename, and nothing else (no strings, no comments, no unrelated names).
 */
import { createRequire } from "node:module";
import { join, relative, resolve, sep } from "node:path";
import type * as TS from "typescript";
import type { WranglerConfig } from "../../core/config/read.js";
import type { NameChange } from "../../core/rename/plan.js";
import { UsageError } from "../../errors.js";
import { captureError, type CodeProject, patchedTypes, type ProjectTypeScript, readableFile, readRegularFileOrNothing } from "./typescript.js";
import { projectTypesSetup } from "../wrangler.js";

/**
 * Opens the project with TypeScript's language service. `before` describes the names the code
 * uses now; the generated types file is served with an Env built from it, so `env.X` resolves to
 * the binding being renamed whatever the config on disk says.
 */
export function openLanguageService(
  projectDir: string,
  found: ProjectTypeScript,
  before: WranglerConfig,
  typesFile: string | undefined,
): CodeProject {
  const ts = createRequire(join(projectDir, "package.json"))(found.dir) as typeof TS;
  // Every file is read as a regular file or not at all: a FIFO in the project must not hang us.
  const sys: TS.System = { ...ts.sys, readFile: (file) => readRegularFileOrNothing(file), fileExists: (file) => readableFile(file) };
  const configPath = ts.findConfigFile(projectDir, sys.fileExists, "tsconfig.json");
  if (!configPath) throw new UsageError(`No tsconfig.json in ${projectDir}; cannot find the code to rename.`);
  const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(configPath, sys.readFile).config, sys, projectDir);
  const typesPath = resolve(projectDir, projectTypesSetup(projectDir).file);
  const types = patchedTypes(typesFile, before);

  const fileNames = [...new Set([...parsed.fileNames.map((f) => resolve(f)), typesPath])];
  const contents = new Map<string, string>();
  const read = (file: string) => {
    const full = resolve(file);
    if (full === typesPath) return types;
    if (!contents.has(full)) contents.set(full, readRegularFileOrNothing(full) ?? "");
    return contents.get(full)!;
  };
  // The types file is served from memory: it may exist on disk only under a temporary name.
  const exists = (file: string) => resolve(file) === typesPath || sys.fileExists(file);
  const host: TS.LanguageServiceHost = {
    getScriptFileNames: () => fileNames,
    getScriptVersion: () => "1",
    getScriptSnapshot: (file) => (exists(file) ? ts.ScriptSnapshot.fromString(read(file)) : undefined),
    getCurrentDirectory: () => projectDir,
    getCompilationSettings: () => parsed.options,
    getDefaultLibFileName: (options) => ts.getDefaultLibFilePath(options),
    fileExists: exists,
    readFile: (file) => (resolve(file) === typesPath ? types : sys.readFile(file)),
    readDirectory: sys.readDirectory,
    directoryExists: sys.directoryExists,
    getDirectories: sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  const program = service.getProgram()!;
  const checker = program.getTypeChecker();
  // A types file cut short (a full disk) would hide uses of env from the rename: refuse it.
  const typesSourceFile = program.getSourceFile(typesPath);
  const damaged = typesSourceFile ? program.getSyntacticDiagnostics(typesSourceFile) : [];
  if (damaged.length > 0)
    throw new UsageError(
      `${relative(projectDir, typesPath)} is damaged (${ts.flattenDiagnosticMessageText(damaged[0]!.messageText, " ")}); regenerate it with \`npx wrangler types\`.`,
    );
  const ours = (file: string) => {
    const full = resolve(file);
    return full !== typesPath && !full.split(sep).includes("node_modules") && !full.endsWith(".d.ts");
  };
  const where = (node: TS.Node) => {
    const source = node.getSourceFile();
    const { line } = source.getLineAndCharacterOfPosition(node.getStart());
    return `${relative(projectDir, source.fileName)}:${line + 1}`;
  };

  const mainFile = resolve(projectDir, before.main ?? "src/index.ts");
  const mainExports = (): TS.Symbol[] => {
    const source = program.getSourceFile(mainFile);
    if (!source) throw new UsageError(`The Worker's main module ${relative(projectDir, mainFile)} is not part of the TypeScript project.`);
    const symbol = checker.getSymbolAtLocation(source);
    return symbol ? checker.getExportsOfModule(symbol) : [];
  };
  const resolveAlias = (symbol: TS.Symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol);

  /** Where to start TypeScript's rename of the class exported as `name`. */
  const classRenameStart = (name: string): TS.Node => {
    const exported = mainExports().find((s) => s.name === name);
    if (!exported) throw new UsageError(`--class: the Worker's main module does not export "${name}".`);
    const specifier = exported.declarations?.find(ts.isExportSpecifier);
    // `export { Room as Chat }`: the exported name is the alias; renaming it leaves the class alone.
    if (specifier?.propertyName) return specifier.name;
    const declaration = resolveAlias(exported).declarations?.find(ts.isClassDeclaration);
    if (!declaration?.name) throw new UsageError(`--class: "${name}" exported by the main module is not a class declaration.`);
    return declaration.name;
  };

  const identifierAt = (source: TS.SourceFile, position: number): TS.Node | undefined => {
    let found: TS.Node | undefined;
    const visit = (node: TS.Node): void => {
      if (node.getStart(source) <= position && position < node.end) {
        if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) found = node;
        ts.forEachChild(node, visit);
      }
    };
    visit(source);
    return found;
  };
  /** A property name is looked up on its object, not in scope: renaming it cannot capture a local. */
  const isPropertyName = (node: TS.Node): boolean => {
    const parent = node.parent;
    return (
      (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
      (ts.isQualifiedName(parent) && parent.right === node) ||
      ((ts.isPropertySignature(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isMethodDeclaration(parent)) &&
        parent.name === node) ||
      (ts.isBindingElement(parent) && parent.propertyName === node)
    );
  };
  const SCOPE = ts.SymbolFlags.Value | ts.SymbolFlags.Type | ts.SymbolFlags.Namespace | ts.SymbolFlags.Alias;

  return {
    async exportedClasses() {
      return new Set(
        mainExports()
          .filter((s) => resolveAlias(s).flags & ts.SymbolFlags.Class)
          .map((s) => s.name),
      );
    },
    close() {
      service.dispose();
    },
    async planRenames(changes) {
      const edits = new Map<string, { start: number; length: number; text: string }[]>();
      // A class is renamed through imports and exports (wrangler finds it by its exported name);
      // a binding keeps the local names the code destructured it into (`{ STORE: CACHE }`).
      const renameAt = (node: TS.Node, change: NameChange, keepLocalNames: boolean) => {
        const file = node.getSourceFile().fileName;
        const locations = service.findRenameLocations(file, node.getStart(), false, false, {
          providePrefixAndSuffixTextForRename: keepLocalNames,
        });
        if (!locations) throw new UsageError(`TypeScript cannot rename "${change.from}".`);
        for (const location of locations) {
          if (!ours(location.fileName)) continue;
          const text = read(location.fileName);
          const found = text.slice(location.textSpan.start, location.textSpan.start + location.textSpan.length);
          if (found !== change.from) continue; // e.g. a string-literal key; never ours to touch
          const source = program.getSourceFile(location.fileName)!;
          const at = identifierAt(source, location.textSpan.start);
          // Where the new name would be looked up in scope, it must not find something else there.
          if (at && !isPropertyName(at) && !location.prefixText && !location.suffixText) {
            const clash = checker.getSymbolsInScope(at, SCOPE).find((s) => s.name === change.to);
            if (clash) {
              const declared = clash.declarations?.[0];
              const what =
                declared && ours(declared.getSourceFile().fileName)
                  ? `declared at ${where(declared)}`
                  : "a global of the Workers runtime or TypeScript";
              throw captureError(change, where(at), what);
            }
          }
          const list = edits.get(resolve(location.fileName)) ?? [];
          if (list.some((edit) => edit.start === location.textSpan.start)) continue;
          const replacement = `${location.prefixText ?? ""}${change.to}${location.suffixText ?? ""}`;
          list.push({ start: location.textSpan.start, length: location.textSpan.length, text: replacement });
          edits.set(resolve(location.fileName), list);
        }
      };

      for (const change of changes.classes) renameAt(classRenameStart(change.from), change, false);

      const typesSource = program.getSourceFile(typesPath)!;
      for (const change of changes.envProperties) {
        let member: TS.Node | undefined;
        const visit = (node: TS.Node): void => {
          if (ts.isInterfaceDeclaration(node) && /^(__BaseEnv_Env|Env)$/.test(node.name.text)) {
            for (const m of node.members) if (m.name && ts.isIdentifier(m.name) && m.name.text === change.from) member ??= m.name;
          }
          ts.forEachChild(node, visit);
        };
        visit(typesSource);
        if (!member) throw new UsageError(`The binding "${change.from}" is not in the Env types.`);
        renameAt(member, change, true);
      }

      return [...edits].map(([path, list]) => {
        const original = read(path);
        let after = original;
        for (const edit of [...list].sort((a, b) => b.start - a.start)) {
          after = after.slice(0, edit.start) + edit.text + after.slice(edit.start + edit.length);
        }
        return { path, before: original, after };
      });
    },
  };
}
