/**
 * All-or-nothing writes of several files in a project (rename, sync). Everything that can fail
 * is done before the point of no return: each file checked against the text it was planned
 * from, its folder checked writable, its new text staged in full and read back, room left for
 * the types file. A journal written then marks the point of no return; after it the staged files
 * are renamed into place (one file system, no copying) and the types are regenerated. A run that
 * dies before the journal leaves only the staging folder (removed by the next run: nothing was
 * changed); a run that dies or fails after it is finished by the next run from the journal.
 *
 * The journal is read back from the project, which may be a stranger's: every path in it must
 * be a plain path inside the project and the staging folder, with no link on the way, or nothing
 * is replayed.
 */
import {
  type Stats,
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative } from "node:path";
import { CancelledError, CliError, UsageError } from "../errors.js";
import { throwIfInterrupted } from "./interrupt.js";
import { nearestFolder, plainPathInside, readRegularFileIfAny, refuseOpenFolder } from "./project-files.js";

export const PENDING_DIR = ".create-do-kv-pending";
const JOURNAL = "journal.json";

export interface PlannedWrite {
  /** Absolute, real path of the file inside the project. */
  path: string;
  /** The text the change was planned from; undefined: written whatever the file holds now; null: a new file, so nothing may be there. */
  before?: string | null;
  after: string;
}

interface Journal {
  files: { path: string; staged: string }[];
  /** The types file is regenerated after the moves: until it is, the journal stays. */
  types?: boolean;
}

/** What finishing a write runs after its moves. */
export interface FinishSteps {
  /** Regenerates the types file from the config and code now on disk; throws on failure. */
  types(): Promise<void>;
  /** Bytes the types step needs free on the project's disk (the size of the file it replaces). */
  typesBytes: number;
  /** The types file, relative to the project, for messages. */
  typesFile: string;
}

function refuseJournal(projectDir: string, why: string): never {
  throw new UsageError(
    `${PENDING_DIR} in ${projectDir} ${why}, so it was not replayed and nothing was written.`,
    `If no create-do-kv run of yours was interrupted in this project, delete ${PENDING_DIR} and run the command again.`,
  );
}

/** The staging folder, if any: a real folder (a link or a file there is not ours), or undefined. */
function pendingFolder(projectDir: string): string | undefined {
  const pending = join(projectDir, PENDING_DIR);
  let stat: Stats;
  try {
    stat = lstatSync(pending);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) refuseJournal(projectDir, "is not a folder create-do-kv made (a link or a file)");
  return pending;
}

/** The journal with every path checked, or undefined when there is none (died before the point of no return). */
function readJournal(projectDir: string, pending: string): Journal | undefined {
  const text = readRegularFileIfAny(join(pending, JOURNAL));
  if (text === undefined) return undefined;
  let journal: Journal;
  try {
    journal = JSON.parse(text) as Journal;
  } catch {
    refuseJournal(projectDir, "holds a journal that is not valid JSON");
  }
  if (!journal || !Array.isArray(journal.files)) refuseJournal(projectDir, "holds a journal without its list of files");
  for (const file of journal.files) {
    const target = plainPathInside(projectDir, file?.path);
    if (!target || file.path.split(/[\\/]/)[0] === PENDING_DIR) {
      refuseJournal(
        projectDir,
        `names ${JSON.stringify(file?.path)}, which is not a plain file path inside the project (a \`..\`, an absolute path or a link on the way)`,
      );
    }
    if (typeof file.staged !== "string" || !/^\d{1,6}$/.test(file.staged))
      refuseJournal(projectDir, `names a staged file ${JSON.stringify(file.staged)} outside its own folder`);
    try {
      if (!lstatSync(join(pending, file.staged)).isFile()) refuseJournal(projectDir, `holds a staged file ${file.staged} that is not a regular file`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // ENOENT: moved before the interruption
    }
  }
  return journal;
}

/** Renames `from` onto `to`, making missing folders; across file systems, through a copy beside `to`. */
function moveIntoPlace(from: string, to: string): void {
  mkdirSync(dirname(to), { recursive: true });
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EXDEV") throw error;
    const beside = `${to}.create-do-kv-${process.pid}.tmp`;
    copyFileSync(from, beside);
    renameSync(beside, to);
    unlinkSync(from);
  }
}

/** After the point of no return: the moves not yet done, then the types, then the staging folder goes. */
async function finish(projectDir: string, pending: string, journal: Journal, steps: FinishSteps | undefined): Promise<string[]> {
  const moved: string[] = [];
  for (const file of journal.files) {
    const staged = join(pending, file.staged);
    try {
      lstatSync(staged);
    } catch {
      continue; // moved before an interruption
    }
    try {
      moveIntoPlace(staged, join(projectDir, file.path));
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      throw new CliError(
        `The project is part-way: ${file.path} could not be moved into place (${code ?? message}) after ${moved.length} of ${journal.files.length} files were.`,
        undefined,
        `Fix that and run \`npx create-do-kv sync\`: it finishes the write from ${PENDING_DIR}.`,
      );
    }
    moved.push(file.path);
  }
  if (journal.types) {
    if (!steps) throw new Error("a journal with types to regenerate needs the types step");
    try {
      await steps.types();
    } catch (error) {
      const rest = `${steps.typesFile} is not regenerated yet`;
      // Not "the same command again": a rename or add that is already written would be refused as done.
      const hint = "Run `npx create-do-kv sync`: it regenerates the types and finishes.";
      if (error instanceof CancelledError)
        throw error.with({ message: `${error.message.replace(/ What was done before it was kept\.$/, "")} The files were written; ${rest}.`, hint });
      throw new CliError(`The files were written, but ${rest}: ${(error as Error).message}`, undefined, hint);
    }
    moved.push(steps.typesFile);
  }
  try {
    rmSync(pending, { recursive: true, force: true });
  } catch {
    // The project is complete; a staging folder left behind is cleared by the next run.
  }
  return moved;
}

