/**
 * `rename`: change a class or binding name everywhere (config in every environment, code,
 * types, migrations) in one step, planned in full before anything is written. A rename already
 * half done by hand (config edited, class renamed in an editor) is finished, not refused.
 */
import { relative } from "node:path";
import { readConfig, type WranglerConfig } from "../core/config/read.js";
import { wranglerPath } from "../core/kv/flags.js";
import { validateBindingName, validateClassName } from "../core/project/names.js";
import { isEmpty, noRenames, parsePair, type NameChange, type Renames } from "../core/rename/plan.js";
import { describeConfig, type Report } from "../core/project/report.js";
import { ownDurableObjectBindings } from "../core/config/sections.js";
import { UsageError } from "../errors.js";
import type { Ui } from "../effects/ui.js";
import { applyRenames, describeRenames, openProject } from "./apply-renames.js";

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
  askText?: TextAsk;
}

/** Offers every current name with itself as the answer; a changed answer is a rename. */
async function askRenames(config: WranglerConfig, ask: TextAsk): Promise<Renames> {
  const renames = noRenames();
  const offer = async (list: NameChange[], label: string, name: string, validate: (v: string) => string | undefined) => {
    if (list.some((c) => c.from === name)) return;
    const to = await ask(`${label} ${name}: new name (Enter keeps it)`, name, validate);
    if (to !== name) list.push({ from: name, to });
  };
  for (const { binding } of ownDurableObjectBindings(config).filter((l) => l.env === undefined)) {
    await offer(renames.classes, "Durable Object class", binding.class_name, validateClassName);
    await offer(renames.doBindings, "Durable Object binding", binding.name, validateBindingName);
  }
  for (const entry of config.kv_namespaces ?? []) await offer(renames.kv, "KV binding", entry.binding, validateBindingName);
  return renames;
}

export async function runRename(flags: RenameFlags, deps: RenameDeps): Promise<void> {
  const { ui, report } = deps;
  const requested: Renames = {
    classes: (flags.class ?? []).map((pair) => parsePair("--class", pair)),
    doBindings: (flags.doBinding ?? []).map((pair) => parsePair("--do-binding", pair)),
    kv: (flags.kv ?? []).map((pair) => parsePair("--kv", pair)),
  };
  const dryRun = flags.dryRun ?? false;
  const wrangler = wranglerPath(flags.wrangler, deps.cwd);
  const project = await openProject(deps.cwd, flags.cwd, ui, { dryRun, env: deps.env, wrangler });
  const { projectDir, configPath, format, config } = project;
  Object.assign(report, { directory: projectDir, config: { path: configPath, format }, ...describeConfig(config, [], undefined) });

  const wanted = isEmpty(requested) && deps.askText ? await askRenames(config, deps.askText) : requested;
  if (isEmpty(wanted) && !deps.askText) throw new UsageError("Say what to rename: --class OLD=NEW, --do-binding OLD=NEW, --kv OLD=NEW.");
  if (isEmpty(wanted)) {
    ui.success("Nothing to change.");
    return;
  }
  const { plan, changes, written } = await applyRenames({ ...project, renames: wanted, dryRun, wrangler, env: deps.env, ui });
  for (const line of plan.done) ui.info(`Already done: ${line}.`);
  report.files = changes.map((change) => relative(projectDir, change.path));
  Object.assign(report, describeConfig(readConfig(plan.configText, format), [], undefined));
  if (changes.length === 0) {
    ui.success("Nothing to change.");
    return;
  }
  if (dryRun) {
    report.files = written.map((path) => relative(projectDir, path));
    ui.info(`Dry run: ${written.length} file${written.length === 1 ? "" : "s"} would change, then the types; nothing was written.`);
    return;
  }
  for (const path of written) ui.success(`Updated ${relative(projectDir, path)}`);
  report.files = written.map((path) => relative(projectDir, path));
  ui.info(describeRenames(plan.todo, plan.recorded, readConfig(plan.configText, format)));
}
