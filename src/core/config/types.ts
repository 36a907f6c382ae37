/** Shapes the config's reader, editors and their users share, kept apart so none imports another for a type. */

/** The two config formats create-do-kv writes: wrangler.toml, or wrangler.jsonc (wrangler.json reads as jsonc). */
export const CONFIG_FORMATS = ["toml", "jsonc"] as const;
export type ConfigFormat = (typeof CONFIG_FORMATS)[number];

/** Where a value sits in a parsed config, e.g. ["env", "staging", "kv_namespaces", 0, "id"]. */
export type ConfigPath = (string | number)[];

/** The two id fields of a KV binding. */
export type KvIdField = "id" | "preview_id";
