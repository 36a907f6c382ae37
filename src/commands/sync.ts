/**
 * `sync`: the user edited the config (or the code) by hand; bring the rest into agreement.
 * Renames are inferred only from evidence (the record of the names last generated, KV ids, the
 * classes the code exports, the migration state), asked about when the evidence cannot settle
 * them, and carried into code, types and migrations by the rename engine. Then KV bindings
 * without an id get one.
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import type { KvFlags } from "../core/kv/flags.js";
import { finishInProject, kvSettings } from "../core/kv/flags.js";
import { IDLESS_KV_SINCE, kvEntries, takesIdlessKv } from "../core/kv/plan.js";
import { lifecycleOf, lifecycleProblems } from "../core/migrations/lifecycle.js";
import { parseRecord, RECORD_FILE, type ProjectRecord } from "../core/rename/record.js";
import { isEmpty, noRenames, type Renames } from "../core/rename/plan.js";
import { readConfig, type WranglerConfig } from "../core/config/read.js";
import { describeConfig, type Report } from "../core/project/report.js";
import { envBindingNames, ownDurableObjectBindings } from "../core/config/sections.js";
import { envNames, typesStale } from "../core/types-env.js";
import { inferRenames, unanswered, type Question } from "../core/rename/sync-infer.js";
import { CliError, UsageError } from "../errors.js";
import { kvStep } from "../effects/kv.js";
import { readRegularFileIfAny } from "../effects/project-files.js";
import { generateTypes, handWrittenEnvFile, projectTypesSetup } from "../effects/wrangler.js";
import { openCode, refuseOddCodeFiles } from "../effects/code/open.js";
import type { CodeProject } from "../effects/code/typescript.js";
import type { Ui } from "../effects/ui.js";
import { applyRenames, describeRenames, openProject, renamesChangeFiles, type ProjectConfig } from "./apply-renames.js";
import { settleProject } from "./settle.js";

export interface SyncFlags extends KvFlags {
  cwd?: string;
  dryRun?: boolean;
  /** --no-renames: take the config as it is, inferring no renames. */
  renames?: boolean;
}

export interface SyncDeps {
  cwd: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
  report: Report;
  interactive: boolean;
  confirm?: (message: string, initial?: boolean) => Promise<boolean>;
  /** The file this run was started from: how printed commands run create-do-kv again. */
  bin?: string;
}

function readRecord(projectDir: string, ui: Ui): ProjectRecord | undefined {
  const text = readRegularFileIfAny(join(projectDir, RECORD_FILE));
  if (text === undefined) {
    ui.warn(`No ${RECORD_FILE} in the project, so renames of bindings cannot be told from removals; it will be written now.`);
    return undefined;
  }
  return parseRecord(text);
}

function checkWorkerName(record: ProjectRecord | undefined, config: WranglerConfig): void {
  if (!record || config.name === record.worker) return;
  throw new UsageError(
    `The Worker name changed from "${record.worker}" to "${config.name}". Durable Objects live under the Worker's name, so this would strand their data; ` +
      "moving them needs a `transferred_classes` migration, which create-do-kv does not write.",
    `If you have handled that yourself, set "worker" in ${RECORD_FILE} to "${config.name}" and run sync again.`,
  );
}

