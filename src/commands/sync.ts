/**
 * `sync`: the user edited the config by hand; bring the rest into agreement. Renames are found
 * by comparing with create-do-kv.json (the names last generated): code, types and the
 * migration follow. Then KV bindings without an id get one.
 */
import { join, relative, resolve } from "node:path";
import type { WranglerConfig } from "../core/config-read.js";
import { parseRecord, RECORD_FILE, recordFromConfig, serializeRecord, type ProjectRecord } from "../core/record.js";
import { isEmpty, recordClassRenames, renamesFromRecord, type NameChange, type Renames } from "../core/rename-plan.js";
import { writeFileAtomicNew } from "../effects/files.js";
import { describeRenames, executeRenames, refreshTypesAndRecord, type ExecuteInput } from "./rename.js";
import type { KvFlags } from "../core/kv-flags.js";
import { kvSettings } from "../core/kv-flags.js";
import type { ConfigFormat } from "../core/options.js";
import { UsageError } from "../errors.js";
import { findConfig } from "../effects/config-file.js";
import { readFileSync } from "node:fs";
import { readConfig } from "../core/config-read.js";
import { describeConfig, type Report } from "../core/report.js";
import { ensureKvIds, type KvOutcome } from "../effects/kv.js";
import type { Ui } from "../effects/ui.js";

export interface SyncFlags extends KvFlags {
  cwd?: string;
  dryRun?: boolean;
}

export interface SyncDeps {
  cwd: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
  report: Report;
  interactive: boolean;
  confirm?: (message: string) => Promise<boolean>;
}

export async function runSync(flags: SyncFlags, deps: SyncDeps): Promise<void> {
  const settings = kvSettings(flags);
  const projectDir = resolve(deps.cwd, flags.cwd ?? ".");
  const config = findConfig(projectDir);
  Object.assign(deps.report, { directory: projectDir, config });
  const renamed = await syncRenames(projectDir, config, flags, deps);
  if (flags.dryRun) {
    deps.report.dryRun = true;
    deps.ui.info(renamed ? "Dry run: nothing was written." : "Dry run: no renames to bring into agreement; nothing was written.");
    return;
  }
  let outcomes: KvOutcome[] = [];
  let skipped: string | undefined;
  try {
    skipped = (await ensureKvIds({
    ...settings,
    projectDir,
    configPath: config.path,
    format: config.format,
    env: deps.env,
    interactive: deps.interactive,
    ui: deps.ui,
    confirm: deps.confirm,
    finishCommand: `npx create-do-kv sync${flags.cwd ? ` --cwd ${flags.cwd}` : ""}`,
    onOutcomes: (done) => (outcomes = done),
  })).skipped;
  } finally {
    const text = readFileSync(config.path, "utf8");
    const onDisk = readConfig(text, config.format);
    Object.assign(deps.report, describeConfig(onDisk, outcomes, skipped));
    writeFileAtomicNew(join(projectDir, RECORD_FILE), serializeRecord(recordFromConfig(onDisk)));
  }
}

/** The config with the code's (old) names, for resolving what the code refers to now. */
function namesBefore(config: WranglerConfig, renames: Renames): WranglerConfig {
  const back = (changes: NameChange[], name: string) => changes.find((c) => c.to === name)?.from ?? name;
  return {
    ...config,
    kv_namespaces: config.kv_namespaces?.map((e) => ({ ...e, binding: back(renames.kv, e.binding) })),
    durable_objects: {
      bindings: config.durable_objects?.bindings?.map((b) => ({
        name: back(renames.doBindings, b.name),
        class_name: back(renames.classes, b.class_name),
      })),
    },
  };
}

/** Finds the renames since the record and carries them into code, types and migrations. */
async function syncRenames(
  projectDir: string,
  found: { path: string; format: ConfigFormat },
  flags: SyncFlags,
  deps: SyncDeps,
): Promise<boolean> {
  let record: ProjectRecord;
  try {
    record = parseRecord(readFileSync(join(projectDir, RECORD_FILE), "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      deps.ui.warn(`No ${RECORD_FILE} in the project, so renames cannot be told from removals; it will be written now.`);
      return false;
    }
    throw new UsageError((error as Error).message);
  }
  const configText = readFileSync(found.path, "utf8");
  const config = readConfig(configText, found.format);
  const renames = renamesFromRecord(record, config);
  if (isEmpty(renames)) return false;
  deps.ui.info(`Renamed in the config since it was generated:\n${describeRenames(renames)}`);
  const input: ExecuteInput = {
    projectDir,
    configPath: found.path,
    format: found.format,
    configText,
    newConfigText: recordClassRenames(configText, found.format, config, renames.classes),
    before: namesBefore(config, renames),
    renames,
    dryRun: flags.dryRun ?? false,
    wrangler: flags.wrangler,
    env: deps.env,
    ui: deps.ui,
  };
  const changes = await executeRenames(input);
  if (!input.dryRun) {
    await refreshTypesAndRecord(input);
    for (const change of changes) deps.ui.success(`Updated ${relative(projectDir, change.path)}`);
  }
  return true;
}
