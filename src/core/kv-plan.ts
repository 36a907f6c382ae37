/**
 * Which KV namespaces to create for a config, under which titles, and what to do without
 * credentials. Pure: the effects in effects/kv.ts carry it out.
 */
import type { KvIdField } from "./config-edit.js";
import type { WranglerConfig } from "./config-read.js";
import { UsageError } from "../errors.js";
import { titleClash, toKebab } from "./names.js";
import { NAMESPACE_ID } from "./wrangler-output.js";

/** What happened to one namespace id (the report's kv entries are built from these). */
export interface KvOutcome {
  binding: string;
  field: KvIdField;
  title?: string;
  status: "created" | "reused" | "given" | "failed";
  id?: string;
  message?: string;
}

export interface KvTask {
  binding: string;
  field: KvIdField;
  /** The title passed to `wrangler kv namespace create`. */
  title: string;
  /** The title the namespace gets (wrangler appends `_preview` for --preview). */
  createdTitle: string;
}

/** `<worker>-<binding in kebab-case>`, the title wrangler's deploy-time provisioning would use. */
export function namespaceTitle(workerName: string, binding: string): string {
  return `${workerName}-${toKebab(binding)}`;
}

/** `BINDING=ID` pairs from --kv-id, checked. */
export function parseKvIds(pairs: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const pair of pairs) {
    const [binding, id, extra] = pair.split("=");
    if (!binding || id === undefined || extra !== undefined) {
      throw new UsageError(`--kv-id: "${pair}" is not BINDING=ID.`);
    }
    if (!NAMESPACE_ID.test(id)) {
      throw new UsageError(`--kv-id: "${id}" is not a KV namespace id (32 lowercase hex characters).`);
    }
    if (ids.has(binding) && ids.get(binding) !== id) {
      throw new UsageError(`--kv-id: "${binding}" is given twice, with ${ids.get(binding)} and ${id}; give one id per binding.`);
    }
    ids.set(binding, id);
  }
  return ids;
}

/** The one check that every --kv-id names a KV binding there is (create: the planned ones; sync: the config's). */
export function checkGivenIds(given: ReadonlyMap<string, string>, bindings: readonly string[], where: string): void {
  for (const binding of given.keys()) {
    if (!bindings.includes(binding)) {
      throw new UsageError(`--kv-id: "${binding}" is not one of the KV bindings of ${where} (${bindings.join(", ") || "it has none"}).`);
    }
  }
}

export function planKvTasks(config: WranglerConfig, options: { preview: boolean; given: ReadonlyMap<string, string> }): KvTask[] {
  const workerName = config.name ?? "worker";
  const tasks: KvTask[] = [];
  for (const entry of config.kv_namespaces ?? []) {
    const title = namespaceTitle(workerName, entry.binding);
    if (!entry.id && !options.given.has(entry.binding)) {
      tasks.push({ binding: entry.binding, field: "id", title, createdTitle: title });
    }
    if (options.preview && !entry.preview_id) {
      tasks.push({ binding: entry.binding, field: "preview_id", title, createdTitle: `${title}_preview` });
    }
  }
  // A config edited by hand can hold two bindings create would have refused; creating either
  // would find the other's namespace by its title and bind both to one.
  const clash = tasks.length > 0 ? titleClash((config.kv_namespaces ?? []).map((entry) => entry.binding)) : undefined;
  if (clash) throw new UsageError(clash);
  return tasks;
}

export type KvDecision =
  | { action: "create" }
  | { action: "offer-login" }
  | { action: "skip"; reason: string }
  | { action: "fail"; reason: string };

/**
 * Whether to create namespaces now. Explicit --no-create-kv skips; a token (or a stored wrangler
 * login on a terminal) creates; without a terminal and a token, skip unless --create-kv was
 * given, which makes it a failure.
 */
export function decideKvCreation(input: {
  flag: boolean | undefined;
  hasToken: boolean;
  loggedIn: boolean;
  interactive: boolean;
  /** false with --yes: a terminal, but nothing may be asked (not even to log in). */
  mayAsk?: boolean;
}): KvDecision {
  if (input.flag === false) return { action: "skip", reason: "--no-create-kv was given" };
  if (input.hasToken) return { action: "create" };
  if (input.interactive && input.loggedIn) return { action: "create" };
  if (input.interactive && input.mayAsk === false) {
    const reason = "not logged in to Cloudflare (--yes asks nothing; run `npx wrangler login` first)";
    return input.flag === true ? { action: "fail", reason } : { action: "skip", reason };
  }
  if (input.interactive) return { action: "offer-login" };
  const reason = "CLOUDFLARE_API_TOKEN is not set and there is no terminal to log in on";
  return input.flag === true ? { action: "fail", reason } : { action: "skip", reason };
}
