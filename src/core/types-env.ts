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

/** Where a hand-written `interface Env {` opens in `text`, or -1. */
export function handWrittenEnvAt(text: string): number {
  const found = /^[ \t]*(?:export\s+)?(?:declare\s+)?interface\s+Env\s*\{/m.exec(text);
  return found ? found.index + found[0].length : -1;
}

/**
 * `text` with `members` (`NAME: Type;`) added at the end of its hand-written `interface Env`, at
 * the indent of its members; those it declares already are left out. The rest stays byte for
 * byte. Undefined when there is no such interface or its end cannot be found.
 */
export function withEnvMembers(text: string, members: readonly { name: string; type: string }[]): string | undefined {
  const open = handWrittenEnvAt(text);
  if (open < 0) return undefined;
  let depth = 1;
  let close = open;
  for (; close < text.length && depth > 0; close++) {
    if (text[close] === "{") depth++;
    else if (text[close] === "}") depth--;
  }
  if (depth !== 0) return undefined;
  close--; // at the interface's own "}"
  const body = text.slice(open, close);
  const declared = new Set([...body.matchAll(/^[ \t]*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*:/gm)].map((m) => m[1]!));
  const fresh = members.filter((m) => !declared.has(m.name));
  if (fresh.length === 0) return text;
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const indent = /\n([ \t]+)\S/.exec(body)?.[1] ?? "\t";
  const lineStart = text.lastIndexOf("\n", close - 1) + 1;
  const closeOnOwnLine = text.slice(lineStart, close).trim() === "";
  const lines = fresh.map((m) => `${indent}${m.name}: ${m.type};`).join(eol);
  if (closeOnOwnLine) return `${text.slice(0, lineStart)}${lines}${eol}${text.slice(lineStart)}`;
  return `${text.slice(0, close)}${eol}${lines}${eol}${text.slice(close)}`;
}
