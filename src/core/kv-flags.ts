/** The KV flags that `create` and `sync` share, checked into one record. */
import { UsageError } from "../errors.js";
import { parseKvIds } from "./kv-plan.js";

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

export function kvSettings(flags: KvFlags): KvSettings {
  let given: Map<string, string>;
  try {
    given = parseKvIds(flags.kvId ?? []);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
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
