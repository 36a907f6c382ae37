/** The KV flags that `create` and `sync` share, checked into one record. */
import { UsageError } from "../errors.js";
import { parseKvIds } from "./kv-plan.js";
import { quoteArg } from "./shell.js";

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

/**
 * The `sync` command that finishes what a run left undone, with the KV flags that run was given
 * (so a flag added to KvSettings is carried by adding it here, once). `prefix`: "cd app && " or "".
 */
export function finishCommand(settings: KvSettings, options: { dlx: string; prefix?: string; cwd?: string }): string {
  const flags = [
    ...(options.cwd ? ["--cwd", options.cwd] : []),
    ...(settings.preview ? ["--preview"] : []),
    ...(settings.wrangler ? ["--wrangler", settings.wrangler] : []),
    ...(settings.timeoutMs !== DEFAULT_TIMEOUT_SECONDS * 1000 ? ["--timeout", String(settings.timeoutMs / 1000)] : []),
  ];
  return `${options.prefix ?? ""}${options.dlx} create-do-kv sync${flags.map((flag) => ` ${quoteArg(flag)}`).join("")}`;
}

export function kvSettings(flags: KvFlags): KvSettings {
  const given = parseKvIds(flags.kvId ?? []);
  const seconds = flags.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout: "${flags.timeout}" is not a positive number of seconds.`);
  }
  return {
    createKv: flags.createKv,
    preview: flags.preview ?? false,
    given,
    wrangler: flags.wrangler,
    timeoutMs: Math.round(seconds * 1000),
  };
}
