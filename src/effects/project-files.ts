/**
 * Reading a project's files as a stranger may have made them (a cloned repository): nothing in
 * it may make us hang (a FIFO where a file goes) or steer a write outside it (a link, a `..`).
 */
import { type Stats, lstatSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, parse, relative, sep } from "node:path";
import { UsageError } from "../errors.js";
import { othersCanChange } from "./private-folder.js";

/**
 * The text of a regular file. Anything else (a FIFO, a device, a socket, a folder) is refused
 * before it is opened: reading a FIFO blocks the whole process, signals included.
 */
export function readRegularFile(path: string): string {
  const stat = statSync(path); // a missing file keeps its ENOENT for the caller
  if (!stat.isFile()) throw notRegular(path, stat);
  refuseTooLarge(path, stat);
  return readFileSync(path, "utf8");
}

/**
 * The most create-do-kv reads of one file: far above any config, record or source file, and far
 * below what Node can hold as one string (a 3 GB file there failed as an unexpected error).
 */
export const MAX_READ_BYTES = 32 * 1024 * 1024;

export function refuseTooLarge(path: string, stat: Stats): void {
  if (stat.size > MAX_READ_BYTES) {
    throw new UsageError(
      `${path} is ${Math.round(stat.size / 1024 / 1024)} MB, more than the ${MAX_READ_BYTES / 1024 / 1024} MB create-do-kv reads of one file; nothing was written.`,
      "Check what that file is; a config, a record or a source file is far smaller.",
    );
  }
}

const notRegular = (path: string, stat: Stats) =>
  new UsageError(`${path} is not a regular file (${kindOf(stat)}); create-do-kv reads only regular files there.`);

/**
 * Refuses (exit 2) a package.json that Node's module resolver would read on its way from
 * `fromDir` to `packageName` inside the project (each folder's own, and the package's in each
 * node_modules) and that is there but not a regular file. The resolver reads them synchronously:
 * a FIFO would block the whole process, signals included, and /dev/zero would fill memory.
 */
export function refuseOddManifests(projectDir: string, fromDir: string, packageName: string): void {
  const root = realpathSync(projectDir);
  for (let dir = realpathSync(fromDir); isInside(root, dir); dir = dirname(dir)) {
    refuseNonRegular(join(dir, "package.json"));
    refuseNonRegular(join(dir, "node_modules", packageName, "package.json"));
    if (dir === root) break;
  }
}

/** Refuses (exit 2) a file that is there but is not a regular file; missing or unreadable passes. */
export function refuseNonRegular(path: string): void {
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    return; // whoever reads it finds it missing as well
  }
  if (!stat.isFile()) throw notRegular(path, stat);
}

