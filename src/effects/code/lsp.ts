/**
 * The rename engine for TypeScript 7 (the native compiler), whose package has no stable JS API:
 * its own language server (`tsc --lsp --stdio`) answers the questions the classic engine asks
 * the language service, over the Language Server Protocol:
 *
 * - which classes the Worker's main module exports: a probe document next to it, `import { }
 *   from "./index"`, completed (every export, re-exports followed), then each name's definition;
 * - where a class is renamed: at the probe's import of it, so an exported alias
 *   (`export { Room as Chat }`) is renamed as the alias, the class itself otherwise;
 * - where a binding is renamed: at its member of Env in the types file, shown to the server with
 *   Env built from the names the code uses now, keeping the local names the code destructured it
 *   into (`{ STORE: CACHE }`);
 * - whether a new name changes what some code refers to: the edits applied in the server's
 *   memory, then every renamed place must still lead to a renamed declaration.
 */
import { createRequire } from "node:module";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { WranglerConfig } from "../../core/config/read.js";
import type { NameChange } from "../../core/rename/plan.js";
import { UsageError } from "../../errors.js";
import { uniqueSuffix } from "../files.js";
import { refuseOddManifests } from "../project-files.js";
import { type LanguageServer, startLanguageServer } from "./lsp-client.js";
import {
  captureError,
  type CodeChanges,
  type CodeProject,
  type FileChange,
  patchedTypes,
  type ProjectTypeScript,
  readableFile,
  readRegularFileOrNothing,
  trustedToRun,
} from "./typescript.js";
import { projectTypesSetup } from "../wrangler.js";

interface Position {
  line: number;
  character: number;
}
interface Range {
  start: Position;
  end: Position;
}
interface TextEdit {
  range: Range;
  newText: string;
}
interface Location {
  uri: string;
  range: Range;
}
interface Diagnostic {
  range: Range;
  message: string;
  severity?: number;
}
interface WorkspaceEdit {
  changes?: Record<string, TextEdit[]>;
  documentChanges?: { textDocument: { uri: string }; edits: TextEdit[] }[];
}

/** A character offset to an LSP position (UTF-16 code units, as JavaScript strings count). */
function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  return { line, character: offset - (before.lastIndexOf("\n") + 1) };
}

function offsetOf(text: string, position: Position): number {
  let offset = 0;
  for (let line = 0; line < position.line; line++) {
    const next = text.indexOf("\n", offset);
    if (next === -1) return text.length;
    offset = next + 1;
  }
  return offset + position.character;
}

/**
 * The native compiler itself, from the platform package TypeScript 7 installs beside it (the
 * `tsc` bin is a Node script that only starts it: one process fewer); the bin where there is none.
 */
function serverCommand(projectDir: string, found: ProjectTypeScript): [string, string[]] {
  let exe: string | undefined;
  const name = `@typescript/typescript-${process.platform}-${process.arch}`;
  refuseOddManifests(projectDir, found.dir, name);
  try {
    const platform = createRequire(join(found.dir, "package.json")).resolve(`${name}/package.json`);
    exe = join(dirname(platform), "lib", process.platform === "win32" ? "tsc.exe" : "tsc");
  } catch {
    // no platform package where we looked: the bin finds it its own way
  }
  if (exe && readableFile(exe)) return [trustedToRun(exe, projectDir), ["--lsp", "--stdio"]];
  return [process.execPath, [trustedToRun(join(found.dir, "bin", "tsc"), projectDir), "--lsp", "--stdio"]];
}

/** Both spellings TypeScript 7 reads: the unified `js/ts` setting and the older one it still honours. */
const NO_TYPE_ACQUISITION = { tsserver: { automaticTypeAcquisition: { enabled: false } }, disableAutomaticTypeAcquisition: true };

