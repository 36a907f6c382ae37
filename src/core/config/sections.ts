/**
 * The places a wrangler config holds bindings: the top level and each `env.<name>` section
 * (wrangler does not inherit bindings into environments, so each repeats them), and every kind
 * of binding wrangler knows, so a new name can be checked against all of them. Pure.
 */
import type { ConfigSection, DurableObjectBinding, KvNamespaceEntry, WranglerConfig } from "./read.js";
import type { ConfigPath } from "./types.js";
import { BINDING_KINDS, SECRETS } from "../bindings/kinds.js";

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

export interface NamedBinding {
  name: string;
  kind: string;
  env?: string;
  /** Whether `wrangler types` declares it in Env under its name (a logfwdr binding it does not). */
  inEnv: boolean;
}

const dig = (value: unknown, keys: string[]): unknown =>
  keys.reduce<unknown>((at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined), value);

/** Every binding name in every section, with its kind (as BINDING_KINDS labels it). */
export function allBindings(config: WranglerConfig): NamedBinding[] {
  const found: NamedBinding[] = [];
  for (const { env, value } of sectionsOf(config)) {
    for (const { key, shape, nameField, label: kind, envType } of BINDING_KINDS) {
      const at = dig(value, [...key]);
      const inEnv = envType !== null;
      if (shape === "list") {
        for (const entry of arrayAt(at)) {
          const name = dig(entry, [nameField!]);
          if (typeof name === "string") found.push({ name, kind, env, inEnv });
        }
      } else if (shape === "single") {
        const name = dig(at, [nameField!]);
        if (typeof name === "string") found.push({ name, kind, env, inEnv });
      } else if (at && typeof at === "object" && !Array.isArray(at)) for (const name of Object.keys(at)) found.push({ name, kind, env, inEnv });
    }
    for (const name of arrayAt(dig(value, [...SECRETS.key])))
      if (typeof name === "string") found.push({ name, kind: SECRETS.label, env, inEnv: true });
  }
  return found;
}

/** The names `wrangler types` declares in Env for the config, every section together. */
export function envBindingNames(config: WranglerConfig): Set<string> {
  return new Set(
    allBindings(config)
      .filter((b) => b.inEnv)
      .map((b) => b.name),
  );
}
