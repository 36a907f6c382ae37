/**
 * Running wrangler: which binary, with a time limit of our own on every call (wrangler can take
 * three minutes to give up on an API that does not answer), argv only, no shell.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { wranglerErrorMessage } from "../core/wrangler-output.js";
import { run, tailOf } from "./process.js";
import { seedRuntimeTypes, storeRuntimeTypes } from "./types-cache.js";

/** What `wrangler types` writes: Env and the runtime types, for tsc and the editor. */
export const TYPES_FILE = "worker-configuration.d.ts";

export interface WranglerCommand {
  file: string;
  /** Arguments that come before wrangler's own (e.g. `npx --yes wrangler@4`). */
  prefix: string[];
  /** How it was found, for messages. */
  source: string;
}

export interface WranglerResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The project's own wrangler once installed, else one on PATH, else `npx wrangler@4`. */
export function findWrangler(projectDir: string, env: NodeJS.ProcessEnv, override?: string): WranglerCommand {
  if (override) return { file: override, prefix: [], source: "--wrangler" };
  const local = join(projectDir, "node_modules", ".bin", "wrangler");
  if (existsSync(local)) return { file: local, prefix: [], source: "the project's node_modules" };
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "wrangler");
    if (existsSync(candidate)) return { file: candidate, prefix: [], source: "PATH" };
  }
  return { file: "npx", prefix: ["--yes", "wrangler@4"], source: "npx wrangler@4" };
}

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

export async function runWrangler(
  command: WranglerCommand,
  args: string[],
  options: { cwd: string; timeoutMs: number; env: NodeJS.ProcessEnv },
): Promise<WranglerResult> {
  // stdin stays closed: wrangler must never wait for an answer.
  const result = await run(command.file, [...command.prefix, ...args], {
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

/** `wrangler login`, in the user's terminal. */
export async function runWranglerLogin(command: WranglerCommand, cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const result = await run(command.file, [...command.prefix, "login"], { cwd, env, interactive: true });
  return result.exitCode === 0;
}

/**
 * `wrangler types`: worker-configuration.d.ts (or `out`) from the config. Its runtime types come
 * from a local workerd it starts and fetches from; on a loaded machine that fetch was seen to fail
 * once ("fetch failed"), so it gets a second try. Returns wrangler's message when both fail.
 * A new file starts from the user's cache of runtime types (types-cache.ts).
 */
export async function generateTypes(
  projectDir: string,
  env: NodeJS.ProcessEnv,
  options: { wrangler?: string; out?: string } = {},
): Promise<string | undefined> {
  const wrangler = findWrangler(projectDir, env, options.wrangler);
  const target = resolve(projectDir, options.out ?? TYPES_FILE);
  const seeded = seedRuntimeTypes(projectDir, target, env);
  let result: WranglerResult | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    result = await runWrangler(wrangler, ["types", ...(options.out ? [options.out] : [])], { cwd: projectDir, timeoutMs: 120_000, env });
    if (result.exitCode === 0) {
      storeRuntimeTypes(target, env);
      return undefined;
    }
  }
  // The seed is ours, not a types file: a failed run must not leave it looking like one.
  if (seeded) rmSync(target, { force: true });
  return wranglerErrorMessage(result!.stderr, result!.stdout);
}