/**
 * Finishes or discards what an interrupted run left. Returns the files it moved into place or
 * regenerated (empty when there was nothing to finish). A dry run replays nothing: it refuses while a write
 * is waiting to be finished.
 */
export async function recoverInterrupted(projectDir: string, options: { dryRun: boolean; steps?: FinishSteps }): Promise<string[]> {
  const pending = pendingFolder(projectDir);
  if (!pending) return [];
  const journal = readJournal(projectDir, pending);
  if (!journal) {
    // Died before the point of no return: nothing was changed.
    if (!options.dryRun) rmSync(pending, { recursive: true, force: true });
    return [];
  }
  if (options.dryRun) {
    throw new UsageError(
      `An interrupted write is waiting in ${PENDING_DIR}; a dry run does not finish it, so it shows nothing.`,
      "Run the command without --dry-run to finish that write first.",
    );
  }
  return finish(projectDir, pending, journal, options.steps);
}

/** Whether anything is at `path`, a dangling link included. */
function occupied(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function changedOnDisk(projectDir: string, writes: readonly PlannedWrite[]): void {
  for (const write of writes) {
    const changed = write.before === null ? occupied(write.path) : write.before !== undefined && readRegularFileIfAny(write.path) !== write.before;
    if (changed) {
      throw new CliError(
        `${relative(projectDir, write.path)} changed on disk while this ran, so nothing was written.`,
        undefined,
        "Run the command again: it plans from the files as they are now.",
      );
    }
  }
}

/** Every check that needs no writing: plain paths inside the project, folders we may write. */
function preflight(projectDir: string, writes: readonly PlannedWrite[]): void {
  for (const write of writes) {
    const rel = relative(projectDir, write.path);
    if (!plainPathInside(projectDir, rel)) {
      throw new UsageError(`${rel} is not a regular file inside the project (a folder, a link or something else is there), so nothing was written.`);
    }
    const folder = nearestFolder(write.path);
    refuseOpenFolder(folder);
    try {
      accessSync(folder, constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "EACCES";
      throw new CliError(`Cannot write in ${folder} (${code}), so nothing was written.`, undefined, "Make it writable, then run the command again.");
    }
  }
}

/** Room on the project's disk for what is written after the point of no return. */
function checkRoom(projectDir: string, bytes: number): void {
  if (bytes === 0) return;
  const { bavail, bsize } = statfsSync(projectDir);
  const free = bavail * bsize;
  // Twice the size: the new file is written beside the old one before it replaces it.
  if (free < 2 * bytes) {
    throw new CliError(
      `Not enough free space in ${projectDir}: the types file needs about ${Math.ceil((2 * bytes) / 1024)} kB, ${Math.floor(free / 1024)} kB are free. Nothing was written.`,
      undefined,
      "Free some space, then run the command again.",
    );
  }
}

/**
 * Writes every planned file, or none of them; then, with `steps`, regenerates the types. A
 * failure after the point of no return says the project is part-way; the next rename, sync or
 * add in the project (openProject) finishes it, and the message names sync.
 */
export async function commitWrites(projectDir: string, writes: readonly PlannedWrite[], steps?: FinishSteps): Promise<void> {
  if (writes.length === 0) {
    // Nothing to write: the types alone, replaced whole (a failure leaves the old file).
    if (steps) await steps.types();
    return;
  }
  changedOnDisk(projectDir, writes);
  preflight(projectDir, writes);
  if (steps) checkRoom(projectDir, steps.typesBytes);
  const pending = join(projectDir, PENDING_DIR);
  try {
    mkdirSync(pending, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    throw new CliError(
      `Another create-do-kv run is writing in ${projectDir} (${PENDING_DIR} appeared while this one ran), so nothing was written.`,
      undefined,
      "Wait for it to end, then run the command again.",
    );
  }
  const journal: Journal = { files: [], ...(steps ? { types: true } : {}) };
  try {
    writes.forEach((write, i) => {
      const staged = join(pending, String(i));
      writeFileSync(staged, write.after, { flag: "wx" });
      // A short write is a failure, never a truncated file: read back what the disk holds.
      if (readFileSync(staged, "utf8") !== write.after)
        throw new CliError(`Staging ${relative(projectDir, write.path)} did not read back as written; nothing was written.`);
      try {
        chmodSync(staged, statSync(write.path).mode); // keep an executable bit, say
      } catch {
        // a new file: the default mode
      }
      journal.files.push({ path: relative(projectDir, write.path), staged: String(i) });
    });
    // A signal that came while this planned or staged stops it here, before anything changed.
    await new Promise((resolve) => setImmediate(resolve));
    throwIfInterrupted("writing the files", "Nothing was written.");
    changedOnDisk(projectDir, writes); // again, right before the point of no return
    writeFileSync(join(pending, `${JOURNAL}.tmp`), JSON.stringify(journal), { flag: "wx" });
    renameSync(join(pending, `${JOURNAL}.tmp`), join(pending, JOURNAL)); // the point of no return
  } catch (error) {
    rmSync(pending, { recursive: true, force: true });
    throw error;
  }
  await finish(projectDir, pending, journal, steps);
}
