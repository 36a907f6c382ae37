/**
 * All-or-nothing writes of several files in a project (rename, sync). Every file is checked
 * against the text it was planned from, staged in full, and only then moved into place; a
 * journal written between the two marks the point of no return. A run that dies before it leaves
 * only the staging folder (removed by the next run: nothing was changed); a run that dies after
 * it is finished by the next run from the journal.
 */
import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CliError } from "../errors.js";

export const PENDING_DIR = ".create-do-kv-pending";
const JOURNAL = "journal.json";

export interface PlannedWrite {
  /** Absolute path of the file. */
  path: string;
  /** The text the change was planned from; undefined: written whatever the file holds now. */
  before?: string;
  after: string;
}

interface Journal {
  files: { path: string; staged: string }[];
}

function readOrUndefined(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Finishes or discards what an interrupted run left. Returns the files it moved into place
 * (empty when there was nothing to finish).
 */
export async function recoverInterrupted(projectDir: string): Promise<string[]> {
  const pending = join(projectDir, PENDING_DIR);
  if (!existsSync(pending)) return [];
  // fs-extra's move makes the target's folder and works across devices (a project on one disk,
  // its staging moved by a tool to another); loaded here, the only place it is needed.
  const { moveSync, removeSync } = await import("../vendor/fs.js");
  let journal: Journal | undefined;
  try {
    journal = JSON.parse(readFileSync(join(pending, JOURNAL), "utf8")) as Journal;
  } catch {
    journal = undefined; // died before the point of no return: nothing was changed
  }
  const finished: string[] = [];
  for (const file of journal?.files ?? []) {
    const staged = join(pending, file.staged);
    if (!existsSync(staged)) continue; // moved before the interruption
    moveSync(staged, join(projectDir, file.path), { overwrite: true });
    finished.push(file.path);
  }
  removeSync(pending);
  return finished;
}

/** Writes every planned file, or none of them. */
export async function commitWrites(projectDir: string, writes: readonly PlannedWrite[]): Promise<void> {
  if (writes.length === 0) return;
  for (const write of writes) {
    if (write.before !== undefined && readOrUndefined(write.path) !== write.before) {
      throw new CliError(
        `${relative(projectDir, write.path)} changed on disk while this ran, so nothing was written.`,
        undefined,
        "Run the command again: it plans from the files as they are now.",
      );
    }
  }
  const { outputFileSync, removeSync } = await import("../vendor/fs.js");
  const pending = join(projectDir, PENDING_DIR);
  removeSync(pending);
  const journal: Journal = { files: [] };
  try {
    writes.forEach((write, i) => {
      const staged = join(pending, String(i));
      outputFileSync(staged, write.after);
      try {
        chmodSync(staged, statSync(write.path).mode); // keep an executable bit, say
      } catch {
        // a new file: the default mode
      }
      journal.files.push({ path: relative(projectDir, write.path), staged: String(i) });
    });
    writeFileSync(join(pending, `${JOURNAL}.tmp`), JSON.stringify(journal));
    renameSync(join(pending, `${JOURNAL}.tmp`), join(pending, JOURNAL)); // the point of no return
  } catch (error) {
    removeSync(pending);
    throw error;
  }
  await recoverInterrupted(projectDir);
}
