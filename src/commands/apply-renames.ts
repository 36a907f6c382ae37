/**
 * The rename engine shared by `rename` and `sync` (and how both open a project): plan the
 * config, migration and code changes in full, then show them (--dry-run) or write them as one
 * transaction with the record, then regenerate the types. Nothing is written before every part is planned and checked.
 */
import { realpathSync, rmSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { WranglerConfig } from "../core/config/read.js";
import { kvBindings } from "../core/config/sections.js";
import { renameCodeSpans } from "../core/rename/markdown.js";
import { parseRecord, RECORD_FILE, renamedRecord, type ProjectRecord } from "../core/rename/record.js";
import { readConfig } from "../core/config/read.js";
import { codeView, isEmpty, planRenames, type Origin, type RenamePlan, type Renames } from "../core/rename/plan.js";
import { CliError, UsageError } from "../errors.js";
import { commitWrites, recoverInterrupted, type FinishSteps, type PlannedWrite } from "../effects/transaction.js";
import { isInside, readRegularFile, readRegularFileIfAny, refuseOddManifests, refuseOpenFolder, writablePath } from "../effects/project-files.js";
import { findConfig } from "../effects/config-file.js";
import { openCode } from "../effects/code/open.js";
import { projectTypeScript, type FileChange } from "../effects/code/typescript.js";
import type { Ui } from "../effects/ui.js";
import {
  findWrangler,
  generateTypes,
  handWrittenEnvFile,
  projectTypesSetup,
  refuseCacheLinksOut,
  typesFolder,
  typesIntoNewFile,
  type WranglerCommand,
} from "../effects/wrangler.js";
import { recordWrite } from "./settle.js";
import type { ConfigFormat } from "../core/config/types.js";

export interface ProjectConfig {
  projectDir: string;
  configPath: string;
  format: ConfigFormat;
  /** The config's text as read, and what it parses to. */
  configText: string;
  config: WranglerConfig;
  /** The wrangler the project's commands run (its version when readable). */
  wranglerFound: WranglerCommand;
}

export interface ApplyInput extends ProjectConfig {
  renames: Renames;
  /** `rename`'s flags, or what sync read in the config: for messages. */
  origin?: Origin;
  dryRun: boolean;
  wrangler?: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
}

export interface ApplyResult {
  plan: RenamePlan;
  /** Files changed (or, in a dry run, that would change), the record not counted. */
  changes: FileChange[];
  /** Every file written (in a dry run: that would be), the record included, in the order written. */
  written: string[];
}

/**
 * Regenerating the types as the last step of a write, finished by the next run if it fails;
 * undefined for a project that writes its own Env (wrangler types would make a second one).
 */
export function typesStep(projectDir: string, env: NodeJS.ProcessEnv, wrangler: string | undefined): FinishSteps | undefined {
  const setup = projectTypesSetup(projectDir);
  if (handWrittenEnvFile(projectDir, setup)) return undefined;
  const typesFile = setup.file;
  typesFolder(projectDir, typesFile); // a link out of the project on the way: refused before any write
  let typesBytes = 1024 * 1024;
  try {
    typesBytes = statSync(join(projectDir, typesFile)).size;
  } catch {
    // none yet: about 630 kB as wrangler writes it today, so a megabyte
  }
  return {
    typesBytes,
    typesFile,
    async types() {
      const failure = await generateTypes(projectDir, env, { wrangler });
      if (failure) throw new CliError(`\`wrangler types\` failed:\n${failure}`);
    },
  };
}

/** A small unified diff, made by the `diff` package, loaded only when printing one. */
export async function unifiedDiff(projectDir: string, change: FileChange): Promise<string> {
  const { createTwoFilesPatch } = await import("../vendor/diff.js");
  const name = relative(projectDir, change.path);
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, change.before, change.after, "", "", { context: 2 });
}

