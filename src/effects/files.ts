/**
 * Writing a new project: everything lands at once or not at all. Files go to a hidden sibling
 * folder first, which is renamed into place when complete, so a failure or Ctrl-C never leaves
 * a half-written project behind.
 *
 * Everything here is synchronous on purpose: a project is a dozen small files and nothing else
 * runs meanwhile. The first promise-based fs call starts libuv's thread pool, which alone cost
 * more (about 6 ms) than writing the whole project.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { PlannedFile } from "../core/plan.js";
import { CliError, UsageError } from "../errors.js";

/** Every file name wrangler reads its config from, in the order it looks. */
const CONFIG_FILES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/** Why a directory cannot take a new project, or undefined when it can. */
export function directoryProblem(path: string, force: boolean): string | undefined {
  const long = path.split(/[\\/]/).find((part) => Buffer.byteLength(part) > 255);
  if (long !== undefined) return `A folder name is at most 255 bytes on most file systems; "${long.slice(0, 40)}…" has ${Buffer.byteLength(long)}.`;
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") return `${path} is under a file, not a folder.`;
    return undefined; // missing: it will be created
  }
  if (stat.isSymbolicLink()) {
    // A link to a folder is that folder, as the shell's cd would take it.
    try {
      stat = statSync(path);
    } catch {
      return `${path} is a symbolic link to something that does not exist.`;
    }
  }
  if (!stat.isDirectory()) return `${path} exists and is not a directory.`;
  // A folder holding only a fresh `git init` counts as empty.
  if (!force && readdirSync(path).some((entry) => entry !== ".git")) {
    return `${path} is not empty. Choose another directory, or pass --force to write into it (files with the same names are replaced).`;
  }
  return undefined;
}

function writeAll(root: string, files: readonly PlannedFile[]): void {
  for (const file of files) {
    const target = join(root, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content);
  }
}

export interface Backup {
  /** A sibling of the project, so tsc, tests and git never pick the copies up. */
  directory: string;
  /** Files replaced by the new ones. */
  paths: string[];
  /** Files removed: a wrangler config in the other format, which wrangler would read instead. */
  removed: string[];
}

/**
 * A planned path that goes through a symbolic link (the file or a folder on its way): writing
 * there could change a file outside the project, so --force refuses before writing anything.
 */
function linkOnTheWay(target: string, files: readonly PlannedFile[]): string | undefined {
  for (const file of files) {
    let path = target;
    for (const part of file.path.split("/")) {
      path = join(path, part);
      let stat;
      try {
        stat = lstatSync(path);
      } catch {
        break; // missing from here on
      }
      if (stat.isSymbolicLink()) return path;
    }
  }
  return undefined;
}

function replaces(target: string, file: PlannedFile): boolean {
  try {
    return readFileSync(join(target, file.path), "utf8") !== file.content;
  } catch {
    return false; // missing (or not a file: writing it fails with the system's message)
  }
}

/** Copies `paths` of `target` into a new sibling folder, before they change. */
async function copyAside(target: string, paths: readonly string[]): Promise<string> {
  const stamp = new Date().toISOString().slice(0, 19).replace(/:/g, "-");
  let directory = join(dirname(target), `${basename(target)}.backup-${stamp}`);
  // Never into an earlier backup: a second run in the same second would overwrite its copies.
  for (let n = 2; existsSync(directory); n++) directory = join(dirname(target), `${basename(target)}.backup-${stamp}-${n}`);
  // Only --force gets here, so only it loads fs-extra (copySync makes the folders, keeps modes).
  const { copySync } = await import("../vendor/fs.js");
  for (const path of paths) copySync(join(target, path), join(directory, path), { errorOnExist: true, overwrite: false });
  return directory;
}

/**
 * --force into a non-empty folder: there is nothing to swap atomically, so the files are written
 * in place after every file about to change (or go) is copied aside; a failure part-way puts
 * each one back and removes the new ones, so the folder is as it was.
 */
