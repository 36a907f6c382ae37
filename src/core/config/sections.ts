/**
 * The places a wrangler config holds bindings: the top level and each `env.<name>` section
 * (wrangler does not inherit bindings into environments, so each repeats them), and every kind
 * of binding wrangler knows, so a new name can be checked against all of them. Pure.
 */
import type { ConfigSection, DurableObjectBinding, KvNamespaceEntry, WranglerConfig } from "./read.js";
import type { ConfigPath } from "./types.js";

export interface Section {
  /** undefined for the top level. */
  env?: string;
  path: ConfigPath;
  value: ConfigSection;
}

export function sectionsOf(config: WranglerConfig): Section[] {
  const envs = config.env && typeof config.env === "object" ? Object.entries(config.env) : [];
  return [
    { path: [], value: config },
    ...envs.filter(([, value]) => value && typeof value === "object").map(([env, value]) => ({ env, path: ["env", env] as ConfigPath, value })),
  ];
}

export const sectionLabel = (env: string | undefined) => (env === undefined ? "the top level" : `env.${env}`);

export interface Located<T> {
  env?: string;
  /** Path of the entry inside the config, e.g. ["env", "staging", "kv_namespaces", 0]. */
  path: ConfigPath;
  binding: T;
}

const arrayAt = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

export function durableObjectBindings(config: WranglerConfig): Located<DurableObjectBinding>[] {
  return sectionsOf(config).flatMap(({ env, path, value }) =>
    arrayAt(value.durable_objects?.bindings).map((binding, i) => ({
      env,
      path: [...path, "durable_objects", "bindings", i],
      binding: binding as DurableObjectBinding,
    })),
  );
}

/**
 * The Worker a section deploys as: the top-level `name`; in an environment its own `name` if it
 * sets one, else `<name>-<env>` (as wrangler names it).
 */
export function scriptNameOf(config: WranglerConfig, env: string | undefined): string | undefined {
  if (env === undefined) return config.name;
  const own = config.env?.[env]?.name;
  return typeof own === "string" ? own : config.name === undefined ? undefined : `${config.name}-${env}`;
}

/**
 * Durable Object bindings to this Worker's own classes, everywhere: without script_name, or
 * with the script name of their own section (that is this Worker too, named out loud).
 */
export function ownDurableObjectBindings(config: WranglerConfig): Located<DurableObjectBinding>[] {
  return durableObjectBindings(config).filter(({ binding, env }) => !binding.script_name || binding.script_name === scriptNameOf(config, env));
}

export function kvBindings(config: WranglerConfig): Located<KvNamespaceEntry>[] {
  return sectionsOf(config).flatMap(({ env, path, value }) =>
    arrayAt(value.kv_namespaces).map((binding, i) => ({ env, path: [...path, "kv_namespaces", i], binding: binding as KvNamespaceEntry })),
  );
}

/** Every binding kind wrangler knows: where it lives in a section and which field names it. */
const LISTS: [key: string[], field: string, kind: string][] = [
  [["kv_namespaces"], "binding", "KV namespace"],
  [["durable_objects", "bindings"], "name", "Durable Object"],
  [["r2_buckets"], "binding", "R2 bucket"],
  [["d1_databases"], "binding", "D1 database"],
  [["services"], "binding", "service"],
  [["queues", "producers"], "binding", "queue"],
  [["analytics_engine_datasets"], "binding", "Analytics Engine dataset"],
  [["hyperdrive"], "binding", "Hyperdrive"],
  [["vectorize"], "binding", "Vectorize index"],
  [["dispatch_namespaces"], "binding", "dispatch namespace"],
  [["mtls_certificates"], "binding", "mTLS certificate"],
  [["workflows"], "binding", "Workflow"],
  [["pipelines"], "binding", "pipeline"],
  [["secrets_store_secrets"], "binding", "Secrets Store secret"],
  [["worker_loaders"], "binding", "Worker loader"],
  [["vpc_services"], "binding", "VPC service"],
  [["send_email"], "name", "send_email"],
  [["ratelimits"], "name", "rate limit"],
  [["unsafe", "bindings"], "name", "unsafe"],
  [["logfwdr", "bindings"], "name", "logfwdr"],
];
const SINGLE: [key: string, kind: string][] = [
  ["ai", "AI"],
  ["browser", "Browser Rendering"],
  ["images", "Images"],
  ["media", "Media"],
  ["version_metadata", "version metadata"],
  ["assets", "assets"],
];
const MAPS: [key: string, kind: string][] = [
  ["vars", "var"],
  ["text_blobs", "text blob"],
  ["data_blobs", "data blob"],
  ["wasm_modules", "Wasm module"],
];

export interface NamedBinding {
  name: string;
  kind: string;
  env?: string;
}

const dig = (value: unknown, keys: string[]): unknown =>
  keys.reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), value);

/** Every binding name in every section, with its kind. */
export function allBindings(config: WranglerConfig): NamedBinding[] {
  const found: NamedBinding[] = [];
  for (const { env, value } of sectionsOf(config)) {
    for (const [keys, field, kind] of LISTS) {
      for (const entry of arrayAt(dig(value, keys))) {
        const name = dig(entry, [field]);
        if (typeof name === "string") found.push({ name, kind, env });
      }
    }
    for (const [key, kind] of SINGLE) {
      const name = dig(value, [key, "binding"]);
      if (typeof name === "string") found.push({ name, kind, env });
    }
    for (const [key, kind] of MAPS) {
      const map = value[key];
      if (map && typeof map === "object" && !Array.isArray(map)) for (const name of Object.keys(map)) found.push({ name, kind, env });
    }
    for (const name of arrayAt(dig(value, ["secrets", "required"]))) if (typeof name === "string") found.push({ name, kind: "secret", env });
  }
  return found;
}
