/** The KV flags that `create` and `sync` share, checked into one record. */
import { resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { parseKvIds } from "./plan.js";
import { choosePackageManager, managerWords } from "../project/package-manager.js";
import { quoteArg, selfCommand, type Shell, shellFor } from "../project/shell.js";

export interface KvFlags {
  createKv?: boolean;
  preview?: boolean;
  kvId?: string[];
  wrangler?: string;
  timeout?: string;
}

export interface KvSettings {
  createKv: boolean | undefined;
  preview: boolean;
  given: Map<string, string>;
  wrangler?: string;
  timeoutMs: number;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;
/** The largest time limit Node's timers can keep, in whole seconds. */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/**
 * The `sync` command that finishes what a run left undone, with the KV flags that run was given
 * (so a flag added to KvSettings is carried by adding it here, once). `self`: how create-do-kv is
 * run again (shell.ts selfCommand); `prefix`: "cd app && " or "".
 */
export function finishCommand(settings: KvSettings, options: { self: string; prefix?: string; cwd?: string; shell?: Shell }): string {
  const flags = [
    ...(options.cwd ? ["--cwd", options.cwd] : []),
    ...(settings.preview ? ["--preview"] : []),
    ...(settings.wrangler ? ["--wrangler", settings.wrangler] : []),
    ...(settings.timeoutMs !== DEFAULT_TIMEOUT_SECONDS * 1000 ? ["--timeout", String(settings.timeoutMs / 1000)] : []),
  ];
  return `${options.prefix ?? ""}${options.self} sync${flags.map((flag) => ` ${quoteArg(flag, options.shell)}`).join("")}`;
}

/**
 * --wrangler as the user meant it: a path with a folder in it is relative to where they ran the
 * command (wrangler runs in the project's folder, where it would not be found); a bare name is
 * looked up on PATH.
 */
export function wranglerPath(flag: string | undefined, cwd: string): string | undefined {
  return flag !== undefined && /[\\/]/.test(flag) ? resolve(cwd, flag) : flag;
}

export function kvSettings(flags: KvFlags, cwd = "."): KvSettings {
  const given = parseKvIds(flags.kvId ?? []);
  const seconds = flags.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout: "${flags.timeout}" is not a positive number of seconds.`);
  }
  // Node's timers take at most 2^31-1 ms (about 24.8 days); beyond it, and below 1 ms, every call
  // would end at once with a false "did not finish" message.
  if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
    throw new UsageError(`--timeout: ${flags.timeout} is outside 1 to ${MAX_TIMEOUT_SECONDS} seconds.`);
  }
  return {
    createKv: flags.createKv,
    preview: flags.preview ?? false,
    given,
    wrangler: wranglerPath(flags.wrangler, cwd),
    timeoutMs: Math.round(seconds * 1000),
  };
}

/**
 * The finish command of a run inside an existing project (sync, add): create-do-kv run again by
 * the manager that ran it (npx, pnpm dlx, yarn dlx, bun x), quoted for the platform's shell.
 */
export function finishInProject(
  settings: KvSettings,
  run: { cwd?: string; userAgent: string | undefined; bin: string | undefined; node?: string; platform: NodeJS.Platform },
): string {
  const shell = shellFor(run.platform);
  const dlx = managerWords(choosePackageManager(undefined, run.userAgent)).dlx;
  return finishCommand(settings, { self: selfCommand(dlx, run.bin, shell, run.node), cwd: run.cwd, shell });
}
