/**
 * `rename`: change a class or binding name everywhere (config, code, types, migrations) in one
 * step, planned in full before anything is written. `sync` reuses the execution for renames
 * the user made by hand in the config.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { readConfig, type WranglerConfig } from "../core/config-read.js";
import type { ConfigFormat } from "../core/options.js";
import { RECORD_FILE, recordFromConfig, serializeRecord } from "../core/record.js";
import { validateBindingName, validateClassName } from "../core/names.js";
import {
  applyConfigRenames,
  checkRenames,
  isEmpty,
  parsePair,
  type NameChange,
  type Renames,
} from "../core/rename-plan.js";
import type { Report } from "../core/report.js";
import { describeConfig } from "../core/report.js";
import { CliError } from "../errors.js";
import { replaceFileAtomic, writeFileAtomicNew } from "../effects/files.js";
import { loadTypeScript, planCodeRenames, TYPES_FILE, type FileChange } from "../effects/ts-rename.js";
import type { Ui } from "../effects/ui.js";
import { findWrangler, runWrangler } from "../effects/wrangler.js";
import { wranglerErrorMessage } from "../core/wrangler-output.js";
import { findConfig } from "../effects/config-file.js";

export interface RenameFlags {
  class?: string[];
  doBinding?: string[];
  kv?: string[];
  cwd?: string;
  dryRun?: boolean;
  wrangler?: string;
}

export type TextAsk = (message: string, initial: string, validate: (value: string) => string | undefined) => Promise<string>;

export interface RenameDeps {
  cwd: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
  report: Report;
  /** Only with a terminal: asks for new names when no flag says what to rename. */
  ask?: TextAsk;
}

/** Offers every current name with itself as the answer; a changed answer is a rename. */
async function askRenames(config: WranglerConfig, ask: TextAsk): Promise<Renames> {
  const renames: Renames = { classes: [], doBindings: [], kv: [] };
  const offer = async (list: NameChange[], label: string, name: string, validate: (v: string) => string | undefined) => {
    const to = await ask(`${label} ${name}: new name (Enter keeps it)`, name, validate);
    if (to !== name) list.push({ from: name, to });
  };
  for (const binding of config.durable_objects?.bindings ?? []) {
    if (!renames.classes.some((c) => c.from === binding.class_name)) {
      await offer(renames.classes, "Durable Object class", binding.class_name, validateClassName);
    }
    await offer(renames.doBindings, "Durable Object binding", binding.name, validateBindingName);
  }
  for (const entry of config.kv_namespaces ?? []) await offer(renames.kv, "KV binding", entry.binding, validateBindingName);
  return renames;
}

export interface ExecuteInput {
  projectDir: string;
  configPath: string;
  format: ConfigFormat;
  /** The config as it reads now, and the text it should have. */
  configText: string;
  newConfigText: string;
  /** The names the code uses now. */
  before: WranglerConfig;
  renames: Renames;
  dryRun: boolean;
  wrangler?: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
}

/**
 * `wrangler types`. Its runtime types come from a local workerd it starts and fetches from;
 * on a loaded machine that fetch was seen to fail once ("fetch failed"), so it gets a second try.
 */
async function runTypes(input: ExecuteInput, out?: string): Promise<void> {
  const wrangler = findWrangler(input.projectDir, input.env, input.wrangler);
  let result;
  for (let attempt = 1; attempt <= 2; attempt++) {
    result = await runWrangler(wrangler, ["types", ...(out ? [out] : [])], {
      cwd: input.projectDir,
      timeoutMs: 120_000,
      env: input.env,
    });
    if (result.exitCode === 0) return;
  }
  throw new CliError(`\`wrangler types\` failed:\n${wranglerErrorMessage(result!.stderr, result!.stdout)}`);
}

/** A small unified diff, made by the `diff` package, loaded only when printing one. */
async function unifiedDiff(projectDir: string, change: FileChange): Promise<string> {
  const { createTwoFilesPatch } = await import("../vendor/diff.js");
  const name = relative(projectDir, change.path);
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, change.before, change.after, "", "", { context: 2 });
}