async function planAll(
  input: ProjectConfig & Pick<ApplyInput, "renames" | "origin">,
  typesFile: string | undefined,
): Promise<Omit<ApplyResult, "written">> {
  const file = basename(input.configPath);
  const code = await openCode(input.projectDir, codeView(input.config, input.renames), typesFile);
  try {
    const exportedClasses = input.renames.classes.length > 0 ? await code.exportedClasses() : new Set<string>();
    const plan = planRenames(
      { source: input.configText, format: input.format, file },
      input.config,
      input.renames,
      { exportedClasses },
      input.origin,
    );
    const changes: FileChange[] = [
      ...(plan.configText === input.configText ? [] : [{ path: input.configPath, before: input.configText, after: plan.configText }]),
      ...(await code.planRenames(plan.code)),
      ...docChanges(input.projectDir, input.renames),
    ];
    return { plan, changes: changes.map((change) => ({ ...change, path: codePath(input.projectDir, change.path) })) };
  } finally {
    code.close();
  }
}

/**
 * Whether `renames` would change any file (the config, code or docs; the record and the types
 * follow the config either way): how sync tells a question whose answer matters from one whose
 * answers end the same. Needs the project's TypeScript; throws UsageError without it.
 */
export async function renamesChangeFiles(project: ProjectConfig, renames: Renames): Promise<boolean> {
  const typesFile = join(project.projectDir, projectTypesSetup(project.projectDir).file);
  const { changes } = await planAll({ ...project, renames }, readRegularFileIfAny(typesFile) === undefined ? undefined : typesFile);
  return changes.length > 0;
}

/** The generated README.md and AGENTS.md: code spans that name a renamed class or binding follow it. */
function docChanges(projectDir: string, renames: Renames): FileChange[] {
  return ["README.md", "AGENTS.md"].flatMap((name) => {
    const path = join(projectDir, name);
    const before = readRegularFileIfAny(path);
    const after = before === undefined ? undefined : renameCodeSpans(before, renames);
    return before === undefined || after === before ? [] : [{ path, before, after: after! }];
  });
}

/** Where a change is written: the file itself, or the file a link inside the project points to. */
function codePath(projectDir: string, path: string): string {
  if (!isInside(projectDir, path)) {
    throw new UsageError(
      `The rename would change ${path}, which is outside the project; create-do-kv writes only inside it.`,
      "Rename it by hand there, or leave that file out of tsconfig.json.",
    );
  }
  return writablePath(projectDir, path);
}

/** Plans the renames and writes them (config, code, record) as one transaction, then the types. */
export async function applyRenames(input: ApplyInput): Promise<ApplyResult> {
  const { projectDir, ui } = input;
  if (isEmpty(input.renames)) throw new Error("applyRenames called with nothing to rename");
  projectTypeScript(projectDir); // a clear message before any work
  // The language service needs the runtime types; make them if the project has none yet, in a
  // file of their own that goes when planning ends, so a dry run or a refusal leaves nothing behind.
  const projectTypes = projectTypesSetup(projectDir).file;
  let typesFile = join(projectDir, projectTypes);
  let temporaryTypes: string | undefined;
  let result: Omit<ApplyResult, "written">;
  try {
    if (readRegularFileIfAny(typesFile) === undefined) {
      const made = await ui.step("Generating the types the code is read with (wrangler types)", undefined, () =>
        typesIntoNewFile(projectDir, input.env, input.wrangler),
      );
      if ("failure" in made) throw new CliError(`\`wrangler types\` failed:\n${made.failure}`);
      typesFile = temporaryTypes = made.file;
    }
    result = await ui.step("Planning the renames with the project's TypeScript", undefined, () => planAll(input, typesFile));
  } finally {
    if (temporaryTypes) rmSync(temporaryTypes, { force: true });
  }
  const record = recordWrite(projectDir, renamedRecord(readRecordIfAny(projectDir), readConfig(result.plan.configText, input.format), input.renames));
  if (input.dryRun) {
    // Every file the real run writes: the changes, the record, and the types wrangler regenerates.
    for (const change of result.changes) ui.info(await unifiedDiff(projectDir, change));
    if (record) ui.info(await unifiedDiff(projectDir, { path: record.path, before: readRegularFileIfAny(record.path) ?? "", after: record.after }));
    ui.info(`${projectTypes} would be regenerated by \`wrangler types\` after these ${result.changes.length + (record ? 1 : 0)} files.`);
    return { ...result, written: [...result.changes.map((change) => change.path), ...(record ? [record.path] : [])] };
  }
  const writes: PlannedWrite[] = [...result.changes, ...(record ? [record] : [])];
  // Names changed (in the files now, or by hand before): the types follow, as wrangler would write them.
  // A plain line, not a step: an interrupted write ends with its own message (what is kept, how to finish).
  const steps = typesStep(projectDir, input.env, input.wrangler);
  ui.info(`Writing ${writes.length} files${steps ? ", then the types (wrangler types)" : ""} ...`);
  await commitWrites(projectDir, writes, steps);
  return { ...result, written: writes.map((write) => write.path) };
}

