/**
 * Running wrangler: which binary, with a time limit of our own on every call (wrangler can take
 * three minutes to give up on an API that does not answer), argv only, no shell.
 */
import { forgetCtrlC, throwIfInterrupted } from "./interrupt.js";
import { CancelledError, UsageError } from "../errors.js";
import { existsSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, delimiter, dirname, join, relative, sep } from "node:path";
import { DEFAULT_TYPES_FILE, typesSetupOf, type TypesSetup, withoutRuntime } from "../core/types-setup.js";
import { handWrittenEnvAt } from "../core/types-env.js";
import { wranglerErrorMessage } from "../core/kv/wrangler-output.js";
import { uniqueSuffix } from "./files.js";
import { isInside, openToOthers, openToOthersWithin, packageRoot, readRegularFileIfAny, typeScriptFiles, writablePath } from "./project-files.js";
import { run, tailOf } from "./process.js";
import { seedRuntimeTypes, storeRuntimeTypes } from "./types-cache.js";

/** What `wrangler types` writes by default: Env and the runtime types, for tsc and the editor. */
export const TYPES_FILE = DEFAULT_TYPES_FILE;

/**
 * A project that writes its own Env: no `wrangler types` script or file, and a TypeScript file
 * that declares `interface Env` (a .d.ts first). Its path, or undefined. node_modules and dot
 * folders are not walked, links are not followed, at most 2,000 files are read.
 */
export function handWrittenEnvFile(projectDir: string, setup: TypesSetup = projectTypesSetup(projectDir)): string | undefined {
  // A script or a types file says the project runs wrangler types.
  const saidSo = setup.from !== "wrangler's default" && setup.from !== "@cloudflare/workers-types";
  if (saidSo || readRegularFileIfAny(join(projectDir, DEFAULT_TYPES_FILE)) !== undefined) return undefined;
  const found: string[] = [];
  let read = 0;
  for (const path of typeScriptFiles(projectDir)) {
    if (++read > 2000) break;
    if (handWrittenEnvAt(readRegularFileIfAny(path) ?? "") >= 0) found.push(path);
  }
  return found.find((path) => path.endsWith(".d.ts")) ?? found[0];
}

/**
 * The real folder the types file goes in; refused (UsageError) when a link on the way leads out of
 * the project. The file itself may be a link: it is replaced, never written through.
 */
export function typesFolder(projectDir: string, typesFile: string): string {
  return writablePath(projectDir, join(projectDir, dirname(typesFile)));
}

/**
 * How this project makes its types (core/types-setup.ts): from its package.json and the header of
 * its default types file. Unreadable or odd files count as absent: the default way then.
 */
export function projectTypesSetup(projectDir: string): TypesSetup {
  let manifest: { scripts?: Record<string, unknown>; dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> } = {};
  try {
    const text = readRegularFileIfAny(join(projectDir, "package.json"));
    const parsed: unknown = text === undefined ? undefined : JSON.parse(text);
    if (parsed && typeof parsed === "object") manifest = parsed as typeof manifest;
  } catch {
    // not JSON: the default way
  }
  let header: string | undefined;
  try {
    header = readRegularFileIfAny(join(projectDir, DEFAULT_TYPES_FILE))?.split("\n", 2)[1];
  } catch {
    header = undefined;
  }
  const workersTypes = [manifest.dependencies, manifest.devDependencies].some(
    (deps) => deps && typeof deps === "object" && "@cloudflare/workers-types" in deps,
  );
  const setup = typesSetupOf({
    scripts: manifest.scripts && typeof manifest.scripts === "object" ? manifest.scripts : undefined,
    header,
    workersTypes,
  });
  // Only inside the project: a script's path that leads out is not followed.
  return isInside(projectDir, join(projectDir, setup.file)) ? setup : { ...setup, file: DEFAULT_TYPES_FILE };
}

export interface WranglerCommand {
  file: string;
  /** Arguments that come before wrangler's own (e.g. `npx --yes wrangler@4.157.0`). */
  prefix: string[];
  /** How it was found, for messages. */
  source: string;
  /** Its package's version, when it is a wrangler package we can read (not --wrangler, not npx). */
  version?: string;
}

export interface WranglerResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/**
 * The project's own wrangler once installed, else one on PATH, else (only for a project being
 * created, `download`: its pinned `wrangler@<version>`) npx; else a refusal naming the fix. A wrangler
 * that other users could have changed (its link, its package, or for the project's own, anything
 * in node_modules it may load) is passed over, and the reason kept for the progress line. The
 * resolved file is what runs, so a link swapped after the check changes nothing.
 */