export async function openLanguageServer(
  projectDir: string,
  found: ProjectTypeScript,
  before: WranglerConfig,
  typesFile: string | undefined,
): Promise<CodeProject> {
  const typesPath = resolve(projectDir, projectTypesSetup(projectDir).file);
  const mainFile = resolve(projectDir, before.main ?? "src/index.ts");
  const mainSpecifier = `./${basename(mainFile, extname(mainFile))}`;
  const documents = new Map<string, { text: string; version: number }>([[typesPath, { text: patchedTypes(typesFile, before), version: 1 }]]);
  const uri = (path: string) => pathToFileURL(path).href;
  const pathOf = (fileUri: string) => resolve(fileURLToPath(fileUri));
  const textOf = (path: string) => documents.get(path)?.text ?? readRegularFileOrNothing(path) ?? "";
  // What the server asks of us: its preferences, switched between kinds of rename; and no
  // automatic type acquisition, which would run `npm install` from a stranger's project.
  let preferences = { useAliasesForRenames: false };
  const section = () => ({ preferences, ...NO_TYPE_ACQUISITION });
  const server: LanguageServer = await startLanguageServer(...serverCommand(projectDir, found), {
    cwd: projectDir,
    env: process.env,
    name: `TypeScript ${found.version}'s language server`,
    answer: (method, params) => (method === "workspace/configuration" ? (params as { items: unknown[] }).items.map(section) : null),
  });
  const open = (path: string, text: string) => {
    documents.set(path, { text, version: 1 });
    server.notify("textDocument/didOpen", { textDocument: { uri: uri(path), languageId: "typescript", version: 1, text } });
  };
  const change = (path: string, text: string) => {
    const document = documents.get(path);
    if (!document) return open(path, text);
    document.text = text;
    document.version++;
    server.notify("textDocument/didChange", { textDocument: { uri: uri(path), version: document.version }, contentChanges: [{ text }] });
  };
  const setPreferences = (aliases: boolean) => {
    preferences = { useAliasesForRenames: aliases };
    server.notify("workspace/didChangeConfiguration", { settings: { "js/ts": section(), typescript: section(), javascript: section() } });
  };

  try {
    await server.request("initialize", {
      processId: process.pid,
      rootUri: uri(projectDir),
      workspaceFolders: [{ uri: uri(projectDir), name: basename(projectDir) }],
      capabilities: { workspace: { configuration: true, workspaceEdit: { documentChanges: false } } },
    });
    server.notify("initialized", {});
    const types = documents.get(typesPath)!;
    server.notify("textDocument/didOpen", { textDocument: { uri: uri(typesPath), languageId: "typescript", version: 1, text: types.text } });
  } catch (error) {
    await server.close();
    throw error;
  }

  const ours = (path: string) => path !== typesPath && !path.split(sep).includes("node_modules") && !path.endsWith(".d.ts") && !probes.has(path);
  const probes = new Set<string>();
  /** A document next to main that imports `names` from it, for the server's eyes only. */
  const probe = (names: string[]) => {
    const path = join(dirname(mainFile), `.create-do-kv-probe-${uniqueSuffix()}.ts`);
    probes.add(path);
    const at = new Map<string, Position>();
    let text = "import { ";
    for (const [i, name] of names.entries()) {
      at.set(name, { line: 0, character: text.length });
      text += i < names.length - 1 ? `${name}, ` : `${name} `;
    }
    text += `} from ${JSON.stringify(mainSpecifier)};\n`;
    open(path, text);
    return { path, at: (name: string) => at.get(name)! };
  };
  const where = (path: string, line: number) => `${relative(projectDir, path)}:${line + 1}`;

  /** The class declaration an export leads to (its name at the range), or undefined. */
  const classDeclaration = (locations: Location[] | Location | null) => {
    for (const location of Array.isArray(locations) ? locations : locations ? [locations] : []) {
      const text = textOf(pathOf(location.uri));
      const start = offsetOf(text, location.range.start);
      if (/\bclass\s+$/.test(text.slice(Math.max(0, start - 40), start))) return location;
    }
    return undefined;
  };

  const exportedClasses = async () => {
    const listing = probe([]);
    const completion = await server.request<{ items?: { label: string; kind?: number }[] } | { label: string; kind?: number }[] | null>(
      "textDocument/completion",
      { textDocument: { uri: uri(listing.path) }, position: { line: 0, character: "import { ".length } },
    );
    const names = (Array.isArray(completion) ? completion : (completion?.items ?? []))
      .map((item) => item.label)
      .filter((label) => /^[A-Za-z_$][\w$]*$/.test(label) && label !== "type");
    if (names.length === 0) return new Set<string>();
    const imports = probe(names);
    const classes = new Set<string>();
    for (const name of names) {
      const definition = await server.request<Location[] | Location | null>("textDocument/definition", {
        textDocument: { uri: uri(imports.path) },
        position: imports.at(name),
      });
      if (classDeclaration(definition)) classes.add(name);
    }
    return classes;
  };

  /** Renames at `position` of `path`, the edits grouped by file; only edits of the old name count. */
  const renameAt = async (path: string, position: Position, changeOf: NameChange) => {
    const edit = await server.request<WorkspaceEdit | null>("textDocument/rename", {
      textDocument: { uri: uri(path) },
      position,
      newName: changeOf.to,
    });
    const byFile = new Map<string, TextEdit[]>();
    for (const [fileUri, edits] of [
      ...Object.entries(edit?.changes ?? {}),
      ...(edit?.documentChanges ?? []).map((d) => [d.textDocument.uri, d.edits] as const),
    ]) {
      byFile.set(pathOf(fileUri), [...(byFile.get(pathOf(fileUri)) ?? []), ...edits]);
    }
    if (byFile.size === 0) throw new UsageError(`TypeScript cannot rename "${changeOf.from}".`);
    return byFile;
  };

  return {
    exportedClasses,
    close() {
      void server.close();
    },
    async planRenames(changes: CodeChanges): Promise<FileChange[]> {
      const edits = new Map<string, { start: number; end: number; text: string; change: NameChange }[]>();
      const collect = (byFile: Map<string, TextEdit[]>, changeOf: NameChange) => {
        for (const [path, list] of byFile) {
          const text = textOf(path);
          for (const edit of list) {
            const start = offsetOf(text, edit.range.start);
            const end = offsetOf(text, edit.range.end);
            if (text.slice(start, end) !== changeOf.from) continue; // e.g. a string-literal key; never ours to touch
            const known = edits.get(path) ?? [];
            if (!known.some((e) => e.start === start)) known.push({ start, end, text: edit.newText, change: changeOf });
            edits.set(path, known);
          }
        }
      };
      // A class follows its imports and exports (wrangler finds it by its exported name).
      setPreferences(false);
      for (const changeOf of changes.classes) {
        const imports = probe([changeOf.from]);
        const definition = await server.request<Location[] | Location | null>("textDocument/definition", {
          textDocument: { uri: uri(imports.path) },
          position: imports.at(changeOf.from),
        });
        if (!definition || (Array.isArray(definition) && definition.length === 0)) {
          throw new UsageError(`--class: the Worker's main module does not export "${changeOf.from}".`);
        }
        collect(await renameAt(imports.path, imports.at(changeOf.from), changeOf), changeOf);
      }
      // A binding keeps the local names the code destructured it into.
      setPreferences(true);
      const typesText = documents.get(typesPath)!.text;
      for (const changeOf of changes.envProperties) {
        const member = new RegExp(`interface __BaseEnv_Env \\{[^}]*?\\n\\t(${changeOf.from}):`).exec(typesText);
        if (!member) throw new UsageError(`The binding "${changeOf.from}" is not in the Env types.`);
        const offset = member.index + member[0].length - changeOf.from.length - 1;
        collect(await renameAt(typesPath, positionOf(typesText, offset), changeOf), changeOf);
      }

      // TypeScript's errors in the files to change, before the edits, to tell new ones apart.
      const errorsIn = async (path: string) => {
        const report = await server.request<{ items?: Diagnostic[] } | null>("textDocument/diagnostic", { textDocument: { uri: uri(path) } });
        return (report?.items ?? []).filter((d) => d.severity === undefined || d.severity === 1);
      };
      const known = new Map<string, Map<string, number>>();
      await Promise.all(
        [...edits.keys()].filter(ours).map(async (path) => {
          const counts = new Map<string, number>();
          for (const d of await errorsIn(path)) counts.set(d.message, (counts.get(d.message) ?? 0) + 1);
          known.set(path, counts);
        }),
      );

      // Every file after the edits, then, in the server's memory, the check that nothing was captured.
      const after = new Map<string, string>();
      const renamedRanges = new Map<string, { start: number; end: number; change: NameChange }[]>();
      for (const [path, list] of edits) {
        const original = textOf(path);
        let text = original;
        for (const edit of [...list].sort((a, b) => b.start - a.start)) text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
        after.set(path, text);
        // Where each edit's new name sits in the new text: shifted by the edits before it.
        let shift = 0;
        const ranges: { start: number; end: number; change: NameChange }[] = [];
        for (const edit of [...list].sort((a, b) => a.start - b.start)) {
          const at = edit.start + shift + edit.text.indexOf(edit.change.to);
          ranges.push({ start: at, end: at + edit.change.to.length, change: edit.change });
          shift += edit.text.length - (edit.end - edit.start);
        }
        renamedRanges.set(path, ranges);
      }
      for (const [path, text] of after) change(path, text);
      // Asked all at once: the server answers them side by side.
      const checks = [...renamedRanges]
        .filter(([path]) => ours(path))
        .flatMap(([path, ranges]) => ranges.map((range) => ({ path, range, text: after.get(path)! })));
      const definitions = await Promise.all(
        checks.map(({ path, range, text }) =>
          server.request<Location[] | Location | null>("textDocument/definition", {
            textDocument: { uri: uri(path) },
            position: positionOf(text, range.start),
          }),
        ),
      );
      for (const [i, { path, range, text }] of checks.entries()) {
        const definition = definitions[i]!;
        const targets = Array.isArray(definition) ? definition : definition ? [definition] : [];
        const foreign = targets.find((target) => {
          const targetPath = pathOf(target.uri);
          const start = offsetOf(textOf(targetPath), target.range.start);
          return !(renamedRanges.get(targetPath) ?? []).some((r) => r.start <= start && start < r.end);
        });
        if (!foreign) continue;
        const targetPath = pathOf(foreign.uri);
        const what = ours(targetPath)
          ? `declared at ${where(targetPath, foreign.range.start.line)}`
          : "a global of the Workers runtime or TypeScript";
        throw captureError(range.change, where(path, positionOf(text, range.start).line), what);
      }
      // A new name that clashes where it lands (a declaration of that name already in the scope)
      // is an error TypeScript reports after the edits and not before.
      const errorsAfter = await Promise.all([...known.keys()].map((path) => errorsIn(path)));
      for (const [i, [path, counts]] of [...known].entries()) {
        for (const d of errorsAfter[i]!) {
          const left = counts.get(d.message) ?? 0;
          if (left > 0) {
            counts.set(d.message, left - 1);
            continue;
          }
          const all = [...changes.classes, ...changes.envProperties];
          const culprit = all.find((c) => d.message.includes(`'${c.to}'`)) ?? all[0]!;
          throw new UsageError(
            `Renaming "${culprit.from}" to "${culprit.to}" would break ${where(path, d.range.start.line)}: TypeScript then reports "${d.message}"; choose another name.`,
          );
        }
      }
      return [...after].filter(([path]) => ours(path)).map(([path, text]) => ({ path, before: readRegularFileOrNothing(path) ?? "", after: text }));
    },
  };
}
