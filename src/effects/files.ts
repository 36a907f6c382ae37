/**
 * Writing a new project: everything lands or nothing does, and nothing this run did not write is
 * ever touched. A missing folder gets the project from a hidden sibling renamed into place when
 * complete; an empty folder gets it moved up from a staging folder inside it, one entry at a
 * time and never over an entry that appeared meanwhile; --force writes each file through a new
 * file renamed over the old one, after copying aside what it replaces. A failure removes every
 * file and folder the run made and puts back every file it replaced.
 *
 * Everything here is synchronous on purpose: a project is a dozen small files and nothing else
 * runs meanwhile. The first promise-based fs call starts libuv's thread pool, which alone cost
 * more than writing the whole project.
 */
import {
  type Stats,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { windowsNameProblem } from "../core/project/names.js";
import type { PlannedFile } from "../core/project/plan.js";
import { CliError, UsageError } from "../errors.js";
import { nearestFolder, refuseOpenFolder } from "./project-files.js";

/** Every file name wrangler reads its config from, in the order it looks. */
const CONFIG_FILES = ["wrangler.json", "wrangler.jsonc", "wrangler.toml"];

/** The folder a run claims inside an existing empty target, so two runs never write into one. */
const CLAIM = ".create-do-kv-staging";

function notEmpty(path: string): string {
  return `${path} is not empty. Choose another directory, or pass --force to write into it (files with the same names are replaced).`;
}

/** Why a directory cannot take a new project, or undefined when it can. */
export function directoryProblem(path: string, force: boolean, platform: NodeJS.Platform = process.platform): string | undefined {
  // Legal in a POSIX name, but the toolchain misreads them there: the project's type-check fails.
  if (platform !== "win32" && path.includes("\\")) {
    return `${path} holds a backslash, which TypeScript reads as a path separator, so the new project's type-check would fail there; choose a path without "\\".`;
  }
  if (path.includes("*")) {
    return `${path} holds a "*", which \`wrangler types\` takes for a wildcard: the types it writes there miss the Durable Object class and the new project's type-check fails; choose a path without "*".`;
  }
  const portable = windowsNameProblem(basename(path));
  if (portable) return `${portable}: the project could not be cloned or opened there. Choose another name.`;
  if (platform === "win32" && /[<>:"|?]/.test(path.slice(path.indexOf(":") + 1))) {
    return `${path} holds a character Windows does not allow in names (< > : " | ?); choose a path without it.`;
  }
  const long = path.split(/[\\/]/).find((part) => Buffer.byteLength(part) > 255);
  if (long !== undefined) return `A folder name is at most 255 bytes on most file systems; "${long.slice(0, 40)}…" has ${Buffer.byteLength(long)}.`;
  let stat: Stats;
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
  if (!force && readdirSync(path).some((entry) => entry !== ".git")) return notEmpty(path);
  return undefined;
}

/** A file system error with the path it was about (Node leaves it out when a write fails part-way). */
function withPath<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code) Object.assign(err, { path, syscall: err.syscall ?? "write" });
    throw err;
  }
}

/** A system error in words with its path, or the error's own message. */
function describe(error: unknown): string {
  const { code, path, message } = error as NodeJS.ErrnoException;
  return code && path ? `${code} at ${path}` : message;
}

/** Makes the missing folders up to `dir`, one at a time; returns those it made, outermost first. */
function makeFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let path = dir; !existsSync(path); path = dirname(path)) missing.unshift(path);
  const made: string[] = [];
  try {
    for (const path of missing) {
      withPath(path, () => mkdirSync(path));
      made.push(path);
    }
  } catch (error) {
    removeFolders(made);
    throw error;
  }
  return made;
}

/** Removes folders this run made, innermost first, each only if it is empty (never another's files). */
function removeFolders(made: readonly string[]): void {
  for (const path of [...made].reverse()) {
    try {
      rmdirSync(path);
    } catch {
      // not empty (something else wrote there) or gone: left as it is
    }
  }
}

/**
 * Writes the files under `root` (a staging folder), making folders as needed. An error names
 * the file where the user will look for it, under `shown` (the project folder).
 */
