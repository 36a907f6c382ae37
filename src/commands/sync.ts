/** `sync`: bring an existing project back into agreement with its config. For now: KV ids. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type { KvFlags } from "../core/kv-flags.js";
import { kvSettings } from "../core/kv-flags.js";
import type { ConfigFormat } from "../core/options.js";
import { UsageError } from "../errors.js";
import { readFile } from "node:fs/promises";
import { readConfig } from "../core/config-read.js";
import { describeConfig, type Report } from "../core/report.js";
import { ensureKvIds, type KvOutcome } from "../effects/kv.js";
import type { Ui } from "../effects/ui.js";

export interface SyncFlags extends KvFlags {
  cwd?: string;
}

export interface SyncDeps {
  cwd: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
  report: Report;
  interactive: boolean;
  confirm?: (message: string) => Promise<boolean>;
}

/** The config wrangler itself would read: wrangler.jsonc or .json wins over wrangler.toml. */
export function findConfig(projectDir: string): { path: string; format: ConfigFormat } {
  for (const [file, format] of [
    ["wrangler.jsonc", "jsonc"],
    ["wrangler.json", "jsonc"],
    ["wrangler.toml", "toml"],
  ] as const) {
    const path = join(projectDir, file);
    if (existsSync(path)) return { path, format };
  }
  throw new UsageError(`No wrangler.toml or wrangler.jsonc in ${projectDir}.`, "Run it in the project, or pass --cwd <dir>.");
}

export async function runSync(flags: SyncFlags, deps: SyncDeps): Promise<void> {
  const settings = kvSettings(flags);
  const projectDir = resolve(deps.cwd, flags.cwd ?? ".");
  const config = findConfig(projectDir);
  Object.assign(deps.report, { directory: projectDir, config });
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
    const onDisk = readConfig(await readFile(config.path, "utf8"), config.format);
    Object.assign(deps.report, describeConfig(onDisk, outcomes, skipped));
  }
}