/** The text of a regular file, or undefined when there is none. */
export function readRegularFileIfAny(path: string): string | undefined {
  try {
    return readRegularFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "not a file";
}

/** Whether `path` is `dir` or inside it (both absolute and real). */
export function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/**
 * The real path of a project file that is to be written: a link to a file inside the project is
 * written through (the link stays), anything reached through a link that leads outside is refused.
 * A file that does not exist yet is resolved through its nearest existing folder.
 */
export function writablePath(projectDir: string, path: string): string {
  const root = realpathSync(projectDir);
  let existing = path;
  const missing: string[] = [];
  for (;;) {
    try {
      lstatSync(existing);
      break;
    } catch {
      missing.unshift(existing.slice(existing.lastIndexOf(sep) + 1));
      existing = existing.slice(0, existing.lastIndexOf(sep)) || sep;
    }
  }
  const real = join(realpathSync(existing), ...missing);
  if (!isInside(root, real)) {
    throw new UsageError(
      `${relative(projectDir, path) || path} leads outside the project (to ${real}) through a link; create-do-kv does not write there.`,
      "Replace the link with the file itself, or point it inside the project.",
    );
  }
  return real;
}

/**
 * A project-relative path from a file we did not write (a journal): relative, normalized, no
 * `..`, and no link on the way (a link could lead the write anywhere). Returns the absolute path,
 * or undefined when the path is not one create-do-kv would have written.
 */
export function plainPathInside(projectDir: string, rel: unknown): string | undefined {
  if (typeof rel !== "string" || rel === "" || isAbsolute(rel) || rel.includes("\0")) return undefined;
  if (normalize(rel) !== rel || rel.split(/[\\/]/).some((part) => part === ".." || part === "." || part === "")) return undefined;
  let path = projectDir;
  const parts = rel.split(/[\\/]/);
  for (const [i, part] of parts.entries()) {
    path = join(path, part);
    let stat: Stats;
    try {
      stat = lstatSync(path);
    } catch {
      return join(projectDir, rel); // missing from here on: made as folders by the move
    }
    // A folder on the way, and a regular file (or nothing) at the end; never a link.
    if (i < parts.length - 1 ? !stat.isDirectory() : !stat.isFile()) return undefined;
  }
  return path;
}

/**
 * The first folder from `file`'s up to `root` (both included) that another user could write to:
 * writable by others without the sticky bit, or owned by someone else than us and root. Code
 * loaded from such a place could have been put there by them. Undefined when there is none, and
 * always on systems without uids (Windows).
 */
export function openToOthers(file: string, root: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const unsafe = (path: string) => othersCanChange(statSync(path), uid);
  if (unsafe(file)) return file;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    if (unsafe(dir)) return dir;
    if (dir === root || dirname(dir) === dir || !isInside(root, dir)) return undefined;
  }
}

/**
 * Refuses (exit 2, before anything is written) to write in `folder` when it, or a folder above
 * it, could be changed by another user: they could swap a folder on the way for a link between
 * our check and our write, and send the write elsewhere in our name. Sticky folders (/tmp) are
 * fine: there others cannot move what is ours.
 */
export function refuseOpenFolder(folder: string): void {
  const open = openToOthers(folder, parse(folder).root);
  if (open) {
    throw new UsageError(
      `${open} can be changed by other users (writable by others without the sticky bit, or owned by someone else), so what create-do-kv would write in ${folder} could be sent elsewhere; nothing was written.`,
      open === folder
        ? "Make it writable only by you (chmod o-w), then run the command again."
        : "Work in a folder only you can change, or make it so (chmod o-w).",
    );
  }
}

/**
 * The first file or folder under `dir` (itself included) that another user could change, links
 * not followed: a program runs code from all over its package (wrangler its dist and its
 * dependencies), not only from the file that starts it. A few thousand entries for a project's
 * node_modules: milliseconds, against the seconds of the program it guards.
 */
export function openToOthersWithin(dir: string): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const pending = [dir];
  for (let path = pending.pop(); path !== undefined; path = pending.pop()) {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) continue;
    if (othersCanChange(stat, uid)) return path;
    if (stat.isDirectory()) for (const name of readdirSync(path)) pending.push(join(path, name));
  }
  return undefined;
}

/**
 * The installed package a file belongs to (the folder under its last node_modules, scope
 * included), whose whole tree is checked; outside node_modules, the file's own folder.
 */
export function packageRoot(file: string): string {
  const parts = file.split(sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || at + 1 >= parts.length - 1) return dirname(file);
  return parts.slice(0, at + (parts[at + 1]!.startsWith("@") ? 3 : 2)).join(sep);
}

/** The nearest folder of `path` that exists: where a rename into place needs write permission. */
export function nearestFolder(path: string): string {
  let dir = dirname(path);
  for (;;) {
    try {
      if (statSync(dir).isDirectory()) return dir;
    } catch {
      // missing: its parent is made writable or not
    }
    dir = dirname(dir);
  }
}

/**
 * The TypeScript files under `dir` (.ts, .cts, .mts, .tsx; declaration files too), one at a time:
 * node_modules and dot folders are left out and links are not followed. The caller stops when it
 * has read enough.
 */
export function* typeScriptFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* typeScriptFiles(path);
    else if (entry.isFile() && /\.(?:[cm]?ts|tsx)$/.test(entry.name)) yield path;
  }
}