/** The classes the code exports, or undefined when its TypeScript is not installed (then the code is no evidence). */
async function exportedClasses(project: ProjectConfig): Promise<ReadonlySet<string> | undefined> {
  const typesFile = join(project.projectDir, projectTypesSetup(project.projectDir).file);
  let code: CodeProject;
  refuseOddCodeFiles(project.projectDir, project.config); // not to be taken for a TypeScript that is not there
  try {
    code = await openCode(project.projectDir, project.config, readRegularFileIfAny(typesFile) === undefined ? undefined : typesFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return undefined;
  }
  try {
    return await code.exportedClasses();
  } finally {
    code.close();
  }
}

/** What the evidence proves, plus what the user confirms in a terminal; refused without one. */
async function decideRenames(project: ProjectConfig, record: ProjectRecord | undefined, deps: SyncDeps): Promise<Renames> {
  // The code is read only when the evidence needs it: a first pass says whether it does.
  let needsCode = false;
  const first = inferRenames(record, project.config, () => {
    needsCode = true;
    return undefined;
  });
  const classes = needsCode ? await exportedClasses(project) : undefined;
  const { renames, questions } = needsCode ? inferRenames(record, project.config, () => classes) : first;
  const open = await questionsThatMatter(project, questions);
  if (open.length === 0) return renames;
  if (!deps.interactive || !deps.confirm) {
    const { message, hint } = unanswered(open);
    throw new UsageError(message, hint);
  }
  const merged: Renames = { classes: [...renames.classes], doBindings: [...renames.doBindings], kv: [...renames.kv] };
  for (const question of open) {
    const taken = (list: { from: string; to: string }[], c: { from: string; to: string }) => list.some((m) => m.from === c.from || m.to === c.to);
    if (question.renames.kv.some((c) => taken(merged.kv, c)) || question.renames.doBindings.some((c) => taken(merged.doBindings, c))) continue;
    if (await deps.confirm(question.text)) {
      merged.classes.push(...question.renames.classes.filter((c) => !taken(merged.classes, c)));
      merged.doBindings.push(...question.renames.doBindings);
      merged.kv.push(...question.renames.kv);
    }
  }
  return merged;
}

/**
 * The questions whose answer changes a file. A KV or Durable Object binding renamed by hand in the
 * config, with no code or docs that name it, ends the same whether it was renamed or removed and
 * added: asking would stop a run without a terminal for nothing. A class rename always writes a
 * migration step, so those are always asked; without the project's TypeScript, everything is.
 */
async function questionsThatMatter(project: ProjectConfig, questions: Question[]): Promise<Question[]> {
  const open: Question[] = [];
  for (const question of questions) {
    if (question.renames.classes.length > 0 || (await changesFiles(project, question.renames))) open.push(question);
  }
  return open;
}

async function changesFiles(project: ProjectConfig, renames: Renames): Promise<boolean> {
  try {
    return await renamesChangeFiles(project, renames);
  } catch (error) {
    if (error instanceof UsageError) return true; // the code cannot be read: it may name them
    throw error;
  }
}

/** The config must be safe to deploy before sync writes anything to it (KV ids, the record). */
function checkLifecycle(config: WranglerConfig, file: string): void {
  const problems = lifecycleProblems(config);
  if (problems.length === 0) return;
  const model = lifecycleOf(config);
  const notLive = [...new Set(ownDurableObjectBindings(config).map((l) => l.binding.class_name))].filter((c) => !model.live.has(c));
  const hint = notLive.length
    ? `If ${notLive.join(" or ")} is a class renamed from one that exists, run \`npx create-do-kv rename --class OLD=NEW\`; ` +
      `if it is a new class, add a migration step that creates it (new_sqlite_classes = ["${notLive[0]}"]) to ${file}.`
    : `Fix the migrations in ${file}; a deployed step must never be edited, only followed by new ones.`;
  throw new UsageError(`${file} is not safe to deploy, so sync wrote nothing:\n  ${problems.join("\n  ")}`, hint);
}

export async function runSync(flags: SyncFlags, deps: SyncDeps): Promise<void> {
  const settings = kvSettings(flags, deps.cwd);
  const project = await openProject(deps.cwd, flags.cwd, deps.ui, { dryRun: flags.dryRun ?? false, env: deps.env, wrangler: settings.wrangler });
  const { projectDir, configPath, format } = project;
  const file = basename(configPath);
  Object.assign(deps.report, { directory: projectDir, config: { path: configPath, format } });
  const record = readRecord(projectDir, deps.ui);
  checkWorkerName(record, project.config);

  const renames = flags.renames === false ? noRenames() : await decideRenames(project, record, deps);
  let configAfter = project.config;
  if (!isEmpty(renames)) {
    const { plan } = await applyRenames({
      ...project,
      renames,
      origin: { config: file },
      dryRun: flags.dryRun ?? false,
      wrangler: settings.wrangler,
      env: deps.env,
      ui: deps.ui,
    });
    configAfter = readConfig(plan.configText, format, file);
    deps.ui.info(`Renamed since ${RECORD_FILE} was written:\n${describeRenames(renames, plan.recorded, configAfter)}`);
  }
  checkLifecycle(configAfter, file);
  if (flags.dryRun) {
    deps.report.dryRun = true;
    Object.assign(deps.report, describeConfig(configAfter, [], undefined));
    deps.ui.info(isEmpty(renames) ? "Dry run: no renames to bring into agreement; nothing was written." : "Dry run: nothing was written.");
    return;
  }
  const kvResult = await kvStep({
    ...settings,
    projectDir,
    configPath,
    format,
    env: deps.env,
    interactive: deps.interactive,
    ui: deps.ui,
    confirm: deps.confirm,
    finishCommand: finishInProject(settings, {
      cwd: flags.cwd,
      userAgent: deps.env.npm_config_user_agent,
      bin: deps.bin,
      node: process.execPath,
      platform: process.platform,
    }),
    adoptExisting: true,
  });
  const settled = settleProject(project, deps.report, kvResult);
  const stuck = idlessOnOldWrangler(settled.config, project.wranglerFound.version);
  if (stuck) throw kvResult.failure ?? stuck;
  await typesUpToDate(projectDir, settled.config, record, deps.env, settings.wrangler, deps.ui);
  if (kvResult.failure) throw kvResult.failure;
}

/**
 * A KV binding still without an id, and a wrangler older than 4.45, which cannot type or deploy
 * one: said in our words with the fix, instead of wrangler's failure from the types step.
 */
function idlessOnOldWrangler(config: WranglerConfig, version: string | undefined): CliError | undefined {
  const idless = kvEntries(config).filter((entry) => entry.entry.id === undefined);
  if (idless.length === 0 || takesIdlessKv(version)) return undefined;
  return new CliError(
    `The project's wrangler ${version} cannot take a KV binding without an id (${IDLESS_KV_SINCE} added that), so the types were not made: ${idless.map((e) => e.key).join(", ")} ${idless.length === 1 ? "has" : "have"} none.`,
    undefined,
    `Run sync again with ${idless.map((e) => `--kv-id ${e.key}=<id>`).join(" ")}, or with --create-kv to create ${idless.length === 1 ? "it" : "them"}; or update wrangler to ${IDLESS_KV_SINCE} or newer.`,
  );
}

/**
 * A project without its types file (a create stopped during the install, then `npm i && sync`)
 * gets one, so tsc and the editor work: sync leaves the project as create would have. Types that
 * miss a binding, or still declare one the record had and the config no longer does (removed by
 * hand), are made again: after sync, `check` has nothing left to say about them.
 */
async function typesUpToDate(
  projectDir: string,
  config: WranglerConfig,
  record: ProjectRecord | undefined,
  env: NodeJS.ProcessEnv,
  wrangler: string | undefined,
  ui: Ui,
): Promise<void> {
  const setup = projectTypesSetup(projectDir);
  if (handWrittenEnvFile(projectDir, setup)) return; // the project writes its own Env: no second one
  const typesFile = setup.file;
  const declared = envNames(readRegularFileIfAny(join(projectDir, typesFile)));
  const bound = envBindingNames(config);
  const before = record ? [...record.durableObjects.map((d) => d.binding), ...record.kv.map((k) => k.binding)] : [];
  if (declared !== undefined && !typesStale(declared, bound, before)) return;
  if (!existsSync(join(projectDir, "node_modules"))) {
    ui.warn(`${typesFile} is ${declared ? "out of date" : "missing"}; install the project's dependencies, then run sync again to generate it.`);
    return;
  }
  const failure = await generateTypes(projectDir, env, { wrangler });
  if (failure) throw new CliError(`${typesFile} is ${declared ? "out of date" : "missing"} and \`wrangler types\` failed:\n${failure}`);
  ui.success(`${declared ? "Regenerated" : "Generated"} ${typesFile}.`);
}