function writeAll(root: string, files: readonly PlannedFile[], shown: string): void {
  for (const file of files) {
    const target = join(root, file.path);
    withPath(join(shown, file.path), () => {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content, { flag: "wx" });
    });
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
 * What is on disk where --force would write: folders on the way and a regular file (or nothing)
 * at the end. A link (which could lead outside the project), a file where a folder goes, a
 * folder, FIFO or device where a file goes: refused before anything is written.
 */
function checkOverPlan(target: string, paths: readonly string[]): void {
  for (const planned of paths) {
    let path = target;
    const parts = planned.split("/");
    for (const [i, part] of parts.entries()) {
      path = join(path, part);
      let stat: Stats;
      try {
        stat = lstatSync(path);
      } catch {
        break; // missing from here on
      }
      const last = i === parts.length - 1;
      const problem = stat.isSymbolicLink()
        ? "is a symbolic link; --force does not write through links, which could change files outside the project"
        : last && !stat.isFile()
          ? `is ${stat.isDirectory() ? "a folder" : "not a regular file"} where the project has the file ${planned}`
          : !last && !stat.isDirectory()
            ? `is a file where the project has a folder (${planned} goes inside it)`
            : undefined;
      if (problem) throw new UsageError(`${path} ${problem}; nothing was written.`, "Move it out of the way, or choose another directory.");
    }
  }
}

function replaces(target: string, file: PlannedFile): boolean {
  try {
    return readFileSync(join(target, file.path), "utf8") !== file.content;
  } catch {
    return false; // missing
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
  try {
    for (const path of paths) copySync(join(target, path), join(directory, path), { errorOnExist: true, overwrite: false });
  } catch (error) {
    rmSync(directory, { recursive: true, force: true }); // a full disk: no half backup left behind
    throw error;
  }
  return directory;
}

/**
 * --force into a non-empty folder: there is nothing to swap atomically, so every file is written
 * through a new file renamed over the old one (a hard link to a file elsewhere stays as it was),
 * after every file about to change (or go) is copied aside; a failure part-way puts each one
 * back and removes every file and folder the run made, so the folder is as it was.
 */
async function writeOver(target: string, files: readonly PlannedFile[]): Promise<Backup | undefined> {
  const configs = CONFIG_FILES.filter((name) => !files.some((file) => file.path === name) && existsSync(join(target, name)));
  // npm and wrangler write below node_modules and .wrangler: no link there either.
  checkOverPlan(target, [...files.map((file) => file.path), ...configs, "node_modules/.cache/wrangler/-", ".wrangler/cache/-"]);
  const paths = files.filter((file) => replaces(target, file)).map((file) => file.path);
  const created = files.filter((file) => !existsSync(join(target, file.path))).map((file) => file.path);
  const directory = paths.length + configs.length > 0 ? await copyAside(target, [...paths, ...configs]) : undefined;
  const made: string[] = [];
  try {
    for (const file of files) {
      const path = join(target, file.path);
      made.push(...makeFolders(dirname(path)));
      writeFileAtomic(path, file.content);
    }
    for (const name of configs) rmSync(join(target, name));
  } catch (error) {
    for (const path of created) rmSync(join(target, path), { force: true });
    removeFolders(made);
    if (directory) {
      const { copySync } = await import("../vendor/fs.js");
      for (const path of [...paths, ...configs]) copySync(join(directory, path), join(target, path), { overwrite: true });
      rmSync(directory, { recursive: true, force: true }); // every copy is back in place
    }
    throw new CliError(
      `Writing into ${target} failed part-way (${describe(error)}); the folder is as it was: every file the run wrote was removed and every file it replaced put back.`,
    );
  }
  return directory ? { directory, paths, removed: configs } : undefined;
}

/**
 * Writes the planned files into `target`, which is missing, empty, or (with force) not empty.
 * Returns where the files it replaced were copied to, if it replaced any. A folder that filled
 * up while this ran (another run, another program) is refused as not empty, never written over.
 */
export async function writeProject(target: string, files: readonly PlannedFile[], force: boolean): Promise<Backup | undefined> {
  refuseOpenFolders(target, files);
  const parents = makeFolders(dirname(target));
  try {
    let existing: string[] | undefined;
    try {
      existing = readdirSync(target);
    } catch {
      existing = undefined;
    }
    if (existing === undefined) {
      writeIntoNew(target, files);
      return undefined;
    }
    if (existing.some((entry) => entry !== ".git")) {
      if (!force) throw new UsageError(notEmpty(target));
      return await writeOver(target, files);
    }
    writeIntoExisting(target, files);
    return undefined;
  } catch (error) {
    removeFolders(parents);
    throw error;
  }
}

/**
 * Every folder the run would write in that exists already (the target's nearest, and in an
 * existing target each planned file's), refused when other users could change it.
 */
function refuseOpenFolders(target: string, files: readonly PlannedFile[]): void {
  const folders = new Set([nearestFolder(join(target, "-"))]);
  if (folders.has(target)) for (const file of files) folders.add(nearestFolder(join(target, file.path)));
  for (const folder of folders) refuseOpenFolder(folder);
}

/** A missing target: the project is made in a hidden sibling and renamed into place whole. */
function writeIntoNew(target: string, files: readonly PlannedFile[]): void {
  // Not named after the target: a name near the 255-byte limit would make this one too long.
  const staging = join(dirname(target), `.create-do-kv-${uniqueSuffix()}`);
  // Made on its own, not by a recursive mkdir: on a read-only file system that reports ENOENT.
  withPath(staging, () => mkdirSync(staging));
  try {
    writeAll(staging, files, target);
    renameSync(staging, target); // fails if another run put files there meanwhile (it never replaces them)
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOTEMPTY" || code === "EEXIST") throw new UsageError(`${notEmpty(target)} (It filled while this ran; nothing was written.)`);
    throw error;
  }
}

/**
 * An existing empty folder (`create-do-kv .`, or one holding only `.git`) is written in place,
 * never replaced: a shell standing in it would be left in a deleted folder. The run claims it
 * with a staging folder of a fixed name (a second run finds it taken), writes there, and moves
 * each entry up without replacing anything that appeared meanwhile; a failure takes back every
 * entry it moved, and nothing else.
 */
function writeIntoExisting(target: string, files: readonly PlannedFile[]): void {
  const claim = join(target, CLAIM);
  try {
    mkdirSync(claim);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw Object.assign(error as Error, { path: claim });
    throw new UsageError(
      `Another create-do-kv run is writing into ${target}, so this one wrote nothing.`,
      `If none is running (one was killed), remove ${claim} and run the command again.`,
    );
  }
  const moved: string[] = [];
  try {
    if (readdirSync(target).some((entry) => entry !== ".git" && entry !== CLAIM))
      throw new UsageError(`${notEmpty(target)} (It filled while this ran; nothing was written.)`);
    writeAll(claim, files, target);
    for (const entry of readdirSync(claim)) {
      moveWithoutReplacing(join(claim, entry), join(target, entry));
      moved.push(entry);
    }
    rmdirSync(claim);
  } catch (error) {
    for (const entry of moved) rmSync(join(target, entry), { recursive: true, force: true });
    rmSync(claim, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Moves a staged entry into place unless something is there already (a folder onto an empty
 * folder replaces nothing of value; a file is hard-linked, which fails when the name exists).
 */
function moveWithoutReplacing(from: string, to: string): void {
  const appeared = () => new UsageError(`${to} appeared while this ran, so nothing was written.`, "Run the command again.");
  if (lstatSync(from).isDirectory()) {
    try {
      renameSync(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOTEMPTY" || code === "EEXIST" || code === "ENOTDIR" || code === "EISDIR") throw appeared();
      throw error;
    }
    return;
  }
  try {
    linkSync(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EEXIST") throw appeared();
    // A file system without hard links: the small window between the check and the rename remains.
    if (existsSync(to)) throw appeared();
    renameSync(from, to);
    return;
  }
  unlinkSync(from);
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

/**
 * Writes a file through a temporary sibling and a rename, whether or not it exists yet: readers
 * never see half a file, and a hard link to the old file (perhaps outside the project) keeps
 * its content.
 */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${uniqueSuffix()}.tmp`);
  try {
    withPath(path, () => writeFileSync(temporary, content, { flag: "wx" }));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}
