/**
 * The folders create-do-kv keeps caches in (runtime types; the bin's code cache): removing what
 * the caller's rule picks from the files' last use (modification time).
 */
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

export function pruneFolder(dir: string, pick: (files: { name: string; usedMs: number }[]) => string[]): void {
  const files = readdirSync(dir).map((name) => ({ name, usedMs: statSync(join(dir, name)).mtimeMs }));
  for (const name of pick(files)) rmSync(join(dir, name), { force: true });
}