async function writeOver(target: string, files: readonly PlannedFile[]): Promise<Backup | undefined> {
  const link = linkOnTheWay(target, files);
  if (link) {
    throw new UsageError(`${link} is a symbolic link; --force does not write through links, which could change files outside the project.`, "Remove the link, or choose another directory.");
  }
  const paths = files.filter((file) => replaces(target, file)).map((file) => file.path);
  const removed = CONFIG_FILES.filter((name) => !files.some((file) => file.path === name) && existsSync(join(target, name)));
  const created = files.filter((file) => !existsSync(join(target, file.path))).map((file) => file.path);
  if (paths.length + removed.length === 0) {
    writeAll(target, files);
    return undefined;
  }
  const directory = await copyAside(target, [...paths, ...removed]);
  try {
    writeAll(target, files);
    for (const name of removed) rmSync(join(target, name));
  } catch (error) {
    const { copySync } = await import("../vendor/fs.js");
    for (const path of created) rmSync(join(target, path), { force: true });
    for (const path of [...paths, ...removed]) copySync(join(directory, path), join(target, path), { overwrite: true });
    throw new CliError(
      `Writing into ${target} failed part-way (${(error as Error).message}); every file was put back as it was (copies in ${directory}).`,
    );
  }
  return { directory, paths, removed };
}

/**
 * Writes the planned files into `target`, which is missing, empty, or (with force) not empty.
 * Returns where the files it replaced were copied to, if it replaced any.
 */
export async function writeProject(target: string, files: readonly PlannedFile[]): Promise<Backup | undefined> {
  let existing: string[] | undefined;
  try {
    existing = readdirSync(target);
  } catch {
    existing = undefined;
  }
  if (existing && existing.some((entry) => entry !== ".git")) return writeOver(target, files);
  if (existing) {
    writeIntoExisting(target, files);
    return undefined;
  }
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  // Not named after the target: a name near the 255-byte limit would make this one too long.
  const staging = join(parent, `.create-do-kv-${uniqueSuffix()}`);
  // Made on its own, not by a recursive mkdir: on a read-only file system that reports ENOENT.
  mkdirSync(staging);
  try {
    writeAll(staging, files);
    renameSync(staging, target);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return undefined;
}

/**
 * An existing empty folder (`create-do-kv .`, or one holding only `.git`) is written in place, never
 * replaced: a shell standing in it would be left in a deleted folder. The files are staged in a
 * hidden folder inside it and moved up one by one; a failure takes back every one moved.
 */
function writeIntoExisting(target: string, files: readonly PlannedFile[]): void {
  const staging = join(target, `.create-do-kv-${uniqueSuffix()}`);
  const moved: string[] = [];
  try {
    writeAll(staging, files);
    for (const entry of readdirSync(staging)) {
      renameSync(join(staging, entry), join(target, entry));
      moved.push(entry);
    }
    rmdirSync(staging);
  } catch (error) {
    for (const entry of moved) rmSync(join(target, entry), { recursive: true, force: true });
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * A suffix no other run picks for its temporary names. Not node:crypto: loading it costs more
 * than the whole write of a small project, and these names need to be unique, not secret.
 */
export function uniqueSuffix(): string {
  return `${process.pid.toString(36)}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Replaces a file through a temporary sibling and a rename, so readers never see half a file,
 * and refuses when the file no longer holds what the change was planned from.
 */
export function replaceFileAtomic(path: string, content: string, plannedFrom: string): void {
  const current = readFileSync(path, "utf8");
  if (current !== plannedFrom) {
    throw new CliError(`${path} changed on disk while this ran; it was left as it is. Run the command again.`);
  }
  writeFileAtomic(path, content);
}

/** Writes a file through a temporary sibling and a rename, whether or not it exists yet. */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${uniqueSuffix()}.tmp`);
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
