/**
 * Code renames with the project's own TypeScript, whatever its line: TypeScript's rename is the
 * judge of what refers to what, so a rename changes what the compiler would and nothing else.
 * 5.x and 6.x have the classic JS API (its language service: classic.ts); 7.x, the native
 * compiler, has none that is stable, but its language server answers the same questions over
 * the Language Server Protocol (lsp.ts). create-do-kv ships no compiler of its own.
 */
import { readFileSync, realpathSync, type Stats, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import type { WranglerConfig } from "../../core/config/read.js";
import type { NameChange } from "../../core/rename/plan.js";
import { ENV_BLOCK } from "../../core/types-env.js";
import { UsageError } from "../../errors.js";
import { openToOthers, openToOthersWithin, packageRoot, refuseOddManifests, refuseTooLarge } from "../project-files.js";
import { TYPES_FILE } from "../wrangler.js";

export { TYPES_FILE };

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

/** The project's code, as one TypeScript engine sees it; close() ends the engine. */
export interface CodeProject {
  /** The names the Worker's main module exports that are classes (re-exports followed). */
  exportedClasses(): Promise<Set<string>>;
  /** The edits that rename `changes` everywhere TypeScript would; refuses any that would change meaning. */
  planRenames(changes: CodeChanges): Promise<FileChange[]>;
  close(): void;
}

/** The lowest TypeScript a rename is made with: the oldest line create-cloudflare's templates take. */
export const MIN_TYPESCRIPT = 5;

export interface ProjectTypeScript {
  version: string;
  major: number;
  /** The package's folder, real path. */
  dir: string;
}

export function readableFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** A file's text when it is a regular file; undefined otherwise (a FIFO must not hang us). */
export function readRegularFileOrNothing(file: string): string | undefined {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch {
    return undefined;
  }
  if (!stat.isFile()) return undefined;
  refuseTooLarge(file, stat);
  return readFileSync(file, "utf8");
}

/**
 * The TypeScript installed in the project, refused (exit 2, before anything is written) when it
 * is missing, older than 5, or in a folder other users can write.
 */
export function projectTypeScript(projectDir: string): ProjectTypeScript {
  refuseOddManifests(projectDir, projectDir, "typescript");
  const require = createRequire(join(projectDir, "package.json"));
  let manifest: string;
  try {
    manifest = realpathSync(require.resolve("typescript/package.json"));
  } catch {
    throw new UsageError(
      `Renaming code needs TypeScript ${MIN_TYPESCRIPT} or newer in the project's own node_modules, and none is installed there.`,
      "Install the project's dependencies (npm install), then run the command again.",
    );
  }
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version?: string };
  const major = Number(/^(\d+)\./.exec(version ?? "")?.[1] ?? Number.NaN);
  if (!(major >= MIN_TYPESCRIPT)) {
    throw new UsageError(
      `Renaming code needs TypeScript ${MIN_TYPESCRIPT} or newer; the project has ${version ?? "a version without a number"}.`,
      `Update it (npm i -D typescript@6), then run the command again.`,
    );
  }
  const dir = dirname(manifest);
  trustedToRun(manifest, projectDir);
  // 5.x and 6.x run as the module the package names; 7.x as its native compiler (lsp.ts checks that).
  if (major < 7) {
    let entry: string;
    try {
      entry = require.resolve("typescript");
    } catch {
      throw new UsageError(
        `${relative(projectDir, dir)} is incomplete: its module is missing.`,
        "Reinstall the project's dependencies, then run the command again.",
      );
    }
    trustedToRun(entry, projectDir);
  }
  return { version: version!, major, dir };
}

/**
 * Refuses (exit 2, nothing run) code that other users could have changed: the file, a folder
 * above it up to the project, or anything in its package, writable by others or owned by
 * someone else.
 */
export function trustedToRun(file: string, projectDir: string): string {
  const real = realpathSync(file);
  const open = openToOthers(real, realpathSync(projectDir)) ?? openToOthersWithin(packageRoot(real));
  if (open) {
    throw new UsageError(
      `TypeScript would be run from ${dirname(real)}, but ${open} can be written by other users, so its code cannot be trusted; nothing was run.`,
      "Make it writable only by you (chmod o-w), then run the command again.",
    );
  }
  return real;
}

/** The Env interface as `wrangler types` writes it, for the names in `config`. */
export function envInterface(config: WranglerConfig, platform: NodeJS.Platform = process.platform): string {
  // An import specifier separates with "/" everywhere; on Windows a config's main may use "\\".
  const written = (config.main ?? "src/index.ts").replace(/\.[cm]?[jt]s$/, "");
  const main = platform === "win32" ? written.split("\\").join("/") : written;
  const properties = [
    ...(config.kv_namespaces ?? []).map((e) => `\t${e.binding}: KVNamespace;`),
    ...(config.durable_objects?.bindings ?? []).map((b) => `\t${b.name}: DurableObjectNamespace<import("./${main}").${b.class_name}>;`),
  ];
  return `interface __BaseEnv_Env {\n${properties.join("\n")}\n}`;
}

/**
 * The types file as the engine is shown it: its Env built from `before` (the names the code uses
 * now), so `env.X` resolves to the binding being renamed whatever the config on disk says.
 * Without a types file the code's classes can still be listed, not its uses of env.
 */
export function patchedTypes(typesFile: string | undefined, before: WranglerConfig): string {
  const text = typesFile === undefined ? "interface Env {\n}" : readRegularFileOrNothing(typesFile);
  if (text === undefined) throw new UsageError(`${TYPES_FILE} is missing; run \`npx wrangler types\` first.`);
  if (!ENV_BLOCK.test(text)) throw new UsageError(`${TYPES_FILE} has no Env interface; run \`npx wrangler types\`.`);
  return text.replace(ENV_BLOCK, envInterface(before));
}

/** A refusal for a new name that would change what some code refers to. */
export function captureError(change: NameChange, at: string, what: string): UsageError {
  return new UsageError(
    `Renaming "${change.from}" to "${change.to}" would change what ${at} refers to: "${change.to}" is already ${what}; choose another name.`,
  );
}