export function findWrangler(projectDir: string, env: NodeJS.ProcessEnv, override?: string, download?: string): WranglerCommand {
  if (override) return { file: override, prefix: [], source: "--wrangler" };
  const passedOver: string[] = [];
  const local = join(projectDir, "node_modules", ".bin", "wrangler");
  if (existsSync(local)) {
    const open = modulesOpenToOthers(projectDir);
    if (!open) {
      const file = realpathSync(local);
      return { file, prefix: [], source: "the project's node_modules", version: packageVersion(file) };
    }
    passedOver.push(`the project's, as other users can write ${open}`);
  }
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "wrangler");
    if (!existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    const open = openToOthers(candidate, dirname(candidate)) ?? openToOthersWithin(packageRoot(real));
    if (!open) return { file: real, prefix: [], source: withPassedOver("PATH", passedOver), version: packageVersion(real) };
    passedOver.push(`${candidate}, as other users can write ${open}`);
  }
  // A download only of the version a project being created pins, and said in the progress line;
  // a project that exists gets no wrangler it did not install (another version would rewrite its
  // types for another runtime).
  if (download)
    return { file: "npx", prefix: ["--yes", download], source: withPassedOver(`npx ${download}, the version the project pins`, passedOver) };
  throw new UsageError(
    `No wrangler to run in ${projectDir}: none in its node_modules${passedOver.length > 0 ? ` (${passedOver.join(" and ")})` : ""} and none on PATH. create-do-kv does not download a wrangler the project did not install.`,
    "Install the project's dependencies (npm install, or your package manager's), or pass --wrangler <path>; nothing was written.",
  );
}

/** The version in the package.json of the wrangler package `file` belongs to, if it is one. */
function packageVersion(file: string): string | undefined {
  // Read with the guards: a FIFO there is refused, never waited on.
  const text = readRegularFileIfAny(join(packageRoot(file), "package.json"));
  try {
    const manifest = JSON.parse(text ?? "") as { name?: unknown; version?: unknown };
    return manifest.name === "wrangler" && typeof manifest.version === "string" ? manifest.version : undefined;
  } catch {
    return undefined; // not JSON: unknown, as for --wrangler
  }
}

/** The first thing in the project's node_modules (or on the way to it) that another user could change. */
export function modulesOpenToOthers(projectDir: string): string | undefined {
  const modules = realpathSync(join(projectDir, "node_modules"));
  return openToOthers(modules, realpathSync(projectDir)) ?? openToOthersWithin(modules);
}

const withPassedOver = (source: string, passedOver: string[]) =>
  passedOver.length === 0 ? source : `${source}; passed over ${passedOver.join(" and ")}`;

/** A stored `wrangler login` (OAuth), in either place wrangler keeps it. */
export function hasWranglerLogin(env: NodeJS.ProcessEnv): boolean {
  const home = env.HOME ?? homedir();
  const places = [
    join(env.XDG_CONFIG_HOME ?? join(home, ".config"), ".wrangler", "config", "default.toml"),
    join(home, ".wrangler", "config", "default.toml"),
  ];
  return places.some((file) => existsSync(file) && /oauth_token/.test(readFileSync(file, "utf8")));
}

export function hasApiToken(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.CLOUDFLARE_API_TOKEN || (env.CLOUDFLARE_API_KEY && env.CLOUDFLARE_EMAIL));
}

/**
 * How to start a wrangler: its JavaScript on the Node running create-do-kv (checked at 22.12 or
 * newer by the bin), not on whatever `node` its `#!/usr/bin/env node` line finds first on PATH: a
 * run started from a clone (its own Node) in a shell whose Node is 20 would fail there.
 */
export function startOf(command: WranglerCommand, args: readonly string[]): [string, string[]] {
  const argv = [...command.prefix, ...args];
  return /\.[cm]?js$/.test(command.file) ? [process.execPath, [command.file, ...argv]] : [command.file, argv];
}

export async function runWrangler(
  command: WranglerCommand,
  args: string[],
  options: { cwd: string; timeoutMs: number; env: NodeJS.ProcessEnv },
): Promise<WranglerResult> {
  // stdin stays closed: wrangler must never wait for an answer.
  const [file, argv] = startOf(command, args);
  const result = await run(file, argv, {
    cwd: options.cwd,
    env: { ...options.env, WRANGLER_HIDE_BANNER: "true", WRANGLER_SEND_METRICS: "false" },
    timeoutMs: options.timeoutMs,
  });
  return {
    exitCode: result.exitCode,
    stdout: result.stdout,
    // A binary that could not start has no stderr of its own: show why it did not start.
    stderr: result.problem ? `${result.problem}\n${tailOf(result.stderr)}`.trim() : result.stderr,
    timedOut: result.timedOut,
  };
}

/**
 * Refuses (exit 2, nothing run) a project where a link would send wrangler's own writes outside
 * it: wrangler keeps its account cache in node_modules/.cache/wrangler, else .wrangler/cache, and
 * follows whatever link is on the way there. A node_modules that is itself a link is taken as the
 * user's layout, as it is when its wrangler is run; a link below it is not.
 */
