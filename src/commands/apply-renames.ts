/**
 * The rename engine shared by `rename` and `sync` (and how both open a project): plan the
 * config, migration and code changes in full, then show them (--dry-run) or write them as one
 * transaction with the record, then regenerate the types. Nothing is written before every part is planned and checked.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { WranglerConfig } from "../core/config-read.js";
import type { ConfigFormat } from "../core/options.js";
import { parseRecord, RECORD_FILE, renamedRecord, type ProjectRecord } from "../core/record.js";
import { readConfig } from "../core/config-read.js";
import { codeView, isEmpty, planRenames, type RenamePlan, type Renames } from "../core/rename-plan.js";
import { CliError } from "../errors.js";
import { commitWrites, recoverInterrupted, type PlannedWrite } from "../effects/transaction.js";
import { findConfig } from "../effects/config-file.js";
import { loadTypeScript, openCode, TYPES_FILE, type FileChange } from "../effects/ts-rename.js";
import type { Ui } from "../effects/ui.js";
import { generateTypes } from "../effects/wrangler.js";
import { recordWrite } from "./settle.js";

export interface ProjectConfig {
  projectDir: string;
  configPath: string;
  format: ConfigFormat;
  /** The config's text as read, and what it parses to. */
  configText: string;
  config: WranglerConfig;
}

export interface ApplyInput extends ProjectConfig {
  renames: Renames;
  dryRun: boolean;
  wrangler?: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
}

export interface ApplyResult {
  plan: RenamePlan;
  /** Files changed (or, in a dry run, that would change), the record not counted. */
  changes: FileChange[];
}

async function runTypes(input: ApplyInput, out?: string): Promise<void> {
  const failure = await generateTypes(input.projectDir, input.env, { wrangler: input.wrangler, out });
  if (failure) throw new CliError(`\`wrangler types\` failed:\n${failure}`);
}

/** A small unified diff, made by the `diff` package, loaded only when printing one. */
async function unifiedDiff(projectDir: string, change: FileChange): Promise<string> {
  const { createTwoFilesPatch } = await import("../vendor/diff.js");
  const name = relative(projectDir, change.path);
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, change.before, change.after, "", "", { context: 2 });
}

function planAll(input: ApplyInput, typesFile: string): ApplyResult {
  const file = basename(input.configPath);
  const code = openCode(input.projectDir, codeView(input.config, input.renames), typesFile);
  const exportedClasses = input.renames.classes.length > 0 ? code.exportedClasses() : new Set<string>();
  const plan = planRenames({ source: input.configText, format: input.format, file }, input.config, input.renames, { exportedClasses });
  const changes: FileChange[] = [
    ...(plan.configText === input.configText ? [] : [{ path: input.configPath, before: input.configText, after: plan.configText }]),
    ...code.planRenames(plan.code),
  ];
  return { plan, changes };
}

/** Plans the renames and writes them (config, code, record) as one transaction, then the types. */
export async function applyRenames(input: ApplyInput): Promise<ApplyResult> {
  const { projectDir, ui } = input;
  if (isEmpty(input.renames)) throw new Error("applyRenames called with nothing to rename");
  loadTypeScript(projectDir); // a clear message before any work
  // The language service needs the runtime types; make them if the project has none yet,
  // under a temporary name, so a dry run or a refusal leaves nothing behind.
  let typesFile = resolve(projectDir, TYPES_FILE);
  let temporaryTypes: string | undefined;
  let result: ApplyResult;
  try {
    if (!existsSync(typesFile)) {
      temporaryTypes = join(projectDir, `.create-do-kv-types-${process.pid}.d.ts`);
      await runTypes(input, temporaryTypes);
      typesFile = temporaryTypes;
    }
    result = planAll(input, typesFile);
  } finally {
    if (temporaryTypes) rmSync(temporaryTypes, { force: true });
  }
  if (input.dryRun) {
    for (const change of result.changes) ui.info(await unifiedDiff(projectDir, change));
    return result;
  }
  const record = recordWrite(projectDir, renamedRecord(readRecordIfAny(projectDir), readConfig(result.plan.configText, input.format), input.renames));
  const writes: PlannedWrite[] = [...result.changes, ...(record ? [record] : [])];
  await commitWrites(projectDir, writes);
  if (result.changes.length > 0) {
    try {
      await runTypes(input);
    } catch (error) {
      ui.warn(`${(error as Error).message}\nRun \`npx wrangler types\` in the project to regenerate ${TYPES_FILE}.`);
    }
  }
  return result;
}

function readRecordIfAny(projectDir: string): ProjectRecord | undefined {
  try {
    return parseRecord(readFileSync(join(projectDir, RECORD_FILE), "utf8"));
  } catch {
    return undefined; // missing or unreadable: sync reports that; the rename writes a fresh one
  }
}

/** Finishes an interrupted write, then finds and reads the config: the start of rename and sync. */
export async function openProject(cwd: string, dir: string | undefined, ui: Ui): Promise<ProjectConfig> {
  const projectDir = resolve(cwd, dir ?? ".");
  const finished = await recoverInterrupted(projectDir);
  if (finished.length > 0) ui.info(`Finished an interrupted write: ${finished.join(", ")}.`);
  const { path: configPath, format } = findConfig(projectDir);
  const configText = readFileSync(configPath, "utf8");
  return { projectDir, configPath, format, configText, config: readConfig(configText, format, basename(configPath)) };
}

export function describeRenames(renames: Renames): string {
  return [
    ...renames.classes.map(({ from, to }) => `  class ${from} -> ${to} (with a renamed_classes migration)`),
    ...renames.doBindings.map(({ from, to }) => `  Durable Object binding ${from} -> ${to}`),
    ...renames.kv.map(({ from, to }) => `  KV binding ${from} -> ${to} (namespace id kept)`),
  ].join("\n");
}
