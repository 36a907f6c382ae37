/**
 * `create`: resolve the options, plan the files, write them, install, create the KV
 * namespaces, make the first commit. --dry-run shows the plan and stops.
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { RECORD_FILE, recordFromConfig, serializeRecord } from "../core/rename/record.js";
import { readConfig } from "../core/config/read.js";
import { finishCommand, kvSettings, type KvFlags } from "../core/kv/flags.js";
import { cdCommand, nextSteps, runsFromPackage, selfCommand, shellFor } from "../core/project/shell.js";
import { checkGivenIds, planKvTasks, plannedKvEntries } from "../core/kv/plan.js";
import { resolveCreateOptions, trimNotes, type Ask, type CreateFlags } from "../core/project/options.js";
import { choosePackageManager, installCommand, installEnv, managerWords, runScriptCommand, commandText } from "../core/project/package-manager.js";
import { pathNotes } from "../core/project/names.js";
import { configFileName, planProject, type ToolSource } from "../core/project/plan.js";
import { VERSION } from "../version.js";
import { describeConfig, type Report } from "../core/project/report.js";
import { directoryProblem, writeProject } from "../effects/files.js";
import { initRepository } from "../effects/git.js";
import { oldNodeWarning } from "../effects/node-line.js";
import { installDependencies } from "../effects/install.js";
import { kvStep } from "../effects/kv.js";
import { readPackageManagerFiles, readTemplateLayers } from "../effects/templates.js";
import type { Ui } from "../effects/ui.js";
import { generateTypes, hasApiToken, hasWranglerLogin, TYPES_FILE } from "../effects/wrangler.js";
import { deployCommand, deployRefusal } from "../core/project/deploy.js";
import { deployStep } from "./deploy-step.js";
import { settleProject } from "./settle.js";
import { CancelledError, UsageError } from "../errors.js";

export interface CreateFlagsAll extends CreateFlags, KvFlags {
  yes?: boolean;
  force?: boolean;
  dryRun?: boolean;
  install?: boolean;
  git?: boolean;
  pm?: string;
  /** Deploy once created (check first); asked in a terminal when credentials exist. */
  deploy?: boolean;
}

export interface CreateDeps {
  cwd: string;
  env: NodeJS.ProcessEnv;
  templatesDir: string;
  ui: Ui;
  report: Report;
  /** Only when there is a terminal to ask on. */
  ask?: Ask;
  confirm?: (message: string, initial?: boolean) => Promise<boolean>;
  /** Why nothing may be asked (CI set, no terminal), for the message that names a missing value. */
  notInteractive?: string;
  /** The file this run was started from: how printed commands run create-do-kv again. */
  bin?: string;
}

/** Whether a folder above `directory` holds a git repository (create then makes none of its own). */
function insideRepository(directory: string): boolean {
  for (let dir = dirname(directory); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".git"))) return true;
    if (dirname(dir) === dir) return false;
  }
}