function readRecordIfAny(projectDir: string): ProjectRecord | undefined {
  try {
    const text = readRegularFileIfAny(join(projectDir, RECORD_FILE));
    return text === undefined ? undefined : parseRecord(text);
  } catch {
    return undefined; // unreadable: sync reports that; the rename writes a fresh one
  }
}

/** The project folder as the file system has it, so every path planned in it compares equal. */
function realProjectDir(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    throw new UsageError(`${path} does not exist.`, "Run it in the project, or pass --cwd <dir>.");
  }
}

/**
 * The start of rename and sync: finishes an interrupted write (not in a dry run, which refuses
 * while one waits), then finds and reads the config.
 */
export async function openProject(
  cwd: string,
  dir: string | undefined,
  ui: Ui,
  options: { dryRun: boolean; env: NodeJS.ProcessEnv; wrangler?: string },
): Promise<ProjectConfig> {
  const projectDir = realProjectDir(resolve(cwd, dir ?? "."));
  if (!options.dryRun) refuseOpenFolder(projectDir);
  refuseCacheLinksOut(projectDir); // before the types step of an interrupted write runs wrangler
  // Every command here ends with wrangler (types, KV): none installed is a refusal now, not a download.
  const wrangler = findWrangler(projectDir, options.env, options.wrangler);
  const finished = await recoverInterrupted(projectDir, { dryRun: options.dryRun, steps: typesStep(projectDir, options.env, options.wrangler) });
  if (finished.length > 0) ui.info(`Finished an interrupted write: ${finished.join(", ")}.`);
  const found = findConfig(projectDir);
  // npm, npx and wrangler, which run here, read these first: a FIFO there would stall them.
  refuseOddManifests(projectDir, projectDir, "wrangler");
  const configText = readRegularFile(found.path);
  // Written back in place of a link that points inside the project; refused if it leads outside.
  const configPath = writablePath(projectDir, found.path);
  const config = readConfig(configText, found.format, basename(found.path));
  return { projectDir, configPath, format: found.format, configText, config, wranglerFound: wrangler };
}

/**
 * One line per rename, saying what was written for it (a migration step, an exports entry, or
 * neither); a KV binding's namespace is said to be kept only where the config (after) has an id.
 */
export function describeRenames(renames: Renames, recorded?: RenamePlan["recorded"], config?: WranglerConfig): string {
  const kept = (binding: string) =>
    config === undefined || kvBindings(config).some((entry) => entry.binding.binding === binding && entry.binding.id !== undefined);
  const how = (change: { from: string; to: string }) => {
    if (!recorded?.classes.some((c) => c.from === change.from && c.to === change.to)) return "";
    return recorded.form === "exports"
      ? ` (recorded in exports: ${change.from} state = "renamed", renamed_to = "${change.to}")`
      : " (with a renamed_classes migration)";
  };
  return [
    ...renames.classes.map((change) => `  class ${change.from} -> ${change.to}${how(change)}`),
    ...renames.doBindings.map(({ from, to }) => `  Durable Object binding ${from} -> ${to}`),
    ...renames.kv.map(
      ({ from, to }) => `  KV binding ${from} -> ${to}${kept(to) ? " (namespace id kept)" : " (no namespace id yet: sync creates one)"}`,
    ),
  ].join("\n");
}
