/**
 * The Env interface of a types file that `wrangler types` wrote: one pattern for where it is and
 * one reader of the names it declares, for `check`, `sync` and the rename engines. Pure.
 */

/**
 * The Env block wrangler writes (`interface Env`, or `__BaseEnv_Env` when environments differ): its
 * tab-indented lines, then `}` at the start of a line. A member's type may hold braces (a JSON var,
 * a K2 stream), so the block is not "up to the first brace".
 */
export const ENV_BLOCK = /interface (?:__BaseEnv_Env|Env) \{((?:\n\t[^\n]*)*)\n\}/;

/** The names the Env block declares, or undefined when the text has none. */
export function envNames(text: string | undefined): Set<string> | undefined {
  const block = text === undefined ? null : ENV_BLOCK.exec(text);
  if (!block) return undefined;
  return new Set([...block[1]!.matchAll(/^\t([A-Za-z_$][\w$]*)\??:/gm)].map((m) => m[1]!));
}

/**
 * Whether types declaring `declared` are out of date for a config binding `bound`: a binding
 * missing from them, or one `before` bound that is gone now but still declared. Other extra names
 * may be secrets from .dev.vars, which wrangler also declares.
 */
export function typesStale(declared: ReadonlySet<string>, bound: ReadonlySet<string>, before: readonly string[] = []): boolean {
  return [...bound].some((name) => !declared.has(name)) || before.some((name) => !bound.has(name) && declared.has(name));
}