export async function runCreate(flags: CreateFlagsAll, deps: CreateDeps): Promise<void> {
  const { ui, report } = deps;
  const force = flags.force ?? false;
  const kv = kvSettings(flags, deps.cwd);
  const refusal = deployRefusal({
    deploy: flags.deploy,
    install: flags.install !== false,
    hasToken: hasApiToken(deps.env),
    interactive: deps.ask !== undefined,
  });
  if (refusal) {
    throw new UsageError(
      refusal,
      "Set CLOUDFLARE_API_TOKEN (a token with the Workers Scripts and Workers KV Storage edit permissions) and CLOUDFLARE_ACCOUNT_ID, or create without --deploy and deploy later with the project's deploy script.",
    );
  }
  const options = await resolveCreateOptions(
    flags,
    { yes: flags.yes ?? false, ask: deps.ask, notInteractive: deps.notInteractive },
    { cwd: deps.cwd, directoryProblem: (path) => directoryProblem(path, force) },
  );
  const kvKeys = plannedKvEntries(options.kvBindings, options.environments).map((entry) => entry.key);
  checkGivenIds(kv.given, kvKeys, "the new project");
  const directory = resolve(deps.cwd, options.directory);
  for (const note of [...trimNotes(flags), ...pathNotes(directory)]) ui.warn(note);
  const pm = choosePackageManager(flags.pm, deps.env.npm_config_user_agent);
  const templateFiles = new Map([...readTemplateLayers(deps.templatesDir, options.template), ...readPackageManagerFiles(deps.templatesDir, pm.name)]);
  const shell = shellFor(process.platform);
  const words = managerWords(pm);
  const self = selfCommand(words.dlx, deps.bin, shell, process.execPath);
  const source: ToolSource = runsFromPackage(deps.bin) ? { kind: "package", version: VERSION } : { kind: "clone", command: self };
  const templated = planProject(templateFiles, options, pm, source);
  const configFile = templated.find((file) => file.path === configFileName(options))!;
  const configPath = resolve(directory, configFile.path);
  const rendered = readConfig(configFile.content, options.format);
  // The record is written with the project, so a project on disk always has one (the KV step
  // rewrites it with the ids).
  const files = [...templated, { path: RECORD_FILE, content: serializeRecord(recordFromConfig(rendered)) }];
  const install = flags.install !== false;
  const installLine = installCommand(pm, { unattended: true });
  // Files made after the templates are written: the same list in --dry-run and the real run.
  const laterFiles = [...(install ? [{ path: TYPES_FILE, why: "from `wrangler types`, after the install" }] : [])];
  const cd = relative(deps.cwd, directory) || ".";
  const inProject = cd === "." ? "" : `${cdCommand(cd, shell)} && `;

  Object.assign(report, {
    directory,
    config: { path: configPath, format: options.format },
    packageManager: pm.name,
    files: files.map((file) => file.path),
    ...describeConfig(rendered, [], undefined),
  });

  if (flags.dryRun) {
    report.files.push(...laterFiles.map((file) => file.path));
    Object.assign(report, describeConfig(rendered, [], "--dry-run: nothing was created"));
    ui.info(`Dry run: would create ${directory} with ${files.length + laterFiles.length} files:`);
    for (const file of files) ui.info(`  ${file.path} (${Buffer.byteLength(file.content)} bytes)`);
    for (const file of laterFiles) ui.info(`  ${file.path} (${file.why})`);
    ui.info(`\n--- ${configFile.path}\n${configFile.content}`);
    const tasks = planKvTasks(rendered, { preview: kv.preview, given: kv.given });
    for (const [binding, id] of kv.given) ui.info(`Would set ${binding} to namespace ${id} (--kv-id).`);
    if (tasks.length > 0 && kv.createKv !== false) {
      ui.info(`Would create KV namespaces when credentials allow: ${tasks.map((t) => t.createdTitle).join(", ")}`);
    }
    ui.info(install ? `Would install dependencies with \`${commandText(installLine)}\`.` : "Would not install dependencies.");
    if (flags.deploy) ui.info(`Would deploy with \`${deployCommand(pm, kv.wrangler).shown}\`, after the checks of \`create-do-kv check\`.`);
    ui.info("Nothing was written.");
    return;
  }

  const backup = await writeProject(directory, files, force);
  ui.success(`Created ${options.name} in ${directory}`);
  // From a clone the shell's Node was never checked (the clone's ran this): say so first if it
  // is too old for the project's scripts, before an install or a signal can come between.
  if (source.kind === "clone") {
    const warning = await oldNodeWarning(
      directory,
      deps.env,
      `\`${commandText(runScriptCommand(pm, "dev"))}\` and the other scripts of ${options.name}`,
    );
    if (warning) ui.warn(warning);
  }
  if (backup) {
    const what = [
      ...(backup.paths.length > 0
        ? [`replaced ${backup.paths.length} existing file${backup.paths.length === 1 ? "" : "s"} (${backup.paths.join(", ")})`]
        : []),
      ...(backup.removed.length > 0 ? [`removed ${backup.removed.join(", ")} (wrangler would read it instead of ${configFile.path})`] : []),
    ];
    ui.warn(`--force ${what.join(" and ")}; the originals are in ${backup.directory}`);
  }

  const finish = finishCommand(kv, { self, prefix: inProject, shell });
  // Followed as printed after a failed or stopped install, it ends with the project the whole run
  // makes: dependencies, then sync (the record, KV ids, the types), then the first commit.
  const firstCommit =
    flags.git !== false && !insideRepository(directory) ? ' && git init --quiet && git add --all && git commit --quiet -m "Initial commit"' : "";
  const finishAfterInstall = `${inProject}${commandText(installCommand(pm))} && ${finishCommand(kv, { self, prefix: "", shell })}${firstCommit}`;
  if (install) {
    await ui
      .step(`Installing dependencies with \`${commandText(installLine)}\``, "Dependencies installed.", () =>
        installDependencies(directory, installLine, {
          env: { ...deps.env, ...installEnv(pm) },
          retry: finishAfterInstall,
        }),
      )
      .catch((error: unknown) => {
        // Stopped mid-install: the files are whole; what is left is the install and the KV step.
        if (!(error instanceof CancelledError)) throw error;
        throw error.with({
          hint: `To finish: ${finishAfterInstall}`,
        });
      });
    report.installed = true;
  }

  // Types for tsc and the editor, generated alongside the KV calls (both only read the config).
  const types = install ? generateTypes(directory, deps.env, { wrangler: kv.wrangler }) : undefined;
  // Awaited below; until then a signal's cancellation must not count as unhandled.
  types?.catch(() => undefined);
  // After the install, so the project's own wrangler is the one that runs. A KV failure or a
  // cancelled login leaves a valid project: the record, git and the next steps still happen,
  // then the failure decides the exit code.
  const pinned = (JSON.parse(templated.find((file) => file.path === "package.json")!.content) as { devDependencies: Record<string, string> })
    .devDependencies.wrangler;
  const kvResult = await kvStep({
    ...kv,
    // Not installed (--no-install): the wrangler the project pins, through npx, said so.
    download: `wrangler@${pinned}`,
    projectDir: directory,
    configPath,
    format: options.format,
    env: deps.env,
    interactive: deps.ask !== undefined,
    // --yes never asks anything, not even to log in (a stored login is still used).
    mayAsk: !flags.yes,
    ui,
    confirm: deps.confirm,
    finishCommand: finish,
  });
  settleProject({ projectDir: directory, configPath, format: options.format }, report, kvResult);
  const typesFailure = await types;
  if (types && !typesFailure) report.files.push(TYPES_FILE);
  if (typesFailure)
    ui.warn(`${TYPES_FILE} was not generated: ${typesFailure}\nRun \`${commandText(runScriptCommand(pm, "cf-typegen"))}\` in the project.`);

  if (flags.git !== false) {
    const git = await initRepository(directory, deps.env);
    report.git = { initialized: git.initialized, committed: git.committed };
    if (git.note) ui.warn(git.note);
    else ui.success("Initialized a git repository with a first commit.");
  }

  ui.info(
    [
      "",
      `  Durable Object  ${options.className} as env.${options.doBinding}`,
      `  KV              ${options.kvBindings.map((b) => `env.${b}`).join(", ")}`,
      `  Config          ${configFile.path}`,
      "",
      "Next steps:",
      ...nextSteps([
        ...(cd === "." ? [] : [[cdCommand(cd, shell)] as const]),
        ...(install
          ? []
          : [
              [commandText(installCommand(pm))] as const,
              [commandText(runScriptCommand(pm, "cf-typegen")), `${TYPES_FILE}: the types tsc and your editor need`] as const,
            ]),
        [commandText(runScriptCommand(pm, "dev")), "local Worker, Durable Object and KV"],
        [commandText(runScriptCommand(pm, "test")), "tests in the Workers runtime"],
        [commandText(runScriptCommand(pm, "deploy")), `needs \`${words.exec} wrangler login\` or CLOUDFLARE_API_TOKEN`],
        ...options.environments.map(
          (env) => [commandText(runScriptCommand(pm, `deploy:${env}`)), `env.${env}, as the Worker ${options.name}-${env}`] as const,
        ),
      ]),
    ].join("\n"),
  );
  if (kvResult.failure) throw kvResult.failure;
  // Offered as create-cloudflare does, default no, and only where it can work: installed, with credentials.
  const canOffer = flags.deploy === undefined && install && !flags.yes && deps.confirm !== undefined;
  const deploy =
    flags.deploy ??
    (canOffer && (hasApiToken(deps.env) || hasWranglerLogin(deps.env))
      ? await deps.confirm!("Deploy now? (the checks of `create-do-kv check`, then `wrangler deploy`)", false)
      : false);
  if (deploy) {
    await deployStep({
      projectDir: directory,
      pm,
      wrangler: kv.wrangler,
      env: deps.env,
      ui,
      report,
      later: `${inProject}${commandText(runScriptCommand(pm, "deploy"))}`,
    });
  }
}
