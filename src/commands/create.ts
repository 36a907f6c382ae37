/** `create`: resolve the options, plan the files, then write them (or show them with --dry-run). */
import { relative, resolve } from "node:path";
import { resolveCreateOptions, type Ask, type CreateFlags, type CreateOptions } from "../core/options.js";
import { configFileName, planProject, type PlannedFile } from "../core/plan.js";
import { kvSettings, type KvFlags } from "../core/kv-flags.js";
import { planKvTasks } from "../core/kv-plan.js";
import { readConfig } from "../core/config-read.js";
import { UsageError } from "../errors.js";
import { directoryProblem, writeProject } from "../effects/files.js";
import { ensureKvIds, type KvReport } from "../effects/kv.js";
import { readTemplate } from "../effects/templates.js";
import type { Ui } from "../effects/ui.js";

export interface CreateFlagsAll extends CreateFlags, KvFlags {
  yes?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

export interface CreateDeps {
  cwd: string;
  templatesDir: string;
  ui: Ui;
  env: NodeJS.ProcessEnv;
  /** Only when there is a terminal to ask on. */
  ask?: Ask;
  confirm?: (message: string) => Promise<boolean>;
}

export interface CreateResult {
  options: CreateOptions;
  directory: string;
  files: PlannedFile[];
  written: boolean;
  kv?: KvReport;
}

export async function runCreate(flags: CreateFlagsAll, deps: CreateDeps): Promise<CreateResult> {
  const force = flags.force ?? false;
  const kv = kvSettings(flags);
  const options = await resolveCreateOptions(
    flags,
    { yes: flags.yes ?? false, ask: deps.ask },
    { cwd: deps.cwd, directoryProblem: (path) => directoryProblem(path, force) },
  );
  for (const binding of kv.given.keys()) {
    if (!options.kvBindings.includes(binding)) {
      throw new UsageError(`--kv-id: "${binding}" is not one of the KV bindings (${options.kvBindings.join(", ")}).`);
    }
  }
  const directory = resolve(deps.cwd, options.directory);
  const files = planProject(await readTemplate(deps.templatesDir, "default"), options);
  const { ui } = deps;
  const configFile = files.find((file) => file.path === configFileName(options))!;

  if (flags.dryRun) {
    ui.info(`Dry run: would create ${directory} with ${files.length} files:`);
    for (const file of files) ui.info(`  ${file.path} (${Buffer.byteLength(file.content)} bytes)`);
    ui.info(`\n--- ${configFile.path}\n${configFile.content}`);
    const tasks = planKvTasks(readConfig(configFile.content, options.format), { preview: kv.preview, given: kv.given });
    for (const [binding, id] of kv.given) ui.info(`Would set ${binding} to namespace ${id} (--kv-id).`);
    if (tasks.length > 0 && kv.createKv !== false) {
      ui.info(`Would create KV namespaces when credentials allow: ${tasks.map((t) => t.createdTitle).join(", ")}`);
    }
    ui.info("Nothing was written.");
    return { options, directory, files, written: false };
  }

  await writeProject(directory, files);
  ui.success(`Created ${options.name} in ${directory}`);
  ui.info(
    [
      `  Durable Object  ${options.className} as env.${options.doBinding}`,
      `  KV              ${options.kvBindings.map((b) => `env.${b}`).join(", ")}`,
      `  Config          ${configFileName(options)}`,
    ].join("\n"),
  );
  const cd = relative(deps.cwd, directory) || ".";
  const inProject = cd === "." ? "" : `cd ${cd.includes(" ") ? JSON.stringify(cd) : cd} && `;
  const report = await ensureKvIds({
    ...kv,
    projectDir: directory,
    configPath: resolve(directory, configFile.path),
    format: options.format,
    env: deps.env,
    interactive: deps.ask !== undefined,
    ui,
    confirm: deps.confirm,
    finishCommand: `${inProject}npx create-do-kv sync${kv.preview ? " --preview" : ""}`,
  });
  ui.info(
    [
      "",
      "Next steps:",
      ...(cd === "." ? [] : [`  cd ${cd.includes(" ") ? JSON.stringify(cd) : cd}`]),
      "  npm install",
      "  npm run dev        # local Worker, Durable Object and KV",
      "  npm test           # tests in the Workers runtime",
      "  npm run deploy     # needs `npx wrangler login` or CLOUDFLARE_API_TOKEN",
    ].join("\n"),
  );
  return { options, directory, files, written: true, kv: report };
}
