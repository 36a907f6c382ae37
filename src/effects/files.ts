/**
 * Writing a new project: everything lands at once or not at all. Files go to a hidden sibling
 * folder first, which is renamed into place when complete, so a failure or Ctrl-C never leaves
 * a half-written project behind.
 */
import { randomBytes } from "node:crypto";
import { lstatSync, readdirSync } from "node:fs";
import { mkdir, readFile, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import type { PlannedFile } from "../core/plan.js";
import { CliError } from "../errors.js";

/** Why a directory cannot take a new project, or undefined when it can. */
export function directoryProblem(path: string, force: boolean): string | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return undefined; // missing: it will be created
  }
  if (!stat.isDirectory()) return `${path} exists and is not a directory.`;
  if (!force && readdirSync(path).length > 0) {
    return `${path} is not empty. Choose another directory, or pass --force to write into it (files with the same names are replaced).`;
  }
  return undefined;
}

async function writeAll(root: string, files: readonly PlannedFile[]): Promise<void> {
  for (const file of files) {
    const target = join(root, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
}

/** Writes the planned files into `target`, which is missing, empty, or (with force) not empty. */
export async function writeProject(target: string, files: readonly PlannedFile[]): Promise<void> {
  let existing: string[] | undefined;
  try {
    existing = readdirSync(target);
  } catch {
    existing = undefined;
  }
  if (existing && existing.length > 0) {
    // --force into a non-empty folder: there is nothing to swap atomically, write in place.
    await writeAll(target, files);
    return;
  }
  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.create-do-kv-${randomBytes(4).toString("hex")}`);
  try {
    await writeAll(staging, files);
    if (existing) await rmdir(target); // empty: make way for the rename
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Replaces a file through a temporary sibling and a rename, so readers never see half a file,
 * and refuses when the file no longer holds what the change was planned from.
 */
export async function replaceFileAtomic(path: string, content: string, plannedFrom: string): Promise<void> {
  const current = await readFile(path, "utf8");
  if (current !== plannedFrom) {
    throw new CliError(`${path} changed on disk while this ran; it was left as it is. Run the command again.`);
  }
  await writeFileAtomicNew(path, content);
}

/** Writes a file through a temporary sibling and a rename, whether or not it exists yet. */
export async function writeFileAtomicNew(path: string, content: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temporary, content);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
