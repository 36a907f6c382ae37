/**
 * Which KV namespaces to create for a config, under which titles, and what to do without
 * credentials. Pure: the effects in effects/kv.ts carry it out.
 */
import type { KvNamespaceEntry, WranglerConfig } from "../config/read.js";
import { UsageError } from "../../errors.js";
import { kvBindings } from "../config/sections.js";
import { NAMESPACE_ID } from "./wrangler-output.js";
import type { ConfigPath, KvIdField } from "../config/types.js";

/** What happened to one namespace id (the report's kv entries are built from these). */
export interface KvOutcome {
  binding: string;
  /** The environment whose section holds the binding; undefined for the top level. */
  env?: string;
  /** Where the entry is in the config, for the edit that writes the id. */
  path?: ConfigPath;
  field: KvIdField;
  title?: string;
  status: "created" | "reused" | "given" | "failed";
  id?: string;
  message?: string;
}

export interface KvTask {
  binding: string;
  env?: string;
  path: ConfigPath;
  field: KvIdField;
  /** The title passed to `wrangler kv namespace create`. */
  title: string;
  /** The title the namespace gets (wrangler appends `_preview` for --preview). */
  createdTitle: string;
}

/**
 * The title `wrangler deploy` gives a namespace it creates for a binding without an id (its
 * auto-provisioning, wrangler 4.45+): `<script>-<binding lower-cased, every "_" as "-">`, where the
 * script is the Worker, `<worker>-<env>` in an environment. The same rule here, so a namespace a
 * deploy made is found and adopted, never made twice under another title.
 */
export function namespaceTitle(workerName: string, binding: string, env?: string): string {
  const script = env === undefined ? workerName : `${workerName}-${env}`;
  return `${script}-${binding.toLowerCase().replaceAll("_", "-")}`;
}

/** The first wrangler that takes a KV binding without an id (it provisions the namespace at deploy). */
export const IDLESS_KV_SINCE = "4.45.0";

/**
 * Whether a wrangler of `version` takes a KV binding without an id: `wrangler types` and `deploy`
 * before 4.45 fail on one. Unknown (a --wrangler path, npx) is taken as able: the run will say.
 */
export function takesIdlessKv(version: string | undefined): boolean {
  const parts = version
    ?.match(/^(\d+)\.(\d+)\.(\d+)/)
    ?.slice(1)
    .map(Number);
  if (!parts) return true;
  const since = IDLESS_KV_SINCE.split(".").map(Number);
  for (let i = 0; i < 3; i++) if (parts[i] !== since[i]) return parts[i]! > since[i]!;
  return true;
}

/** How --kv-id and messages name a binding: `CACHE` at the top level, `staging.CACHE` in an environment. */
export function kvKey(binding: string, env?: string): string {
  return env === undefined ? binding : `${env}.${binding}`;
}

export interface KvEntry {
  key: string;
  binding: string;
  env?: string;
  path: ConfigPath;
  entry: KvNamespaceEntry;
}

/** Every KV binding of the config, the top level's first, then each environment's. */
export function kvEntries(config: WranglerConfig): KvEntry[] {
  return kvBindings(config)
    .filter(({ binding }) => typeof binding?.binding === "string")
    .map(({ env, path, binding }) => ({ key: kvKey(binding.binding, env), binding: binding.binding, env, path, entry: binding }));
}

/** The KV bindings of a project still to be made: each binding at the top level, then in each environment. */
export function plannedKvEntries(bindings: readonly string[], envs: readonly string[] = []): Pick<KvEntry, "key" | "binding" | "env">[] {
  return [undefined, ...envs].flatMap((env) => bindings.map((binding) => ({ key: kvKey(binding, env), binding, env })));
}

/**
 * Two KV bindings (anywhere in the config) whose namespace titles would be the same: the second
 * create would find the first's namespace and both bindings would share its data.
 */
export function kvTitleClash(workerName: string, entries: readonly Pick<KvEntry, "key" | "binding" | "env">[]): string | undefined {
  const byTitle = new Map<string, string>();
  for (const { key, binding, env } of entries) {
    const title = namespaceTitle(workerName, binding, env);
    const other = byTitle.get(title);
    if (other !== undefined && other !== key) {
      return `The KV bindings "${other}" and "${key}" would get the same namespace title ("${title}") and so share one namespace; rename one of them.`;
    }
    byTitle.set(title, key);
  }
  return undefined;
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
  const entries = kvEntries(config);
  for (const { key, binding, env, path, entry } of entries) {
    const title = namespaceTitle(workerName, binding, env);
    const where = { binding, ...(env === undefined ? {} : { env }), path };
    if (!entry.id && !options.given.has(key)) tasks.push({ ...where, field: "id", title, createdTitle: title });
    if (options.preview && !entry.preview_id) tasks.push({ ...where, field: "preview_id", title, createdTitle: `${title}_preview` });
  }
  // A config edited by hand can hold two bindings create would have refused; creating either
  // would find the other's namespace by its title and bind both to one.
  const clash = tasks.length > 0 ? kvTitleClash(workerName, entries) : undefined;
  if (clash) throw new UsageError(clash);
  return tasks;
}

export type KvDecision = { action: "create" } | { action: "offer-login" } | { action: "skip"; reason: string } | { action: "fail"; reason: string };

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
