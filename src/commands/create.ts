/** `create`: resolve the options, plan the files, then write them (or show them with --dry-run). */
import { relative, resolve } from "node:path";
import { resolveCreateOptions, type Ask, type CreateFlags, type CreateOptions } from "../core/options.js";
import { configFileName, planProject, type PlannedFile } from "../core/plan.js";
import { directoryProblem, writeProject } from "../effects/files.js";
import { readTemplate } from "../effects/templates.js";
import type { Ui } from "../effects/ui.js";

export interface CreateFlagsAll extends CreateFlags {
  yes?: boolean;
  force?: boolean;
  dryRun?: boolean;
}

export interface CreateDeps {
  cwd: string;
  templatesDir: string;
  ui: Ui;
  /** Only when there is a terminal to ask on. */
  ask?: Ask;
}

export interface CreateResult {
  options: CreateOptions;
  directory: string;
  files: PlannedFile[];
  written: boolean;
}

export async function runCreate(flags: CreateFlagsAll, deps: CreateDeps): Promise<CreateResult> {
  const force = flags.force ?? false;
  const options = await resolveCreateOptions(
    flags,
    { yes: flags.yes ?? false, ask: deps.ask },
    { cwd: deps.cwd, directoryProblem: (path) => directoryProblem(path, force) },
  );
  const directory = resolve(deps.cwd, options.directory);
  const files = planProject(await readTemplate(deps.templatesDir, "default"), options);
  const { ui } = deps;

  if (flags.dryRun) {
    ui.info(`Dry run: would create ${directory} with ${files.length} files:`);
    for (const file of files) ui.info(`  ${file.path} (${Buffer.byteLength(file.content)} bytes)`);
    const config = files.find((file) => file.path === configFileName(options))!;
    ui.info(`\n--- ${config.path}\n${config.content}`);
    ui.info("Nothing was written.");
    return { options, directory, files, written: false };
  }

  await writeProject(directory, files);
  ui.success(`Created ${options.name} in ${directory}`);
  ui.info(
    [
      `  Durable Object  ${options.className} as env.${options.doBinding}`,
      `  KV              ${options.kvBindings.map((b) => `env.${b}`).join(", ")} (no namespace ids yet: local storage in dev)`,
      `  Config          ${configFileName(options)}`,
    ].join("\n"),
  );
  const cd = relative(deps.cwd, directory) || ".";
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
  return { options, directory, files, written: true };
}