/** Plans config, code and record changes, then shows them (--dry-run) or writes them. */
export async function executeRenames(input: ExecuteInput): Promise<FileChange[]> {
  const { projectDir, ui } = input;
  // The language service needs the runtime types; make them if the project has none yet,
  // under a temporary name, so a dry run leaves nothing behind.
  let typesFile = resolve(projectDir, TYPES_FILE);
  let temporaryTypes: string | undefined;
  const renaming = !isEmpty(input.renames);
  if (renaming) loadTypeScript(projectDir); // a clear message before any work
  try {
    if (renaming && !existsSync(typesFile)) {
      temporaryTypes = join(projectDir, `.create-do-kv-types-${process.pid}.d.ts`);
      await runTypes(input, temporaryTypes);
      typesFile = temporaryTypes;
    }
    const code = planCodeRenames(
      projectDir,
      input.before,
      { classes: input.renames.classes, envProperties: [...input.renames.doBindings, ...input.renames.kv] },
      typesFile,
    );
    const changes: FileChange[] = [
      ...(input.newConfigText === input.configText
        ? []
        : [{ path: input.configPath, before: input.configText, after: input.newConfigText }]),
      ...code,
    ];
    if (input.dryRun) {
      for (const change of changes) ui.info(await unifiedDiff(projectDir, change));
      return changes;
    }
    for (const change of changes) replaceFileAtomic(change.path, change.after, change.before);
    return changes;
  } finally {
    if (temporaryTypes) rmSync(temporaryTypes, { force: true });
  }
}

/** Brings worker-configuration.d.ts and create-do-kv.json up to date with the config on disk. */
export async function refreshTypesAndRecord(input: ExecuteInput): Promise<void> {
  try {
    await runTypes(input);
  } catch (error) {
    input.ui.warn(`${(error as Error).message}\nRun \`npx wrangler types\` in the project to regenerate ${TYPES_FILE}.`);
  }
  const config = readConfig(readFileSync(input.configPath, "utf8"), input.format);
  writeFileAtomicNew(join(input.projectDir, RECORD_FILE), serializeRecord(recordFromConfig(config)));
}

export async function runRename(flags: RenameFlags, deps: RenameDeps): Promise<void> {
  const { ui, report } = deps;
  const requested: Renames = {
    classes: (flags.class ?? []).map((pair) => parsePair("--class", pair)),
    doBindings: (flags.doBinding ?? []).map((pair) => parsePair("--do-binding", pair)),
    kv: (flags.kv ?? []).map((pair) => parsePair("--kv", pair)),
  };
  const projectDir = resolve(deps.cwd, flags.cwd ?? ".");
  const { path: configPath, format } = findConfig(projectDir);
  const configText = readFileSync(configPath, "utf8");
  const config = readConfig(configText, format);
  Object.assign(report, { directory: projectDir, config: { path: configPath, format }, ...describeConfig(config, [], undefined) });

  const wanted = isEmpty(requested) && deps.ask ? await askRenames(config, deps.ask) : requested;
  if (isEmpty(wanted) && !deps.ask) {
    throw new CliError("Say what to rename: --class OLD=NEW, --do-binding OLD=NEW, --kv OLD=NEW.", 2);
  }
  const { todo, done } = checkRenames(config, wanted);
  for (const line of done) ui.info(`Already done: ${line}.`);
  if (isEmpty(todo)) {
    ui.success("Nothing to change.");
    return;
  }
  const input: ExecuteInput = {
    projectDir,
    configPath,
    format,
    configText,
    newConfigText: applyConfigRenames(configText, format, config, todo),
    before: config,
    renames: todo,
    dryRun: flags.dryRun ?? false,
    wrangler: flags.wrangler,
    env: deps.env,
    ui,
  };
  const changes = await executeRenames(input);
  report.files = changes.map((change) => relative(projectDir, change.path));
  if (input.dryRun) {
    ui.info(`Dry run: ${changes.length} file${changes.length === 1 ? "" : "s"} would change; nothing was written.`);
    Object.assign(report, describeConfig(readConfig(input.newConfigText, format), [], undefined));
    return;
  }
  await refreshTypesAndRecord(input);
  Object.assign(report, describeConfig(readConfig(readFileSync(configPath, "utf8"), format), [], undefined));
  for (const change of changes) ui.success(`Updated ${relative(projectDir, change.path)}`);
  ui.info(describeRenames(todo));
}

export function describeRenames(renames: Renames): string {
  return [
    ...renames.classes.map(({ from, to }) => `  class ${from} -> ${to} (with a renamed_classes migration)`),
    ...renames.doBindings.map(({ from, to }) => `  Durable Object binding ${from} -> ${to}`),
    ...renames.kv.map(({ from, to }) => `  KV binding ${from} -> ${to} (namespace id kept)`),
  ].join("\n");
}
