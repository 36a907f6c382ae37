/**
 * The per-user folder create-do-kv keeps its caches in (Node's compile cache for the bin, the
 * runtime types): `$XDG_CACHE_HOME/create-do-kv`, `~/Library/Caches/create-do-kv`,
 * `%LOCALAPPDATA%\create-do-kv` or `~/.cache/create-do-kv`. A cache is code or text we trust,
 * so it is used only from a folder of this user's that no one else may write: never from the
 * shared temporary folder, never through a link. Bundled on its own too (dist/private-folder.cjs),
 * so the bin can find the compile cache before it loads the CLI.
 */
import { lstatSync, mkdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";

export function cacheBase(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const home = env.HOME || homedir();
  const base =
    env.XDG_CACHE_HOME ||
    (platform === "darwin"
      ? join(home, "Library", "Caches")
      : platform === "win32"
        ? env.LOCALAPPDATA || join(home, "AppData", "Local")
        : join(home, ".cache"));
  return join(base, "create-do-kv");
}

/** Whether no other user can write `stat`'s file or folder, or rename it away. */
function onlyMine(stat: { uid: number; mode: number; isDirectory(): boolean }, uid: number): boolean {
  return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o022) === 0;
}

/**
 * Whether another user could change this file or folder: writable by others without the sticky
 * bit, or owned by someone else than us and root. Here, not in project-files.ts, so that the
 * bin's small bundle of this file needs nothing else.
 */
export function othersCanChange(stat: { uid: number; mode: number }, uid: number): boolean {
  return (stat.uid !== uid && stat.uid !== 0) || ((stat.mode & 0o002) !== 0 && (stat.mode & 0o1000) === 0);
}

/**
 * `<cache base>/<name>`, made (mode 0700) if missing, when it and create-do-kv's folder are this
 * user's, real folders (not links) and writable by no one else, and no folder above them is
 * open to others (unless it has the sticky bit, as /tmp does, so no one else can rename ours) or
 * owned by another user than us and root.
 * Otherwise undefined: the caller runs without a cache. Windows has no uids; the folder is in
 * the user's own profile there.
 */
export function privateFolder(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const dir = join(cacheBase(env), name);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const uid = process.getuid?.();
    if (uid === undefined) return dir;
    if (!onlyMine(lstatSync(dir), uid) || !onlyMine(lstatSync(dirname(dir)), uid)) return undefined;
    // Every folder above as well: one that another user can write (or owns) lets them rename ours
    // away and put theirs in its place.
    for (let up = dirname(dirname(dir)); ; up = dirname(up)) {
      if (othersCanChange(statSync(up), uid)) return undefined;
      if (dirname(up) === up) return dir;
    }
  } catch {
    return undefined; // a read-only home, a file in the way: no cache
  }
}