export function refuseCacheLinksOut(projectDir: string): void {
  const modules = join(projectDir, "node_modules");
  const places = [{ root: projectDir, cache: join(".wrangler", "cache") }];
  if (existsSync(modules)) places.push({ root: modules, cache: join(".cache", "wrangler") });
  for (const { root, cache } of places) {
    try {
      writablePath(root, join(root, cache, "-"));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      const shown = root === projectDir ? cache : join("node_modules", cache);
      throw new UsageError(
        `wrangler keeps its cache in ${shown}, and a link on the way there leads outside the project; nothing was run.`,
        "Replace the link with a folder of the project's own (or remove it), then run the command again.",
      );
    }
  }
}

/**
 * `wrangler login`, in the user's terminal. Ctrl-C there reaches wrangler and create-do-kv
 * alike (one terminal, one process group): it cancels the login, which is reported as such.
 */
export async function runWranglerLogin(command: WranglerCommand, cwd: string, env: NodeJS.ProcessEnv): Promise<"logged-in" | "failed" | "cancelled"> {
  try {
    const result = await run(...startOf(command, ["login"]), { cwd, env, interactive: true });
    if (result.exitCode === 0) return "logged-in";
    // wrangler may be seen to end a moment before our own copy of the Ctrl-C arrives.
    await new Promise((resolve) => setTimeout(resolve, 250));
  } catch (error) {
    if (!(error instanceof CancelledError)) throw error;
  }
  if (forgetCtrlC()) return "cancelled";
  throwIfInterrupted("wrangler login");
  return "failed";
}

/**
 * `wrangler types` into a new file of the project's root (the import paths wrangler writes are
 * relative to the file), under a name no one can guess or have planted, so wrangler never writes
 * through a link and a reader never sees half a file. Its runtime types come from a local workerd
 * it starts and fetches from; on a loaded machine that fetch was seen to fail once ("fetch
 * failed"), so it gets a second try. A new file starts from the user's cache of runtime types
 * (types-cache.ts). Returns the file, or wrangler's message when both tries fail.
 */
export async function typesIntoNewFile(
  projectDir: string,
  env: NodeJS.ProcessEnv,
  wranglerPath?: string,
  setup: TypesSetup = projectTypesSetup(projectDir),
): Promise<{ file: string } | { failure: string }> {
  const wrangler = findWrangler(projectDir, env, wranglerPath);
  // Beside the file it replaces (the import paths wrangler writes are relative to it), never
  // through a link that leads out of the project.
  const root = realpathSync(projectDir);
  const file = join(typesFolder(projectDir, setup.file), `.create-do-kv-types-${uniqueSuffix()}.d.ts`);
  const name = relative(root, file);
  if (!withoutRuntime(setup.flags)) seedRuntimeTypes(projectDir, file, env);
  let result: WranglerResult | undefined;
  try {
    for (let attempt = 1; attempt <= 2; attempt++) {
      result = await runWrangler(wrangler, ["types", name, ...setup.flags], { cwd: projectDir, timeoutMs: 120_000, env });
      if (result.exitCode === 0) {
        storeRuntimeTypes(file, env);
        return { file };
      }
    }
  } catch (error) {
    rmSync(file, { force: true }); // a signal: no half-made file left behind
    throw error;
  }
  rmSync(file, { force: true });
  return { failure: wranglerErrorMessage(result!.stderr, result!.stdout) };
}

/**
 * worker-configuration.d.ts regenerated: made as a new file beside it, then renamed over it, so
 * the old file stays whole until the new one is. Returns wrangler's message when it fails.
 */
export async function generateTypes(projectDir: string, env: NodeJS.ProcessEnv, options: { wrangler?: string } = {}): Promise<string | undefined> {
  const setup = projectTypesSetup(projectDir);
  const made = await typesIntoNewFile(projectDir, env, options.wrangler, setup);
  if ("failure" in made) return made.failure;
  try {
    const temporary = relative(realpathSync(projectDir), made.file).split(sep).join("/");
    const text = readFileSync(made.file, "utf8");
    // The header names the command that made the file: the project's own file, not our temporary one.
    const header = text.indexOf("\n", text.indexOf("\n") + 1);
    const line = text.slice(0, header);
    const fixed = (setup.file === DEFAULT_TYPES_FILE ? line.replace(` ${temporary}`, "") : line.replace(temporary, setup.file)) + text.slice(header);
    if (fixed !== text) writeFileSync(made.file, fixed);
    // Over the file, or over a link in its place (the link goes, what it pointed to is untouched).
    renameSync(made.file, join(typesFolder(projectDir, setup.file), basename(setup.file)));
  } catch (error) {
    rmSync(made.file, { force: true });
    throw error;
  }
  return undefined;
}
