/**
 * `add`: the pattern put into a Worker that exists. The planning is core/add/plan.ts; here the
 * project is read (config, main, the code's names), the inputs resolved (asked in a terminal),
 * and the config, main and the class's new file written as one transaction with the record and
 * the types, then the KV namespaces made, as create makes them.
 */
import { lstatSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import { scanExports } from "../core/check/exports.js";
import { addNameProblem, type CodeNames, classFileName, exportFromMain, moduleSpecifier, planAddToConfig, usageLines } from "../core/add/plan.js";
import { finishInProject, type KvFlags, kvSettings } from "../core/kv/flags.js";
import { instanceNoun, splitList, windowsNameProblem } from "../core/project/names.js";
import { ADD_INPUTS, type Ask, type CreateFlags, type Input, resolveInputs, type TemplateName } from "../core/project/options.js";
import { fill } from "../core/project/render.js";
import type { Report } from "../core/project/report.js";
import { parseRecord, RECORD_FILE, recordFromConfig, recordNamesDiffer } from "../core/rename/record.js";
import { readConfig } from "../core/config/read.js";
import { UsageError } from "../errors.js";
import { importsEnd } from "../effects/code/imports-end.js";
import { formatNewFile } from "../effects/formatter.js";
import { kvStep } from "../effects/kv.js";
import { handWrittenEnvFile } from "../effects/wrangler.js";
import { withEnvMembers } from "../core/types-env.js";
import { isInside, readRegularFile, readRegularFileIfAny, typeScriptFiles, writablePath } from "../effects/project-files.js";
import { readTemplateLayers } from "../effects/templates.js";
import { commitWrites, type PlannedWrite } from "../effects/transaction.js";
import type { Ui } from "../effects/ui.js";
import { openProject, typesStep, unifiedDiff } from "./apply-renames.js";
import { recordWrite, settleProject } from "./settle.js";

export interface AddFlags extends KvFlags, Pick<CreateFlags, "class" | "doBinding" | "kv" | "template"> {
  cwd?: string;
  dryRun?: boolean;
  yes?: boolean;
}

export interface AddDeps {
  cwd: string;
  env: NodeJS.ProcessEnv;
  templatesDir: string;
  ui: Ui;
  report: Report;
  ask?: Ask;
  confirm?: (message: string, initial?: boolean) => Promise<boolean>;
  notInteractive?: string;
  /** The file this run was started from: how printed commands run create-do-kv again. */
  bin?: string;
}

const CODE = /\.(?:[cm]?ts|tsx)$/;
/** Enough for any Worker; a folder with more is not one to walk on every run. */
const MAX_CODE_FILES = 5000;

/** The classes declared in the TypeScript files under `dir` (node_modules and dot folders left out, links not followed). */
function declaredClasses(dir: string): Set<string> {
  const classes = new Set<string>();
  let seen = 0;
  for (const path of typeScriptFiles(dir)) {
    if (path.endsWith(".d.ts")) continue;
    if (++seen > MAX_CODE_FILES) break;
    for (const name of scanExports(readRegularFileIfAny(path) ?? "").declaredClasses) classes.add(name);
  }
  return classes;
}

/** The Worker's main module: a TypeScript file inside the project, or a refusal. */
function mainModule(projectDir: string, main: string | undefined, file: string): string {
  if (!main) throw new UsageError(`${file} has no "main": add needs the Worker's TypeScript entry module.`, 'Set main (e.g. "src/index.ts") first.');
  if (!CODE.test(main) || main.endsWith(".d.ts")) {
    throw new UsageError(
      `The Worker's main module is ${main}, not TypeScript; add writes a TypeScript class, which it cannot import.`,
      "Rename it to .ts (a JavaScript Worker is valid TypeScript with types loosened), then run add again.",
    );
  }
  const path = join(projectDir, main);
  if (!isInside(projectDir, path))
    throw new UsageError(`The Worker's main module ${main} is outside the project; create-do-kv writes only inside it.`);
  return writablePath(projectDir, path);
}

/** A record whose names are not the config's: hand edits sync has not carried yet, which add would hide. */
function checkRecord(projectDir: string, config: ReturnType<typeof readConfig>): void {
  const text = readRegularFileIfAny(join(projectDir, RECORD_FILE));
  if (text !== undefined && recordNamesDiffer(parseRecord(text), recordFromConfig(config))) {
    throw new UsageError(
      `The config's names differ from ${RECORD_FILE} (a rename by hand that sync has not carried into the code yet), so add wrote nothing.`,
      "Run `npx create-do-kv sync` first, then add.",
    );
  }
}

export async function runAdd(flags: AddFlags, deps: AddDeps): Promise<void> {
  const { ui, report } = deps;
  const settings = kvSettings(flags, deps.cwd);
  const dryRun = flags.dryRun ?? false;
  const project = await openProject(deps.cwd, flags.cwd, ui, { dryRun, env: deps.env, wrangler: settings.wrangler });
  const { projectDir, configPath, format, config } = project;
  const file = basename(configPath);
  Object.assign(report, { directory: projectDir, config: { path: configPath, format } });
  const mainPath = mainModule(projectDir, config.main, file);
  const mainText = readRegularFile(mainPath);
  checkRecord(projectDir, config);

  const codeDir = dirname(mainPath);
  const code: CodeNames = {
    exported: scanExports(mainText).names,
    declaredClasses: declaredClasses(codeDir),
    fileTaken(className) {
      const path = join(codeDir, classFileName(className));
      const portable = windowsNameProblem(classFileName(className));
      if (portable) return `${portable} (the class's file is named after it); choose another class name.`;
      try {
        lstatSync(path);
      } catch {
        return undefined;
      }
      return `${relative(projectDir, path)} exists; choose another class name (its file is named after it).`;
    },
  };
  // The project's names join the usual rules, so a prompt refuses a taken name as a flag would.
  const inputs: Input[] = ADD_INPUTS.map((input) =>
    input.key === "template"
      ? input
      : {
          ...input,
          validate: (raw, before, ctx) =>
            input.validate(raw, before, ctx) ??
            splitList([raw])
              .map((name) => addNameProblem(config, code, input.key as "className" | "doBinding" | "kvBindings", name))
              .find(Boolean),
        },
  );
  const chosen = await resolveInputs(
    inputs,
    flags,
    { yes: flags.yes ?? false, ask: deps.ask, notInteractive: deps.notInteractive },
    { cwd: deps.cwd, directoryProblem: () => undefined },
  );
  const className = chosen.className!;
  const doBinding = chosen.doBinding!;
  const kvBindings = chosen.kvBindings!;
  const template = chosen.template as TemplateName;

  const plan = planAddToConfig({ source: project.configText, format, file }, config, code, {
    className,
    doBinding,
    kvBindings,
    kvIds: settings.given,
    wranglerVersion: project.wranglerFound.version,
  });
  const classPath = writablePath(projectDir, join(codeDir, classFileName(className)));
  const classText = fill(
    readTemplateLayers(deps.templatesDir, template).get("src/durable-object.ts")!,
    { CLASS_NAME: className, KV_BINDING: kvBindings[0]!, KEY_PREFIX: className, INSTANCE: instanceNoun(className) },
    "src/durable-object.ts",
  );
  // The new file in the project's format (its formatter, on stdin: nothing written yet).
  const formatted = await formatNewFile(projectDir, classPath, classText, deps.env, mainText);
  if (/failed|not installed/.test(formatted.by)) ui.warn(`${relative(projectDir, classPath)} is written in the template's style: ${formatted.by}.`);
  const mainAfter = exportFromMain(
    mainText,
    className,
    moduleSpecifier(mainText, classFileName(className)),
    importsEnd(projectDir, mainPath, mainText),
  );
  const changes: { path: string; before: string | null; after: string }[] = [
    { path: configPath, before: project.configText, after: plan.configText },
    { path: mainPath, before: mainText, after: mainAfter },
    { path: classPath, before: null, after: formatted.text },
  ];
  // A project that writes its own Env gets the new bindings there, not a second Env from wrangler types.
  const envFile = handWrittenEnvFile(projectDir);
  if (envFile) {
    const envText = readRegularFile(envFile);
    const from = relative(dirname(envFile), classPath).split(sep).join("/").replace(/\.ts$/, "");
    const members = [
      { name: doBinding, type: `DurableObjectNamespace<import("${from.startsWith(".") ? from : `./${from}`}").${className}>` },
      ...kvBindings.map((name) => ({ name, type: "KVNamespace" })),
    ];
    const envAfter = withEnvMembers(envText, members);
    if (envAfter !== undefined && envAfter !== envText) changes.push({ path: writablePath(projectDir, envFile), before: envText, after: envAfter });
  }
  const usage = usageLines(doBinding, template);
  report.files = changes.map((change) => relative(projectDir, change.path));
  report.usage = usage;

  if (dryRun) {
    report.dryRun = true;
    for (const change of changes) ui.info(await unifiedDiff(projectDir, { ...change, before: change.before ?? "" }));
    ui.info("Dry run: nothing was written.");
    return;
  }
  const record = recordWrite(projectDir, recordFromConfig(readConfig(plan.configText, format, file)));
  const writes: PlannedWrite[] = [...changes, ...(record ? [record] : [])];
  await commitWrites(projectDir, writes, typesStep(projectDir, deps.env, settings.wrangler));
  if (envFile)
    ui.info(
      `${relative(projectDir, envFile)}: its Env interface declares the new bindings (the project writes its own types; wrangler types was not run).`,
    );
  ui.success(
    `Added ${className} (${relative(projectDir, classPath)}) as env.${doBinding}, with ${kvBindings.map((b) => `env.${b}`).join(", ")}` +
      (plan.reused.length > 0 ? ` (${plan.reused.join(", ")} already there, reused)` : "") +
      (plan.tag ? `, and migration ${plan.tag}.` : ", and its exports entry."),
  );

  const kvResult = await kvStep({
    ...settings,
    projectDir,
    configPath,
    format,
    env: deps.env,
    interactive: deps.ask !== undefined,
    mayAsk: !flags.yes,
    ui,
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
  settleProject(project, report, kvResult);
  ui.info(
    [
      "",
      `Call it from your fetch handler (${relative(projectDir, mainPath)}):`,
      ...usage.map((line) => `  ${line}`),
      "",
      "Before each deploy, `npx create-do-kv check` says whether it is safe for the Durable Objects' data (exit 1 if not).",
    ].join("\n"),
  );
  if (kvResult.failure) throw kvResult.failure;
}
